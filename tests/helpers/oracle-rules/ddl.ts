// Over 250 lines: CREATE/ALTER/DROP/RENAME share the catalog checks (names, keys, constraints on existing rows).
import type { AlterAction, ColumnDef, Expr, Statement, TableConstraint } from './ast.js';
import { Table, type Column, type Constraint } from './catalog.js';
import { storeValue } from './conversions.js';
import type { Database } from './database.js';
import { keysOf, rebuildKeys, validateExistingRows } from './integrity.js';
import type { DbSession } from './db-session.js';
import { evaluate } from './evaluate.js';
import { OracleError } from './oracle-error.js';
import { checkKeyColumnTypes, checkModify, walk } from './rules.js';
import { resolveType } from './types.js';

type Ddl = Extract<
  Statement,
  {
    kind:
      | 'createTable'
      | 'createIndex'
      | 'alterTable'
      | 'dropTable'
      | 'dropIndex'
      | 'renameObject'
      | 'truncate'
      | 'comment';
  }
>;

/**
 * Runs one DDL statement against the catalog. DDL needs the table free of other sessions' open transactions
 * (ORA-00054: Oracle does not wait, DDL_LOCK_TIMEOUT defaults to 0) and of other sessions' temporary-table rows
 * (ORA-14452). "Types of SQL Statements": "an ALTER TABLE statement fails if another user has an open transaction
 * on the specified table".
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/Types-of-SQL-Statements.html
 */
export function runDdl(db: Database, session: DbSession, statement: Ddl): void {
  switch (statement.kind) {
    case 'createTable':
      return createTable(db, session, statement);
    case 'createIndex': {
      const table = db.requireTable(statement.table, session);
      db.transactions.requireFree(table, session);
      const schema = statement.name.schema ?? session.currentSchema;
      if (db.indexes.has(`${schema}.${statement.name.name}`))
        throw new OracleError('ORA-00955', 'name is already used by an existing object');
      const columns = statement.exprs.flatMap((e) => (e.kind === 'column' ? [table.column(e.name)!] : []));
      if (statement.unique) checkKeyColumnTypes(columns.filter((c) => c !== undefined));
      const index = { schema, name: statement.name.name, table, unique: statement.unique, exprs: statement.exprs };
      db.indexes.set(`${schema}.${index.name}`, index);
      if (statement.unique) {
        try {
          rebuildKeys(db, table);
        } catch {
          db.indexes.delete(`${schema}.${index.name}`);
          throw new OracleError('ORA-01452', 'cannot CREATE UNIQUE INDEX; duplicate keys found');
        }
      }
      return;
    }
    case 'alterTable': {
      const table = db.requireTable(statement.table, session);
      db.transactions.requireFree(table, session);
      for (const action of statement.actions) alter(db, session, table, action);
      return;
    }
    case 'dropTable': {
      const table = db.requireTable(statement.table, session);
      db.transactions.requireFree(table, session);
      db.tables.delete(table.key);
      for (const [key, index] of db.indexes) if (index.table === table) db.indexes.delete(key);
      return;
    }
    case 'dropIndex': {
      const key = `${statement.name.schema ?? session.currentSchema}.${statement.name.name}`;
      if (!db.indexes.delete(key)) throw new OracleError('ORA-01418', 'specified index does not exist');
      return;
    }
    case 'renameObject': {
      const table = db.requireTable({ name: statement.from }, session);
      db.transactions.requireFree(table, session);
      db.renameTable(table, statement.to);
      return;
    }
    case 'truncate': {
      const table = db.requireTable(statement.table, session);
      db.transactions.requireFree(table, session);
      table.data.rows.clear();
      table.data.keys.clear();
      return;
    }
    case 'comment': {
      const table = db.requireTable(statement.table, session);
      if (statement.column === undefined) table.comment = statement.text;
      else {
        const column = table.column(statement.column);
        if (!column) throw new OracleError('ORA-00904', `"${statement.column}": invalid identifier`);
        column.comment = statement.text;
      }
      return;
    }
  }
}

function columnOf(db: Database, def: ColumnDef): Column {
  if (!def.type) throw new OracleError('ORA-02263', `need to specify the datatype for this column ("${def.name}")`);
  return { name: def.name, type: resolveType(def.type, db.limits), virtual: def.virtual };
}

