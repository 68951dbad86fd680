import { dbStep } from '../../db-error.js';
import type { LoadStats, TableSpec } from '../../dialect.js';
import type { SizedChunk } from './oracle-chunks.js';
import type { BindDef, BindValue, OracleSession } from './oracle-session.js';
import * as sql from './oracle-sql.js';

/** Keys per existence pre-count query (the split of merged rows into inserted and updated). */
const COUNT_KEYS_PER_QUERY = 500;

type MergeCounts = Pick<LoadStats, 'inserted' | 'updated'>;

/**
 * The upsert through the session's global temporary table: rows in with STRING binds (CLOBs included), then one
 * set-based MERGE. The stage holds this batch only (deduplicated by key: no ORA-30926) and empties at COMMIT.
 */
export async function mergeThroughStage(
  session: OracleSession,
  table: TableSpec,
  stage: Pick<TableSpec, 'schema' | 'name'>,
  parts: SizedChunk[],
  merge: { types: sql.OracleTypeOptions; history: boolean },
): Promise<MergeCounts> {
  const { types, history } = merge;
  const insert = sql.insertSql(sql.tableName(stage), table, types);
  for (const [c, part] of parts.entries()) {
    await dbStep(`staging chunk ${c + 1}/${parts.length}`, () =>
      session.executeMany(insert, part.rows, { bindDefs: part.bindDefs }),
    );
  }
  const existing = await dbStep('counting existing keys', () =>
    session.execute(sql.countStagedExistingSql(stage, table)),
  );
  const matched = Number(existing.rows?.[0]?.N ?? 0);
  const merged = await dbStep('MERGE from the staging table', () =>
    session.execute(sql.mergeFromSql(table, sql.tableName(stage), history)),
  );
  const updated = history ? 0 : matched;
  return { inserted: (merged.rowsAffected ?? 0) - updated, updated };
}

/**
 * The row-wise upsert: a MERGE per row through executeMany, chunk by chunk; the keys each chunk finds already in the
 * table are counted first, so the MERGE's row counts split into inserted and updated.
 */
export async function mergeRowwise(
  session: OracleSession,
  table: TableSpec,
  binds: BindValue[][],
  merge: { bindDefs: BindDef[]; chunk: number; types: sql.OracleTypeOptions; history: boolean },
): Promise<MergeCounts> {
  const { bindDefs, chunk, types, history } = merge;
  const mergeSql = sql.mergeSql(table, types, history);
  const keyIndexes = table.keyColumns.map((k) => table.columns.findIndex((c) => c.name === k));
  const chunks = Math.ceil(binds.length / chunk);
  const counts: MergeCounts = { inserted: 0, updated: 0 };
  for (let c = 0; c < chunks; c += 1) {
    const part = binds.slice(c * chunk, (c + 1) * chunk);
    const step = `chunk ${c + 1}/${chunks}`;
    const matched = history ? 0 : await countExisting(session, table, part, keyIndexes, types, step);
    const result = await dbStep(step, () => session.executeMany(mergeSql, part, { bindDefs, dmlRowCounts: true }));
    // dmlRowCounts: 1 per merged row (inserted or updated), 0 for a history duplicate that was ignored.
    const affected = sum(result.dmlRowCounts) ?? result.rowsAffected ?? 0;
    counts.updated += matched;
    counts.inserted += affected - matched;
  }
  return counts;
}

/** Keys of this chunk already in the table: the MERGE updates exactly these rows (keys are unique in a batch). */
async function countExisting(
  session: OracleSession,
  table: TableSpec,
  part: BindValue[][],
  keyIndexes: number[],
  types: sql.OracleTypeOptions,
  step: string,
): Promise<number> {
  let matched = 0;
  for (let start = 0; start < part.length; start += COUNT_KEYS_PER_QUERY) {
    const group = part.slice(start, start + COUNT_KEYS_PER_QUERY);
    const binds = group.flatMap((row) => keyIndexes.map((i) => row[i]));
    const result = await dbStep(`${step} (existing keys)`, () =>
      session.execute(sql.countExistingSql(table, group.length, types), binds),
    );
    matched += Number(result.rows?.[0]?.N ?? 0);
  }
  return matched;
}

export function sum(values: number[] | undefined): number | undefined {
  return values === undefined ? undefined : values.reduce((a, b) => a + b, 0);
}
