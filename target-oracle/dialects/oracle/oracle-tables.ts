import { dbStep } from '../../db-error.js';
import type { ColumnSpec, TableSpec } from '../../dialect.js';
import { planEvolution, type ExistingType } from '../../evolution.js';
import type { LogicalType } from '../../logical-type.js';
import { conformIdentifier, type NamingRules } from '../../names.js';
import type { SchemaChangePolicy, TargetConfig } from '../../settings.js';
import { storedTable } from './oracle-keys.js';
import type { OracleSession } from './oracle-session.js';
import * as sql from './oracle-sql.js';

/** Oracle tables as the target creates and evolves them: introspection, CREATE, the ALTERs of an evolution plan. */

export type OracleTableOptions = Pick<TargetConfig, 'oracleBooleanType' | 'oracleJsonType' | 'oracleMergeStrategy'>;

/**
 * A column as Oracle describes it. NUMBER(1) is a boolean only with the boolean check (`booleans`: the columns that
 * have it); without it, a one-digit integer.
 */
export function existingType(row: Record<string, unknown>, booleans: ReadonlySet<string>): ExistingType {
  const type = String(row.DATA_TYPE);
  const precision =
    row.DATA_PRECISION === null || row.DATA_PRECISION === undefined ? undefined : Number(row.DATA_PRECISION);
  const scale = Number(row.DATA_SCALE ?? 0);
  if (type === 'NUMBER') {
    if (precision === undefined) return row.DATA_SCALE === 0 ? { kind: 'integer' } : { kind: 'decimal' };
    if (precision === 1 && scale === 0 && booleans.has(String(row.COLUMN_NAME))) return { kind: 'boolean' };
    if (scale === 0) return precision >= 38 ? { kind: 'integer' } : { kind: 'integer', digits: precision };
    return { kind: 'decimal', precision, scale };
  }
  if (type === 'VARCHAR2' || type === 'NVARCHAR2') return { kind: 'string', maxLength: Number(row.CHAR_LENGTH) };
  if (type === 'CLOB' || type === 'NCLOB') return { kind: 'string' };
  if (/^TIMESTAMP\(\d\) WITH TIME ZONE$/.test(type)) return { kind: 'timestamp' };
  if (type === 'DATE') return { kind: 'date' };
  if (type === 'BOOLEAN') return { kind: 'boolean' };
  if (type === 'JSON') return { kind: 'json' };
  return { kind: 'other', sql: type };
}

/** Oracle has no unbounded VARCHAR2: a string without maxLength is VARCHAR2(4000 CHAR); longer ones are CLOB. */
function oracleLogical(type: LogicalType): LogicalType {
  if (type.kind !== 'string') return type;
  if (type.maxLength === undefined) return { kind: 'string', maxLength: sql.VARCHAR2_MAX };
  return type.maxLength > sql.VARCHAR2_MAX ? { kind: 'string' } : type;
}

/** The global temporary table of the staging strategy: `<TABLE>$STG`, shortened like any name. */
export function stagingTable(table: TableSpec, naming: NamingRules): Pick<TableSpec, 'schema' | 'name'> {
  return { schema: table.schema, name: conformIdentifier(`${table.name}$STG`, naming) };
}

/**
 * Whether upserts go through the staging table: with `oracle_merge_strategy` staging, and always when a column is
 * a CLOB (bound as STRING only in a plain INSERT, never in a MERGE's SELECT … FROM dual, where a long value is
 * refused with ORA-01461 and a CLOB bind costs two round trips per value).
 */
export function usesStage(
  table: TableSpec,
  options: Pick<TargetConfig, 'oracleMergeStrategy' | 'oracleBooleanType' | 'oracleJsonType'>,
): boolean {
  if (table.keyColumns.length === 0) return false;
  if (options.oracleMergeStrategy === 'staging') return true;
  const types: sql.OracleTypeOptions = { booleanType: options.oracleBooleanType, jsonType: options.oracleJsonType };
  return table.columns.some((c) => sql.oracleType(c.type, types) === 'CLOB');
}

/**
 * Introspects, then creates or evolves. Oracle DDL commits implicitly, so the core only calls this between flushes
 * (on SCHEMA, after flushing), never with rows of a batch pending.
 */
