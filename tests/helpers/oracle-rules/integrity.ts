import type { Expr } from './ast.js';
import { keyText, type Constraint, type Row, type Table, type UniqueKey } from './catalog.js';
import type { Database } from './database.js';
import type { DbSession } from './db-session.js';
import { evaluate, isTrue } from './evaluate.js';
import { OracleError } from './oracle-error.js';
import type { OraValue } from './types.js';

/**
 * Integrity as Oracle enforces it: PRIMARY KEY and UNIQUE (ORA-00001; an all-NULL key is not indexed), NOT NULL of
 * key columns (ORA-01400), CHECK (ORA-02290; NULL passes), and the validation of a constraint added to a table
 * that has rows (ORA-02437, ORA-02299, ORA-01449, ORA-02293).
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/constraint.html
 */

function joinKey(values: OraValue[]): string | undefined {
  const parts = values.map(keyText);
  if (parts.every((p) => p === undefined)) return undefined;
  return parts.map((p) => p ?? '\u0000').join('\u0001');
}

export function keysOf(table: Table): Constraint[] {
  return table.constraints.filter((c) => c.kind === 'P' || c.kind === 'U');
}

/** Unique keys of a table: its PRIMARY KEY / UNIQUE constraints and unique (function-based) indexes. */
export function uniqueKeys(db: Database, table: Table, session: DbSession): UniqueKey[] {
  const keys: UniqueKey[] = keysOf(table).map((c) => ({
    name: c.name,
    isPrimary: c.kind === 'P',
    key: (row: Row) => joinKey(c.columns.map((name) => row.get(name) ?? null)),
  }));
  for (const index of db.indexes.values()) {
    if (index.table !== table || !index.unique) continue;
    keys.push({
      name: index.name,
      isPrimary: false,
      key: (row: Row) => joinKey(index.exprs.map((e) => evaluate(e, db.rowEnv(session, table, row)))),
    });
  }
  return keys;
}

/** Recomputes the committed data's key maps (after DDL changed keys); throws ORA-00001 on duplicates. */
export function rebuildKeys(db: Database, table: Table): void {
  const keys = uniqueKeys(db, table, db.system);
  const data = table.data;
  data.keys.clear();
  for (const [rowid, row] of data.rows) {
    for (const k of keys) {
      const key = k.key(row);
      if (key === undefined) continue;
      let map = data.keys.get(k.name);
      if (!map) data.keys.set(k.name, (map = new Map()));
      if (map.has(key)) throw new OracleError('ORA-00001', `unique constraint (${table.schema}.${k.name}) violated`);
      map.set(key, rowid);
    }
  }
}

/** A new constraint must hold for the rows already there (ORA-02437, ORA-02299, ORA-01449, ORA-02293). */
export function validateExistingRows(db: Database, table: Table, constraint: Constraint): void {
  const rows = [...table.data.rows.values()];
  const name = `${table.schema}.${constraint.name}`;
  if (constraint.kind === 'C') {
    if (rows.some((r) => !holds(db, db.system, table, constraint.condition!.expr, r)))
      throw new OracleError('ORA-02293', `cannot validate (${name}) - check constraint violated`);
    return;
  }
  if (constraint.kind === 'P' && rows.some((r) => constraint.columns.some((c) => (r.get(c) ?? null) === null)))
    throw new OracleError('ORA-01449', 'column contains NULL values; cannot alter to NOT NULL');
  try {
    rebuildKeys(db, table);
  } catch {
    throw new OracleError(
      constraint.kind === 'P' ? 'ORA-02437' : 'ORA-02299',
      `cannot validate (${name}) - ${constraint.kind === 'P' ? 'primary key violated' : 'duplicate keys found'}`,
    );
  }
}

function holds(db: Database, session: DbSession, table: Table, condition: Expr, row: Row): boolean {
  const value = evaluate(condition, db.rowEnv(session, table, row));
  return value === null || isTrue(value);
}

/** A row about to be stored: primary-key columns NOT NULL (ORA-01400), CHECK constraints (ORA-02290). */
export function checkRow(db: Database, table: Table, row: Row, session: DbSession): void {
  for (const k of table.constraints) {
    if (k.kind === 'P')
      for (const c of k.columns)
        if ((row.get(c) ?? null) === null)
          throw new OracleError('ORA-01400', `cannot insert NULL into ("${table.schema}"."${table.name}"."${c}")`);
    if (k.kind === 'C' && !holds(db, session, table, k.condition!.expr, row))
      throw new OracleError('ORA-02290', `check constraint (${table.schema}.${k.name}) violated`);
  }
}

/** The row with its virtual columns computed. */
export function withVirtual(db: Database, table: Table, row: Row, session: DbSession): Row {
  const virtual = table.columns.filter((c) => c.virtual);
  if (virtual.length === 0) return row;
  const full = new Map(row);
  for (const c of virtual) full.set(c.name, evaluate(c.virtual!, db.rowEnv(session, table, row)));
  return full;
}
