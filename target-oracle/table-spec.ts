import { ProtocolError, type JsonSchema } from '../singer/index.js';
import type { ColumnSpec, Dialect, TableSpec } from './dialect.js';
import { logicalType, type LogicalType } from './logical-type.js';
import { conformColumnNames, conformIdentifier, type NamingRules } from './names.js';
import type { TargetConfig } from './settings.js';

/** The `_sdc_*` columns added when add_record_metadata is on (Meltano SDK names and types). */
export const METADATA_COLUMNS: readonly [string, LogicalType][] = [
  ['_sdc_extracted_at', { kind: 'timestamp' }],
  ['_sdc_received_at', { kind: 'timestamp' }],
  ['_sdc_batched_at', { kind: 'timestamp' }],
  ['_sdc_deleted_at', { kind: 'timestamp' }],
  ['_sdc_sequence', { kind: 'integer' }],
  ['_sdc_table_version', { kind: 'integer' }],
];

export interface StreamShape {
  stream: string;
  schema: JsonSchema;
  keyProperties: string[];
}

/** The key properties a stream is written by: history mode adds the versioning column. */
export function effectiveKeys(shape: StreamShape, config: TargetConfig): string[] {
  const keys = [...shape.keyProperties];
  if (config.historyMode && keys.length > 0 && !keys.includes(config.historyColumn)) keys.push(config.historyColumn);
  return keys;
}

/** Maps a SCHEMA message to the table it loads into (names conformed by the dialect's rules). */
export function buildTableSpec(
  shape: StreamShape,
  config: TargetConfig,
  dialect: Pick<Dialect, 'name' | 'naming' | 'nativeType'>,
): TableSpec {
  const { stream, schema } = shape;
  const properties = Object.entries(schema.properties ?? {}).filter(
    ([name]) => config.addRecordMetadata || !name.startsWith('_sdc_'),
  );
  const types = new Map<string, LogicalType>(
    properties.map(([name, prop]) => [name, acceptedType(logicalType(prop), dialect, stream, name)]),
  );
  if (config.addRecordMetadata)
    for (const [name, type] of METADATA_COLUMNS) if (!types.has(name)) types.set(name, type);

  const keys = effectiveKeys(shape, config);
  for (const key of keys) {
    if (!types.has(key)) {
      const what = key === config.historyColumn && config.historyMode ? 'historical_versioning_column' : 'key property';
      throw new ProtocolError(`SCHEMA ${what} '${key}' is not among the schema's properties`, { stream });
    }
  }
  const names = conformColumnNames([...types.keys()], dialect.naming, stream);
  const columns: ColumnSpec[] = [...types].map(([property, type]) => ({ property, name: names.get(property)!, type }));
  return {
    stream,
    ...tableOf(stream, config, dialect.naming),
    columns,
    keyColumns: keys.map((key) => names.get(key)!),
  };
}

/** An `x-sql-datatype` rebuilt by the dialect from its parsed parts, or a protocol error naming stream and field. */
function acceptedType(
  type: LogicalType,
  dialect: Pick<Dialect, 'name' | 'nativeType'>,
  stream: string,
  field: string,
): LogicalType {
  if (type.kind !== 'native') return type;
  const sql = dialect.nativeType(type.sql);
  if (sql === undefined) {
    const shown = JSON.stringify(type.sql.length > 40 ? `${type.sql.slice(0, 40)}…` : type.sql);
    throw new ProtocolError(
      `SCHEMA x-sql-datatype ${shown} is not a ${dialect.name} type name with numeric parameters`,
      { stream, field },
    );
  }
  return { kind: 'native', sql };
}

/** Where a stream's rows go: schema (undefined = the session's current one) and table name, conformed. */
export function tableOf(
  stream: string,
  config: Pick<TargetConfig, 'schema' | 'tablePrefix'>,
  naming: NamingRules,
): Pick<TableSpec, 'schema' | 'name'> {
  return {
    schema: config.schema === undefined ? undefined : conformIdentifier(config.schema, naming),
    name: conformIdentifier(`${config.tablePrefix}${stream}`, naming),
  };
}

export function qualifiedName(table: Pick<TableSpec, 'schema' | 'name'>): string {
  return table.schema === undefined ? `"${table.name}"` : `"${table.schema}"."${table.name}"`;
}