function createTable(db: Database, session: DbSession, statement: Extract<Ddl, { kind: 'createTable' }>): void {
  const schema = statement.table.schema ?? session.currentSchema;
  if (!db.users.includes(schema)) throw new OracleError('ORA-01918', `user '${schema}' does not exist`);
  if (db.tables.has(`${schema}.${statement.table.name}`))
    throw new OracleError('ORA-00955', 'name is already used by an existing object');
  const table = new Table(schema, statement.table.name, db.nextObjectId());
  table.temporary = statement.temporary;
  let source: ReturnType<Database['query']> | undefined;
  if (statement.asSelect) {
    source = db.query(session, statement.asSelect);
    source.columns.forEach((name, i) => {
      const type = source!.types[i];
      if (!type) throw new OracleError('ORA-01723', `zero-length columns are not allowed ("${name}")`);
      table.columns.push({ name: statement.columns[i]?.name ?? name, type });
    });
  } else {
    table.columns = statement.columns.map((c) => columnOf(db, c));
  }
  const names = new Set<string>();
  for (const c of table.columns) {
    if (names.has(c.name)) throw new OracleError('ORA-00957', `duplicate column name "${c.name}"`);
    names.add(c.name);
  }
  for (const def of statement.columns)
    for (const k of def.constraints) addConstraint(db, table, columnConstraint(def.name, k));
  for (const k of statement.constraints) addConstraint(db, table, k);
  db.tables.set(table.key, table);
  if (source) {
    const data = table.data;
    for (const values of source.rows) {
      const row = new Map(table.columns.map((c, i) => [c.name, values[i]]));
      data.rows.set(data.nextRowid++, row);
    }
    rebuildKeys(db, table);
  }
}

function columnConstraint(column: string, k: ColumnDef['constraints'][number]): TableConstraint {
  if (k.kind === 'check') return k;
  if (k.kind === 'notNull') {
    const text = `"${column}" IS NOT NULL`;
    return {
      kind: 'check',
      name: k.name,
      expr: { kind: 'isNull', expr: { kind: 'column', name: column }, not: true },
      text,
    };
  }
  return { kind: k.kind, name: k.name, columns: [column] };
}

function addConstraint(db: Database, table: Table, k: TableConstraint): void {
  const name = k.name ?? db.generatedConstraintName();
  if (
    [...db.tables.values(), table].some((t) => t.schema === table.schema && t.constraints.some((c) => c.name === name))
  )
    throw new OracleError('ORA-02264', 'name already used by an existing constraint');
  let constraint: Constraint;
  if (k.kind === 'check') {
    const columns: string[] = [];
    walk(k.expr, (e) => {
      if (e.kind === 'column' && !columns.includes(e.name)) columns.push(e.name);
    });
    for (const c of columns) if (!table.column(c)) throw new OracleError('ORA-00904', `"${c}": invalid identifier`);
    constraint = {
      name,
      kind: 'C',
      columns,
      condition: { expr: k.expr, text: k.text },
      generated: k.name === undefined,
    };
  } else {
    if (k.kind === 'primaryKey' && table.primaryKey)
      throw new OracleError('ORA-02260', 'table can have only one primary key');
    const columns = k.columns.map((c) => {
      const column = table.column(c);
      if (!column) throw new OracleError('ORA-00904', `"${c}": invalid identifier`);
      return column;
    });
    checkKeyColumnTypes(columns);
    constraint = {
      name,
      kind: k.kind === 'primaryKey' ? 'P' : 'U',
      columns: k.columns,
      generated: k.name === undefined,
    };
  }
  table.constraints.push(constraint);
  if (db.tables.get(table.key) !== table) return;
  try {
    validateExistingRows(db, table, constraint);
  } catch (error) {
    table.constraints.pop();
    throw error;
  }
}

