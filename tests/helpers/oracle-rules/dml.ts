// Over 250 lines: the four DML statements share row conversion, constraint checks and the undo log.
import type { Expr, Statement } from './ast.js';
import { ChangeLog, keyText, type Row, type Table, type TableData } from './catalog.js';
import { storeValue } from './conversions.js';
import type { Database } from './database.js';
import { checkRow, uniqueKeys, withVirtual } from './integrity.js';
import type { DbSession } from './db-session.js';
import { evaluate, isTrue } from './evaluate.js';
import { OracleError } from './oracle-error.js';
import { scopeOf, type Source } from './query.js';
import { checkMergeUpdateColumns, unstableMergeSource } from './rules.js';
import type { OraValue } from './types.js';

type Dml = Extract<Statement, { kind: 'insert' | 'update' | 'delete' | 'merge' }>;

/**
 * INSERT, UPDATE, DELETE and MERGE on a session's working copy of a table (taking the table's transaction lock
 * first). A failing statement is undone whole (statement-level rollback); the transaction stays open.
 * Returns the rows affected.
 */
export async function runDml(db: Database, session: DbSession, statement: Dml): Promise<number> {
  const table = db.requireTable(statement.kind === 'merge' ? statement.target : statement.table, session);
  const data = await db.transactions.writable(table, session);
  const log = new ChangeLog();
  try {
    switch (statement.kind) {
      case 'insert':
        return insert(db, session, table, data, log, statement);
      case 'update':
        return update(db, session, table, data, log, statement);
      case 'delete':
        return remove(db, session, table, data, log, statement);
      case 'merge':
        return merge(db, session, table, data, log, statement);
    }
  } catch (error) {
    log.undo();
    throw error;
  }
}

function sourceOf(table: Table, alias: string, rows: Row[]): Source {
  return { alias, columns: table.columns.map((c) => c.name), types: table.columns.map((c) => c.type), rows, table };
}

function duplicate(table: Table): (k: { name: string }) => never {
  return (k) => {
    throw new OracleError('ORA-00001', `unique constraint (${table.schema}.${k.name}) violated`);
  };
}

/** A new or changed row: every column converted to its type, then NOT NULL / CHECK constraints. */
function finishRow(db: Database, session: DbSession, table: Table, values: Map<string, OraValue>): Row {
  const row: Row = new Map();
  for (const c of table.columns) {
    if (c.virtual) continue;
    row.set(
      c.name,
      storeValue(values.get(c.name) ?? null, c, `"${table.schema}"."${table.name}"`, db.conversion(session)),
    );
  }
  checkRow(db, table, row, session);
  return row;
}

function insertColumns(table: Table, columns: string[] | undefined): string[] {
  const names = columns ?? table.columns.filter((c) => !c.virtual).map((c) => c.name);
  for (const name of names) {
    const column = table.column(name);
    if (!column) throw new OracleError('ORA-00904', `"${name}": invalid identifier`);
    if (column.virtual) throw new OracleError('ORA-54013', 'INSERT operation disallowed on virtual columns');
  }
  return names;
}

function insert(
  db: Database,
  session: DbSession,
  table: Table,
  data: TableData,
  log: ChangeLog,
  s: Extract<Dml, { kind: 'insert' }>,
): number {
  const columns = insertColumns(table, s.columns);
  let rows: OraValue[][];
  if (s.values) {
    if (s.values.length < columns.length) throw new OracleError('ORA-00947', 'not enough values');
    if (s.values.length > columns.length) throw new OracleError('ORA-00913', 'too many values');
    const env = db.env(session, scopeOf([], new Map()));
    rows = [s.values.map((e) => evaluate(e, env))];
  } else {
    const result = db.query(session, s.select!);
    if (result.columns.length !== columns.length)
      throw new OracleError(
        result.columns.length < columns.length ? 'ORA-00947' : 'ORA-00913',
        'wrong number of values',
      );
    rows = result.rows;
  }
  const keys = uniqueKeys(db, table, session);
  for (const values of rows) {
    const row = finishRow(db, session, table, new Map(columns.map((c, i) => [c, values[i]])));
    log.insert(data, row, keys, duplicate(table));
  }
  return rows.length;
}

function matching(
  db: Database,
  session: DbSession,
  table: Table,
  data: TableData,
  alias: string | undefined,
  where: Expr | undefined,
): [number, Row][] {
  const source = sourceOf(table, alias ?? table.name, []);
  return [...data.rows].filter(([, row]) => {
    if (!where) return true;
    return isTrue(
      evaluate(
        where,
        db.env(session, scopeOf([source], new Map([[source.alias, withVirtual(db, table, row, session)]]))),
      ),
    );
  });
}

function update(
  db: Database,
  session: DbSession,
  table: Table,
  data: TableData,
  log: ChangeLog,
  s: Extract<Dml, { kind: 'update' }>,
): number {
  const alias = s.alias ?? table.name;
  const keys = uniqueKeys(db, table, session);
  const hits = matching(db, session, table, data, alias, s.where);
  for (const [rowid, row] of hits) {
    const scope = scopeOf([sourceOf(table, alias, [])], new Map([[alias, withVirtual(db, table, row, session)]]));
    const values = new Map(row);
    for (const set of s.sets) {
      const column = table.column(set.column.name);
      if (!column) throw new OracleError('ORA-00904', `"${set.column.name}": invalid identifier`);
      if (column.virtual) throw new OracleError('ORA-54017', 'UPDATE operation disallowed on virtual columns');
      values.set(column.name, evaluate(set.expr, db.env(session, scope)));
    }
    log.replace(data, rowid, finishRow(db, session, table, values), keys, duplicate(table));
  }
  return hits.length;
}