export async function ensureOracleTable(
  session: OracleSession,
  requested: TableSpec,
  policy: SchemaChangePolicy,
  options: OracleTableOptions,
  naming: NamingRules,
): Promise<TableSpec> {
  const types: sql.OracleTypeOptions = { booleanType: options.oracleBooleanType, jsonType: options.oracleJsonType };
  const desired: TableSpec = {
    ...requested,
    columns: requested.columns.map((c) => ({ ...c, type: oracleLogical(c.type) })),
  };
  const where = [desired.schema ?? null, desired.name];
  const rows = (await dbStep('reading the table definition', () => session.execute(sql.COLUMNS_SQL, where))).rows ?? [];
  let table = desired;
  let changed = true;
  if (rows.length === 0) {
    const stored = storedTable(desired, naming).table;
    await dbStep('creating table', () => session.execute(sql.createTableSql(stored, types)));
  } else {
    const checks = (await dbStep('reading the check constraints', () => session.execute(sql.CHECKS_SQL, where))).rows;
    const booleans = new Set(
      (checks ?? [])
        .filter(
          (c) =>
            typeof c.SEARCH_CONDITION === 'string' && sql.isBooleanCheck(c.SEARCH_CONDITION, String(c.COLUMN_NAME)),
        )
        .map((c) => String(c.COLUMN_NAME)),
    );
    const existing = new Map(rows.map((row) => [String(row.COLUMN_NAME), existingType(row, booleans)]));
    const plan = planEvolution(existing, desired, policy, naming);
    changed = plan.actions.length > 0;
    for (const action of plan.actions) {
      if (action.kind === 'add')
        await dbStep('adding a column', () => session.execute(sql.addColumnSql(desired, action.column, types)));
      else if (action.kind === 'rename')
        await dbStep('renaming a column', () => session.execute(sql.renameColumnSql(desired, action.from, action.to)));
      else await retype(session, desired, action.column, action.from, types, naming);
    }
    table = plan.table;
    const stored = storedTable(table, naming).table;
    for (const twin of stored.columns.slice(table.columns.length) as (sql.OracleColumn & { utcOf: string })[]) {
      if (existing.has(twin.name)) continue;
      await dbStep('adding a UTC key column', () => session.execute(sql.addColumnSql(desired, twin, types)));
      await dbStep('filling a UTC key column', () => session.execute(sql.fillUtcTwinSql(desired, twin)));
      changed = true;
    }
    const pk = (await dbStep('reading the primary key', () => session.execute(sql.PRIMARY_KEY_SQL, where))).rows ?? [];
    if (
      stored.keyColumns.length > 0 &&
      pk.map((r) => String(r.COLUMN_NAME)).join('\u0001') !== stored.keyColumns.join('\u0001')
    ) {
      if (pk.length > 0)
        await dbStep('dropping the old primary key', () =>
          session.execute(sql.dropPrimaryKeySql(desired, String(pk[0].CONSTRAINT_NAME))),
        );
      await dbStep('adding the primary key', () => session.execute(sql.addPrimaryKeySql(stored)));
      changed = true;
    }
  }
  if (usesStage(table, options)) {
    const stage = stagingTable(table, naming);
    const found = (await session.execute(sql.COLUMNS_SQL, [stage.schema ?? null, stage.name])).rows ?? [];
    if (found.length > 0 && changed)
      await dbStep('dropping the staging table', () => session.execute(sql.dropTableSql(stage)));
    if (found.length === 0 || changed)
      await dbStep('creating the staging table', () => session.execute(sql.createStagingSql(stage, table)));
  }
  return table;
}

/** Widening MODIFY where Oracle allows it, else add a twin column, copy with explicit conversion, swap. */
async function retype(
  session: OracleSession,
  table: TableSpec,
  column: ColumnSpec,
  from: ExistingType,
  types: sql.OracleTypeOptions,
  naming: NamingRules,
): Promise<void> {
  const sameFamily =
    (from.kind === 'string' &&
      column.type.kind === 'string' &&
      from.maxLength !== undefined &&
      column.type.maxLength !== undefined) ||
    ((from.kind === 'integer' || from.kind === 'decimal') &&
      (column.type.kind === 'integer' || column.type.kind === 'decimal'));
  if (sameFamily) {
    await dbStep('widening a column', () => session.execute(sql.modifyColumnSql(table, column, types)));
    return;
  }
  const twin = conformIdentifier(`${column.name}__NEW`, naming);
  const twinColumn = { ...column, name: twin };
  await dbStep('rebuilding a column (add)', () => session.execute(sql.addColumnSql(table, twinColumn, types)));
  await dbStep('rebuilding a column (copy)', () =>
    session.execute(sql.copyColumnSql(table, column.name, from.kind, twinColumn)),
  );
  await dbStep('rebuilding a column (swap)', () => session.execute(sql.dropColumnSql(table, column.name)));
  await dbStep('rebuilding a column (rename)', () => session.execute(sql.renameColumnSql(table, twin, column.name)));
}
