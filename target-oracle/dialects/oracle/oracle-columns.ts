import { dbStep } from '../../db-error.js';
import type { TableSpec } from '../../dialect.js';
import type { ExistingType } from '../../evolution.js';
import type { OracleSession } from './oracle-session.js';
import * as sql from './oracle-sql.js';

/** A table as the dictionary describes it: its columns' types (in column order) and its primary key. */
export interface ExistingTable {
  columns: Map<string, ExistingType>;
  primaryKey: { name: string; columns: string[] } | undefined;
}

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

/** Reads a table's columns, boolean checks and primary key; undefined when the table does not exist. */
export async function readTable(
  session: OracleSession,
  table: Pick<TableSpec, 'schema' | 'name'>,
): Promise<ExistingTable | undefined> {
  const where = [table.schema ?? null, table.name];
  const rows = (await dbStep('reading the table definition', () => session.execute(sql.COLUMNS_SQL, where))).rows ?? [];
  if (rows.length === 0) return undefined;
  const checks = (await dbStep('reading the check constraints', () => session.execute(sql.CHECKS_SQL, where))).rows;
  const booleans = new Set(
    (checks ?? [])
      .filter(
        (c) => typeof c.SEARCH_CONDITION === 'string' && sql.isBooleanCheck(c.SEARCH_CONDITION, String(c.COLUMN_NAME)),
      )
      .map((c) => String(c.COLUMN_NAME)),
  );
  const pk = (await dbStep('reading the primary key', () => session.execute(sql.PRIMARY_KEY_SQL, where))).rows ?? [];
  return {
    columns: new Map(rows.map((row) => [String(row.COLUMN_NAME), existingType(row, booleans)])),
    primaryKey:
      pk.length === 0
        ? undefined
        : { name: String(pk[0].CONSTRAINT_NAME), columns: pk.map((r) => String(r.COLUMN_NAME)) },
  };
}