function remove(
  db: Database,
  session: DbSession,
  table: Table,
  data: TableData,
  log: ChangeLog,
  s: Extract<Dml, { kind: 'delete' }>,
): number {
  const keys = uniqueKeys(db, table, session);
  const hits = matching(db, session, table, data, s.alias, s.where);
  for (const [rowid] of hits) log.remove(data, rowid, keys);
  return hits.length;
}

/** `tgt.a = src.b AND …`: the column pairs a hash join can use, or undefined for any other ON condition. */
function equiJoin(on: Expr, target: string, source: string): [string, string][] | undefined {
  const terms: Expr[] = [];
  const flatten = (e: Expr): void => {
    if (e.kind === 'binary' && e.op === 'AND') {
      flatten(e.left);
      flatten(e.right);
    } else terms.push(e);
  };
  flatten(on);
  const pairs: [string, string][] = [];
  for (const t of terms) {
    if (t.kind !== 'binary' || t.op !== '=' || t.left.kind !== 'column' || t.right.kind !== 'column') return undefined;
    const [l, r] = [t.left, t.right];
    if (l.qualifier === target && r.qualifier === source) pairs.push([l.name, r.name]);
    else if (l.qualifier === source && r.qualifier === target) pairs.push([r.name, l.name]);
    else return undefined;
  }
  return pairs;
}

function merge(
  db: Database,
  session: DbSession,
  table: Table,
  data: TableData,
  log: ChangeLog,
  s: Extract<Dml, { kind: 'merge' }>,
): number {
  const targetAlias = s.targetAlias ?? table.name;
  checkMergeUpdateColumns(s, targetAlias);
  const sourceAlias = s.source.alias ?? (s.source.kind === 'table' ? s.source.name.name : '$source');
  let source: Source;
  if (s.source.kind === 'subquery') {
    const result = db.query(session, s.source.select);
    source = {
      alias: sourceAlias,
      columns: result.columns,
      types: result.types,
      rows: result.rows.map((values) => new Map(result.columns.map((c, i) => [c, values[i]]))),
    };
  } else {
    const sourceTable = db.requireTable(s.source.name, session);
    source = sourceOf(
      sourceTable,
      sourceAlias,
      [...db.transactions.readable(sourceTable, session).rows.values()].map((r) =>
        withVirtual(db, sourceTable, r, session),
      ),
    );
  }
  const target = sourceOf(table, targetAlias, []);
  const keys = uniqueKeys(db, table, session);
  // Rows as they were when the statement began: rows this MERGE inserts are never matched by later source rows.
  const existing = [...data.rows];
  const pairs = equiJoin(s.on, targetAlias, sourceAlias);
  let index: Map<string, number[]> | undefined;
  const keyOf = (values: OraValue[]) => {
    const parts = values.map(keyText);
    return parts.some((p) => p === undefined) ? undefined : parts.join('\u0001');
  };
  if (pairs) {
    index = new Map();
    for (const [rowid, row] of existing) {
      const key = keyOf(pairs.map(([t]) => row.get(t) ?? null));
      if (key !== undefined) index.set(key, [...(index.get(key) ?? []), rowid]);
    }
  }
  const updated = new Set<number>();
  let affected = 0;
  for (const srcRow of source.rows) {
    let hits: number[];
    if (index && pairs) {
      const key = keyOf(
        pairs.map(([t, src]) =>
          storeValue(srcRow.get(src) ?? null, table.column(t)!, table.name, db.conversion(session)),
        ),
      );
      hits = key === undefined ? [] : (index.get(key) ?? []);
    } else {
      hits = existing
        .filter(([, row]) =>
          isTrue(
            evaluate(
              s.on,
              db.env(
                session,
                scopeOf(
                  [target, source],
                  new Map([
                    [targetAlias, withVirtual(db, table, row, session)],
                    [sourceAlias, srcRow],
                  ]),
                ),
              ),
            ),
          ),
        )
        .map(([rowid]) => rowid);
    }
    if (hits.length > 0) {
      if (!s.update) continue;
      for (const rowid of hits) {
        const row = data.rows.get(rowid)!;
        const scope = scopeOf(
          [target, source],
          new Map([
            [targetAlias, withVirtual(db, table, row, session)],
            [sourceAlias, srcRow],
          ]),
        );
        if (s.update.where && !isTrue(evaluate(s.update.where, db.env(session, scope)))) continue;
        if (updated.has(rowid)) unstableMergeSource();
        updated.add(rowid);
        const values = new Map(row);
        for (const set of s.update.sets) {
          const column = table.column(set.column.name);
          if (!column) throw new OracleError('ORA-00904', `"${set.column.name}": invalid identifier`);
          values.set(column.name, evaluate(set.expr, db.env(session, scope)));
        }
        log.replace(data, rowid, finishRow(db, session, table, values), keys, duplicate(table));
        affected += 1;
      }
    } else if (s.insert) {
      const scope = scopeOf([source], new Map([[sourceAlias, srcRow]]));
      if (s.insert.where && !isTrue(evaluate(s.insert.where, db.env(session, scope)))) continue;
      const columns = insertColumns(table, s.insert.columns);
      if (s.insert.values.length !== columns.length) throw new OracleError('ORA-00947', 'not enough values');
      const values = new Map(columns.map((c, i) => [c, evaluate(s.insert!.values[i], db.env(session, scope))]));
      log.insert(data, finishRow(db, session, table, values), keys, duplicate(table));
      affected += 1;
    }
  }
  return affected;
}
