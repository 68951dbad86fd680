import type { Expr, Statement } from './ast.js';
import type { Column } from './catalog.js';
import type { DbSession } from './db-session.js';
import type { Token } from './lexer.js';
import { OracleError, RuleViolation } from './oracle-error.js';
import { isCharacter, isLob, type ColumnType } from './types.js';

/**
 * Oracle's documented restrictions that the rules session enforces on every statement and bind, one function per
 * rule, each with the documentation it encodes. (Type limits, ORA-00910 and ORA-12899, live in types.ts and
 * conversions.ts; ORA-30926 in merge.ts; the driver-side bind rules, NJS-058 and temporary-LOB round trips, in
 * rules-connection.ts.) Each has a test proving it rejects a violating statement (tests/unit/oracle-rules).
 */

/**
 * Identifiers are at most 128 bytes, or 30 bytes when the database runs with COMPATIBLE below 12.2 (node-oracledb
 * exposes the limit as `connection.maxIdentifierLength`): ORA-00972. Every quoted or plain identifier counts.
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/Database-Object-Names-and-Qualifiers.html
 * https://node-oracledb.readthedocs.io/en/latest/api_manual/connection.html#Connection.maxIdentifierLength
 */
export function checkIdentifierLengths(tokens: readonly Token[], maxBytes: number): void {
  for (const t of tokens) {
    if (t.kind === 'word' && Buffer.byteLength(t.value, 'utf8') > maxBytes)
      throw new OracleError('ORA-00972', `identifier is too long: "${t.value}" exceeds ${maxBytes} bytes`);
  }
}

/**
 * No column of a PRIMARY KEY or UNIQUE constraint may be TIMESTAMP WITH TIME ZONE, a LOB, LONG or JSON
 * (ORA-02329; TIMESTAMP WITH LOCAL TIME ZONE is allowed): "Restrictions on Unique Constraints" / "Restrictions on
 * Primary Key Constraints".
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/constraint.html
 * https://docs.oracle.com/error-help/db/ora-02329
 */
export function checkKeyColumnTypes(columns: readonly Column[]): void {
  for (const c of columns) {
    const t = c.type.base;
    if (t === 'TIMESTAMP WITH TIME ZONE' || isLob(c.type) || t === 'LONG' || t === 'JSON')
      throw new OracleError('ORA-02329', `column of datatype ${t} cannot be unique or a primary key ("${c.name}")`);
  }
}

/**
 * ALTER TABLE … MODIFY keeps a column's data only within what Oracle allows: never to or from a LOB (ORA-22858 /
 * ORA-22859: a VARCHAR2 cannot become a CLOB in place: add a CLOB, copy, drop, rename), a different type family
 * only on an empty column (ORA-01439), a shorter length or smaller precision/scale only when every value still fits
 * (ORA-01441 / ORA-01440). "Restrictions on Modifying Column Properties".
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/ALTER-TABLE.html
 */
export function checkModify(from: ColumnType, to: ColumnType, hasValues: boolean, fits: () => boolean): void {
  if (isLob(from) !== isLob(to) || (isLob(from) && from.base !== to.base))
    throw new OracleError(isLob(from) ? 'ORA-22859' : 'ORA-22858', 'invalid alteration of datatype');
  const family = (t: ColumnType) =>
    isCharacter(t)
      ? 'char'
      : t.base === 'NUMBER' || t.base === 'FLOAT'
        ? 'number'
        : t.base.startsWith('TIMESTAMP') || t.base === 'DATE'
          ? 'datetime'
          : t.base;
  const keepsData =
    family(from) === family(to) &&
    (family(from) !== 'datetime' || from.base === to.base || (from.base === 'DATE' && to.base === 'TIMESTAMP'));
  if (!keepsData) {
    if (hasValues) throw new OracleError('ORA-01439', 'column to be modified must be empty to change datatype');
    return;
  }
  if (!hasValues || fits()) return;
  if (isCharacter(from))
    throw new OracleError('ORA-01441', 'cannot decrease column length because some value is too big');
  throw new OracleError('ORA-01440', 'column to be modified must be empty to decrease precision or scale');
}

/**
 * Oracle commits implicitly before (and after) every DDL statement, so DDL issued while the transaction holds
 * uncommitted DML silently commits half a batch: the flush could then no longer roll back, and a STATE could be
 * released for rows never loaded. The rules session refuses it (Oracle itself would accept it).
 * https://docs.oracle.com/en/database/oracle/oracle-database/19/tdddg/committing-transactions.html
 */
export function checkNoPendingDml(session: DbSession, ddl: string): void {
  if (session.pendingDml !== undefined)
    throw new RuleViolation(
      'DDL-COMMITS-DML',
      `DDL would implicitly commit the open transaction's DML (first: ${session.pendingDml.slice(0, 80)}): ${ddl.slice(0, 80)}`,
    );
}

/**
 * node-oracledb Thin sends no NLS settings (it ignores NLS_* environment variables; a string `sessionCallback`
 * names a PL/SQL procedure that Thin never calls), so text ↔ NUMBER and datetime conversions would follow the
 * database's defaults: on a territory whose decimal separator is ',' every TO_NUMBER('12.5') fails (ORA-01722).
 * The rules session refuses any such conversion before the session has pinned the parameter with ALTER SESSION.
 * https://node-oracledb.readthedocs.io/en/latest/user_guide/globalization.html
 * https://node-oracledb.readthedocs.io/en/latest/user_guide/connection_handling.html#sessionfixupnode
 */
export function requireSessionNls(session: DbSession, strict: boolean, parameter: string, what: string): void {
  if (strict && !session.nls.set.has(parameter))
    throw new RuleViolation('NLS-NOT-SET', `${what} before ALTER SESSION SET ${parameter} in this session`);
}

