import { dbStep } from '../../db-error.js';
import type { TableSpec } from '../../dialect.js';
import { planEvolution } from '../../evolution.js';
import type { LogicalType } from '../../logical-type.js';
import { conformIdentifier, type NamingRules } from '../../names.js';
import type { SchemaChangePolicy, TargetConfig } from '../../settings.js';
import { readTable } from './oracle-columns.js';
import { storedTable } from './oracle-keys.js';
import { rebuildColumn, resumeRebuilds } from './oracle-rebuild.js';
import type { OracleSession } from './oracle-session.js';
import * as sql from './oracle-sql.js';

/**
 * Oracle tables as the target creates and evolves them. Every DDL statement commits by itself, so an evolution is
 * a series of steps a crash can interrupt anywhere; each step is decided from what the dictionary shows now (a
 * column missing, a twin left over, a primary key absent or different, a staging table of another shape), so the
 * next run picks up where the last one stopped.
 */

export type OracleTableOptions = Pick<TargetConfig, 'oracleBooleanType' | 'oracleJsonType' | 'oracleMergeStrategy'>;

/** Oracle has no unbounded VARCHAR2: a string without maxLength is as long as a VARCHAR2 can be; longer ones are CLOB. */
function oracleLogical(type: LogicalType, maxStringBytes: number): LogicalType {
  if (type.kind !== 'string') return type;
  if (type.maxLength === undefined) return { kind: 'string', maxLength: maxStringBytes };
  return type.maxLength > maxStringBytes ? { kind: 'string' } : type;
}

/** The global temporary table of the staging strategy: `<TABLE>$STG`, shortened like any name. */
export function stagingTable(
  table: Pick<TableSpec, 'schema' | 'name'>,
  naming: NamingRules,
): Pick<TableSpec, 'schema' | 'name'> {
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
  maxStringBytes: number,
): boolean {
  if (table.keyColumns.length === 0) return false;
  if (options.oracleMergeStrategy === 'staging') return true;
  const types: sql.OracleTypeOptions = {
    booleanType: options.oracleBooleanType,
    jsonType: options.oracleJsonType,
    maxStringBytes,
  };
  return table.columns.some((c) => sql.oracleType(c.type, types) === 'CLOB');
}

/**
 * Introspects, then creates or evolves. The core only calls this between flushes (on SCHEMA, after flushing),
 * never with rows of a batch pending.
 */
export async function ensureOracleTable(
  session: OracleSession,
  requested: TableSpec,
  policy: SchemaChangePolicy,
  options: OracleTableOptions,
  naming: NamingRules,
  maxStringBytes: number,
): Promise<TableSpec> {
  const types: sql.OracleTypeOptions = {
    booleanType: options.oracleBooleanType,
    jsonType: options.oracleJsonType,
    maxStringBytes,
  };
  const desired: TableSpec = {
    ...requested,
    columns: requested.columns.map((c) => ({ ...c, type: oracleLogical(c.type, maxStringBytes) })),
  };
  let existing = await readTable(session, desired);
  let table = desired;
  if (existing === undefined) {
    const stored = storedTable(desired, naming).table;
    await dbStep('creating table', () => session.execute(sql.createTableSql(stored, types)));
  } else {
    if (await resumeRebuilds(session, desired, existing, naming)) existing = (await readTable(session, desired))!;
    const plan = planEvolution(existing.columns, desired, policy, naming);
    for (const action of plan.actions) {
      if (action.kind === 'add')
        await dbStep('adding a column', () => session.execute(sql.addColumnSql(desired, action.column, types)));
      else if (action.kind === 'rename')
        await dbStep('renaming a column', () => session.execute(sql.renameColumnSql(desired, action.from, action.to)));
      else if (canModify(action.from, action.column.type, types))
        await dbStep('widening a column', () => session.execute(sql.modifyColumnSql(desired, action.column, types)));
      else await rebuildColumn(session, desired, action.column, action.from, types, naming);
    }
    table = plan.table;
    await ensurePrimaryKey(session, storedTable(table, naming).table, existing, types);
  }
  if (usesStage(table, options, maxStringBytes)) await ensureStaging(session, storedTable(table, naming).table, naming);
  return table;
}

/** MODIFY works within a family (VARCHAR2 → longer VARCHAR2, NUMBER → wider NUMBER), never to or from a LOB. */
function canModify(from: LogicalType | { kind: 'other' }, to: LogicalType, types: sql.OracleTypeOptions): boolean {
  if (from.kind === 'string' && to.kind === 'string')
    return from.maxLength !== undefined && !sql.isClob(from, types) && !sql.isClob(to, types);
  return (from.kind === 'integer' || from.kind === 'decimal') && (to.kind === 'integer' || to.kind === 'decimal');
}

/**
 * The stored table's primary key (UTC twins of timestamp keys included, filled first: they may have been added by
 * a run that stopped before filling them). Drop and add are two statements: a missing key is simply added.
 */
async function ensurePrimaryKey(
  session: OracleSession,
  stored: TableSpec,
  existing: { columns: ReadonlyMap<string, unknown>; primaryKey?: { name: string; columns: string[] } },
  types: sql.OracleTypeOptions,
): Promise<void> {
  const current = existing.primaryKey;
  if (stored.keyColumns.length === 0 || current?.columns.join('\u0001') === stored.keyColumns.join('\u0001')) return;
  for (const twin of stored.columns.filter((c): c is sql.OracleColumn & { utcOf: string } => 'utcOf' in c)) {
    if (!existing.columns.has(twin.name))
      await dbStep('adding a UTC key column', () => session.execute(sql.addColumnSql(stored, twin, types)));
    await dbStep('filling a UTC key column', () => session.execute(sql.fillUtcTwinSql(stored, twin)));
    await dbStep('committing the UTC key column', () => session.commit());
  }
  if (current !== undefined)
    await dbStep('dropping the old primary key', () => session.execute(sql.dropPrimaryKeySql(stored, current.name)));
  await dbStep('adding the primary key', () => session.execute(sql.addPrimaryKeySql(stored)));
}

/** The staging table, recreated whenever its columns differ from the table's (a crash may leave an old one). */
export async function ensureStaging(session: OracleSession, stored: TableSpec, naming: NamingRules): Promise<void> {
  const stage = stagingTable(stored, naming);
  const columnsOf = async (t: Pick<TableSpec, 'schema' | 'name'>) =>
    JSON.stringify((await session.execute(sql.COLUMNS_SQL, [t.schema ?? null, t.name])).rows ?? []);
  const found = await columnsOf(stage);
  if (found !== '[]' && found === (await columnsOf(stored))) return;
  if (found !== '[]') await dbStep('dropping the staging table', () => session.execute(sql.dropTableSql(stage)));
  await dbStep('creating the staging table', () => session.execute(sql.createStagingSql(stage, stored)));
}