function alter(db: Database, session: DbSession, table: Table, action: AlterAction): void {
  const rows = [...table.data.rows.values()];
  switch (action.kind) {
    case 'addColumns':
      for (const def of action.columns) {
        if (table.column(def.name)) throw new OracleError('ORA-01430', 'column being added already exists in table');
        const column = columnOf(db, def);
        if (def.constraints.some((k) => k.kind === 'notNull') && def.defaultExpr === undefined && rows.length > 0)
          throw new OracleError('ORA-01758', 'table must be empty to add mandatory (NOT NULL) column');
        table.columns.push(column);
        const value = def.defaultExpr
          ? storeValue(evaluate(def.defaultExpr, db.constantEnv(session)), column, table.name, db.conversion(session))
          : null;
        for (const row of rows) if (!column.virtual) row.set(column.name, value);
        for (const k of def.constraints) addConstraint(db, table, columnConstraint(def.name, k));
      }
      return;
    case 'addConstraint':
      return addConstraint(db, table, action.constraint);
    case 'modifyColumns':
      for (const def of action.columns) {
        const column = table.column(def.name);
        if (!column) throw new OracleError('ORA-00904', `"${def.name}": invalid identifier`);
        if (def.type) {
          const to = resolveType(def.type, db.limits);
          const values = rows.map((r) => r.get(column.name) ?? null).filter((v) => v !== null);
          checkModify(column.type, to, values.length > 0, () => {
            try {
              values.forEach((v) => storeValue(v, { name: column.name, type: to }, table.name, db.conversion(session)));
              return true;
            } catch {
              return false;
            }
          });
          if (keysOf(table).some((k) => k.columns.includes(column.name)))
            checkKeyColumnTypes([{ name: column.name, type: to }]);
          column.type = to;
          for (const row of rows) {
            const v = row.get(column.name) ?? null;
            row.set(column.name, storeValue(v, column, table.name, db.conversion(session)));
          }
        }
        for (const k of def.constraints) addConstraint(db, table, columnConstraint(def.name, k));
      }
      return;
    case 'renameColumn': {
      const column = table.column(action.from);
      if (!column) throw new OracleError('ORA-00904', `"${action.from}": invalid identifier`);
      if (table.column(action.to)) throw new OracleError('ORA-00957', 'duplicate column name');
      column.name = action.to;
      for (const row of rows) {
        row.set(action.to, row.get(action.from) ?? null);
        row.delete(action.from);
      }
      for (const k of table.constraints) {
        k.columns = k.columns.map((c) => (c === action.from ? action.to : c));
        if (k.condition) {
          renameIn(k.condition.expr, action.from, action.to);
          k.condition.text = k.condition.text.split(`"${action.from}"`).join(`"${action.to}"`);
        }
      }
      for (const index of db.indexes.values())
        if (index.table === table) index.exprs.forEach((e) => renameIn(e, action.from, action.to));
      return;
    }
    case 'renameTable':
      return db.renameTable(table, action.to);
    case 'dropColumns':
      for (const name of action.columns) {
        if (!table.column(name)) throw new OracleError('ORA-00904', `"${name}": invalid identifier`);
        if (table.columns.length === 1) throw new OracleError('ORA-12983', 'cannot drop all columns in a table');
        const multi = table.constraints.find((k) => k.columns.includes(name) && k.columns.length > 1);
        if (multi) throw new OracleError('ORA-12991', 'column is referenced in a multi-column constraint');
        table.constraints = table.constraints.filter((k) => !k.columns.includes(name));
        table.columns = table.columns.filter((c) => c.name !== name);
        for (const row of rows) row.delete(name);
      }
      rebuildKeys(db, table);
      return;
    case 'dropConstraint': {
      const before = table.constraints.length;
      table.constraints = table.constraints.filter((k) => k.name !== action.name);
      if (table.constraints.length === before)
        throw new OracleError('ORA-02443', 'Cannot drop constraint - nonexistent constraint');
      rebuildKeys(db, table);
      return;
    }
    case 'dropPrimaryKey':
      if (!table.primaryKey) throw new OracleError('ORA-02441', 'Cannot drop nonexistent primary key');
      table.constraints = table.constraints.filter((k) => k.kind !== 'P');
      rebuildKeys(db, table);
      return;
  }
}

function renameIn(expr: Expr, from: string, to: string): void {
  walk(expr, (e) => {
    if (e.kind === 'column' && e.name === from) e.name = to;
  });
}