/**
 * A MERGE cannot update a column referenced in its ON condition (ORA-38104): "Restrictions on the
 * merge_update_clause".
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/MERGE.html
 */
export function checkMergeUpdateColumns(statement: Extract<Statement, { kind: 'merge' }>, targetAlias: string): void {
  const onColumns = new Set<string>();
  collectColumns(statement.on, (qualifier, name) => {
    if (qualifier === undefined || qualifier === targetAlias) onColumns.add(name);
  });
  for (const set of statement.update?.sets ?? []) {
    if (onColumns.has(set.column.name))
      throw new OracleError(
        'ORA-38104',
        `Columns referenced in the ON Clause cannot be updated: "${targetAlias}"."${set.column.name}"`,
      );
  }
}

/**
 * A MERGE is deterministic: it cannot update the same target row twice (ORA-30926, "unable to get a stable set of
 * rows in the source tables"), which is what duplicate keys in a set-based MERGE's source do.
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/MERGE.html
 * https://docs.oracle.com/error-help/db/ora-30926
 */
export function unstableMergeSource(): never {
  throw new OracleError('ORA-30926', 'unable to get a stable set of rows in the source tables');
}

/**
 * Thin sends a STRING bind whose maxSize exceeds the server's maximum string size (4000 bytes under
 * MAX_STRING_SIZE = STANDARD, 32767 under EXTENDED) as a LONG, and SQL accepts a LONG bind only as the value
 * inserted into (or set in) a LONG or LOB column: anywhere else, e.g. `SELECT :1 … FROM dual` in a MERGE source
 * or `TO_NUMBER(:1)`, it fails with ORA-01461. Size string binds by the column, in bytes.
 * https://node-oracledb.readthedocs.io/en/latest/api_manual/connection.html#executebindparammaxsize
 * https://docs.oracle.com/error-help/db/ora-01461
 */
export function checkLongBinds(
  statement: Statement,
  isLong: (position: number, name: string) => boolean,
  columnType: (column: string) => ColumnType | undefined,
): void {
  const allowed = new Set<Expr>();
  const direct = (expr: Expr, column: string) => {
    const type = columnType(column);
    if (expr.kind === 'bind' && type && (isLob(type) || type.base === 'LONG')) allowed.add(expr);
  };
  if (statement.kind === 'insert' && statement.values)
    statement.values.forEach((e, i) => {
      const column = statement.columns?.[i];
      if (column) direct(e, column);
    });
  if (statement.kind === 'update') for (const set of statement.sets) direct(set.expr, set.column.name);
  forEachBind(statement, (bind) => {
    if (!allowed.has(bind) && isLong(bind.position, bind.name))
      throw new OracleError(
        'ORA-01461',
        `can bind a LONG value only for insert into a LONG column (bind :${bind.name})`,
      );
  });
}

function collectColumns(expr: Expr | undefined, visit: (qualifier: string | undefined, name: string) => void): void {
  walk(expr, (e) => {
    if (e.kind === 'column') visit(e.qualifier, e.name);
  });
}

function forEachBind(statement: Statement, visit: (bind: Extract<Expr, { kind: 'bind' }>) => void): void {
  const seen = (e: Expr) => {
    if (e.kind === 'bind') visit(e);
  };
  const exprs: (Expr | undefined)[] = [];
  switch (statement.kind) {
    case 'insert':
      exprs.push(...(statement.values ?? []));
      if (statement.select) exprs.push({ kind: 'subquery', select: statement.select });
      break;
    case 'update':
      exprs.push(...statement.sets.map((s) => s.expr), statement.where);
      break;
    case 'delete':
      exprs.push(statement.where);
      break;
    case 'merge':
      if (statement.source.kind === 'subquery') exprs.push({ kind: 'subquery', select: statement.source.select });
      exprs.push(statement.on, ...(statement.update?.sets.map((s) => s.expr) ?? []), statement.update?.where);
      exprs.push(...(statement.insert?.values ?? []), statement.insert?.where);
      break;
    case 'select':
      exprs.push({ kind: 'subquery', select: statement });
      break;
    default:
      return;
  }
  for (const e of exprs) walk(e, seen);
}

/** Visits every expression node, descending into subqueries. */
export function walk(expr: Expr | undefined, visit: (e: Expr) => void): void {
  if (!expr) return;
  visit(expr);
  switch (expr.kind) {
    case 'call':
      expr.args.forEach((a) => walk(a, visit));
      break;
    case 'cast':
    case 'not':
    case 'neg':
    case 'isNull':
    case 'isJson':
      walk(expr.expr, visit);
      break;
    case 'binary':
      walk(expr.left, visit);
      walk(expr.right, visit);
      break;
    case 'in':
      walk(expr.expr, visit);
      expr.list.forEach((a) => walk(a, visit));
      break;
    case 'like':
      walk(expr.expr, visit);
      walk(expr.pattern, visit);
      break;
    case 'exists':
    case 'subquery': {
      for (let s: typeof expr.select | undefined = expr.select; s; s = s.unionAll) {
        s.items.forEach((i) => walk(i.expr, visit));
        walk(s.where, visit);
        s.orderBy.forEach((o) => walk(o.expr, visit));
        const fromItems = [...s.from];
        while (fromItems.length > 0) {
          const f = fromItems.pop()!;
          if (f.kind === 'subquery') walk({ kind: 'subquery', select: f.select }, visit);
          if (f.kind === 'join') {
            fromItems.push(f.left, f.right);
            walk(f.on, visit);
          }
        }
      }
      break;
    }
    default:
      break;
  }
}
