import type { AlterAction, Assignment, ColumnConstraint, ColumnDef, Statement, TableConstraint } from './ast.js';
import { OracleError } from './oracle-error.js';
import { TokenStream } from './token-stream.js';

/**
 * Parses one statement of the subset the target and the tests issue. Anything else is refused (ORA-00900 with
 * what was expected), so a new statement shape fails loudly instead of being half-modelled. PL/SQL blocks are
 * refused: the target issues none. Syntax follows the SQL Language Reference (CREATE TABLE, ALTER TABLE, MERGE…).
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/SQL-Statements-ADMINISTER-KEY-MANAGEMENT-to-ALTER-JAVA.html
 */
export function parseStatement(sql: string): { statement: Statement; binds: number } {
  const s = new TokenStream(sql);
  const statement = statementOf(s);
  s.accept(';');
  if (s.peek.kind !== 'end') s.fail('end of statement');
  return { statement, binds: s.binds };
}

function statementOf(s: TokenStream): Statement {
  if (s.is('SELECT')) {
    const select = s.select();
    if (s.accept('FOR', 'UPDATE')) select.forUpdate = { nowait: s.accept('NOWAIT') };
    return select;
  }
  if (s.accept('CREATE')) return create(s);
  if (s.accept('ALTER', 'TABLE')) return { kind: 'alterTable', table: s.qname(), actions: alterActions(s) };
  if (s.accept('ALTER', 'SESSION', 'SET')) return alterSession(s);
  if (s.accept('DROP', 'TABLE')) {
    const table = s.qname();
    s.accept('CASCADE', 'CONSTRAINTS');
    s.accept('PURGE');
    return { kind: 'dropTable', table };
  }
  if (s.accept('DROP', 'INDEX')) return { kind: 'dropIndex', name: s.qname() };
  if (s.accept('RENAME')) {
    const from = s.identifier();
    s.expect('TO');
    return { kind: 'renameObject', from, to: s.identifier() };
  }
  if (s.accept('TRUNCATE', 'TABLE')) return { kind: 'truncate', table: s.qname() };
  if (s.accept('COMMENT', 'ON')) return comment(s);
  if (s.accept('LOCK', 'TABLE')) {
    const table = s.qname();
    s.expect('IN');
    const words: string[] = [];
    while (!s.is('MODE')) words.push(s.identifier());
    s.expect('MODE');
    s.accept('NOWAIT');
    return { kind: 'lockTable', table, mode: words.join(' ') };
  }
  if (s.accept('COMMIT')) {
    s.accept('WORK');
    return { kind: 'commit' };
  }
  if (s.accept('ROLLBACK')) {
    s.accept('WORK');
    return { kind: 'rollback' };
  }
  if (s.accept('INSERT', 'INTO')) return insert(s);
  if (s.accept('MERGE', 'INTO')) return merge(s);
  if (s.accept('UPDATE')) {
    const table = s.qname();
    const alias = s.alias(false);
    s.expect('SET');
    const sets = s.list(() => assignment(s));
    return { kind: 'update', table, alias, sets, where: s.accept('WHERE') ? s.expression() : undefined };
  }
  if (s.accept('DELETE')) {
    s.accept('FROM');
    const table = s.qname();
    const alias = s.alias(false);
    return { kind: 'delete', table, alias, where: s.accept('WHERE') ? s.expression() : undefined };
  }
  if (s.is('BEGIN') || s.is('DECLARE'))
    throw new OracleError('ORA-00900', 'PL/SQL blocks are not modelled by the rules session');
  return s.fail('a statement');
}

function create(s: TokenStream): Statement {
  const unique = s.accept('UNIQUE');
  if (s.accept('INDEX')) {
    const name = s.qname();
    s.expect('ON');
    const table = s.qname();
    return { kind: 'createIndex', name, table, unique, exprs: s.parenthesized(() => s.expression()) };
  }
  const global = s.accept('GLOBAL', 'TEMPORARY');
  s.expect('TABLE');
  const table = s.qname();
  const columns: ColumnDef[] = [];
  const constraints: TableConstraint[] = [];
  if (s.accept('(')) {
    do {
      const constraint = tableConstraint(s);
      if (constraint) constraints.push(constraint);
      else columns.push(columnDef(s));
    } while (s.accept(','));
    s.expect(')');
  }
  let temporary: 'delete' | 'preserve' | undefined;
  if (global) {
    temporary = 'delete';
    if (s.accept('ON', 'COMMIT')) {
      if (s.accept('PRESERVE')) temporary = 'preserve';
      else s.expect('DELETE');
      s.expect('ROWS');
    }
  }
  const asSelect = s.accept('AS') ? s.select() : undefined;
  if (columns.length === 0 && !asSelect) s.fail('a column list or AS SELECT');
  return { kind: 'createTable', table, columns, constraints, temporary, asSelect };
}

function constraintName(s: TokenStream): string | undefined {
  return s.accept('CONSTRAINT') ? s.identifier() : undefined;
}

function tableConstraint(s: TokenStream): TableConstraint | undefined {
  const start = s.pos;
  const name = constraintName(s);
  if (s.accept('PRIMARY', 'KEY')) return { kind: 'primaryKey', name, columns: s.parenthesized(() => s.identifier()) };
  if (s.accept('UNIQUE')) return { kind: 'unique', name, columns: s.parenthesized(() => s.identifier()) };
  if (s.accept('CHECK')) {
    const { expr, text } = checkCondition(s);
    return { kind: 'check', name, expr, text };
  }
  if (name !== undefined) s.fail('PRIMARY KEY, UNIQUE or CHECK');
  s.pos = start;
  return undefined;
}

function checkCondition(s: TokenStream): { expr: ReturnType<TokenStream['expression']>; text: string } {
  s.expect('(');
  const from = s.pos;
  const expr = s.expression();
  const text = s.textBetween(from, s.pos);
  s.expect(')');
  return { expr, text };
}

/** Words that start a column clause rather than a data type. */
const COLUMN_CLAUSES = new Set([
  'DEFAULT',
  'CONSTRAINT',
  'CHECK',
  'NOT',
  'NULL',
  'PRIMARY',
  'UNIQUE',
  'GENERATED',
  'AS',
]);

function columnDef(s: TokenStream): ColumnDef {
  const column: ColumnDef = { name: s.identifier(), constraints: [] };
  const t = s.peek;
  if (t.kind === 'word' && !t.quoted && !COLUMN_CLAUSES.has(t.value)) column.type = s.typeSpec();
  if (s.accept('DEFAULT')) column.defaultExpr = s.expression();
  if (s.accept('GENERATED', 'ALWAYS', 'AS') || s.accept('AS')) {
    s.expect('(');
    column.virtual = s.expression();
    s.expect(')');
    s.accept('VIRTUAL');
  }
  for (;;) {
    const name = constraintName(s);
    let constraint: ColumnConstraint | undefined;
    if (s.accept('PRIMARY', 'KEY')) constraint = { kind: 'primaryKey', name };
    else if (s.accept('UNIQUE')) constraint = { kind: 'unique', name };
    else if (s.accept('NOT', 'NULL')) constraint = { kind: 'notNull', name };
    else if (s.accept('NULL')) continue;
    else if (s.accept('CHECK')) constraint = { kind: 'check', name, ...checkCondition(s) };
    if (!constraint) {
      if (name !== undefined) s.fail('a constraint');
      return column;
    }
    column.constraints.push(constraint);
  }
}

function alterActions(s: TokenStream): AlterAction[] {
  const actions: AlterAction[] = [];
  do {
    if (s.accept('ADD')) {
      const constraint = tableConstraint(s);
      if (constraint) actions.push({ kind: 'addConstraint', constraint });
      else if (s.is('(')) actions.push({ kind: 'addColumns', columns: s.parenthesized(() => columnDef(s)) });
      else actions.push({ kind: 'addColumns', columns: [columnDef(s)] });
    } else if (s.accept('MODIFY')) {
      if (s.is('(')) actions.push({ kind: 'modifyColumns', columns: s.parenthesized(() => columnDef(s)) });
      else actions.push({ kind: 'modifyColumns', columns: [columnDef(s)] });
    } else if (s.accept('RENAME', 'COLUMN')) {
      const from = s.identifier();
      s.expect('TO');
      actions.push({ kind: 'renameColumn', from, to: s.identifier() });
    } else if (s.accept('RENAME', 'TO')) {
      actions.push({ kind: 'renameTable', to: s.identifier() });
    } else if (s.accept('DROP', 'COLUMN')) {
      actions.push({ kind: 'dropColumns', columns: [s.identifier()] });
    } else if (s.accept('DROP', 'CONSTRAINT')) {
      actions.push({ kind: 'dropConstraint', name: s.identifier() });
    } else if (s.accept('DROP', 'PRIMARY', 'KEY')) {
      actions.push({ kind: 'dropPrimaryKey' });
    } else if (s.accept('DROP')) {
      actions.push({ kind: 'dropColumns', columns: s.parenthesized(() => s.identifier()) });
    } else {
      s.fail('ADD, MODIFY, RENAME or DROP');
    }
  } while (s.is('ADD') || s.is('MODIFY') || s.is('DROP') || s.is('RENAME'));
  return actions;
}

function alterSession(s: TokenStream): Statement {
  const settings: [string, string][] = [];
  do {
    const name = s.identifier();
    s.expect('=');
    const t = s.next();
    if (t.kind !== 'string' && t.kind !== 'word' && t.kind !== 'number') s.fail('a value');
    settings.push([name, t.value]);
  } while (s.peek.kind === 'word');
  return { kind: 'alterSession', settings };
}

function comment(s: TokenStream): Statement {
  if (s.accept('TABLE')) {
    const table = s.qname();
    s.expect('IS');
    const t = s.next();
    if (t.kind !== 'string') s.fail('a string');
    return { kind: 'comment', table, text: t.value };
  }
  s.expect('COLUMN');
  const parts = [s.identifier()];
  while (s.accept('.')) parts.push(s.identifier());
  if (parts.length < 2 || parts.length > 3) s.fail('table.column');
  s.expect('IS');
  const t = s.next();
  if (t.kind !== 'string') s.fail('a string');
  const column = parts.pop()!;
  const table = parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] };
  return { kind: 'comment', table, column, text: t.value };
}

function assignment(s: TokenStream): Assignment {
  const first = s.identifier();
  const column = s.accept('.') ? { qualifier: first, name: s.identifier() } : { name: first };
  s.expect('=');
  return { column, expr: s.expression() };
}

function insert(s: TokenStream): Statement {
  const table = s.qname();
  s.alias(false);
  const columns = s.is('(') && !s.is('SELECT', 1) ? s.parenthesized(() => s.identifier()) : undefined;
  if (s.accept('VALUES')) return { kind: 'insert', table, columns, values: s.parenthesized(() => s.expression()) };
  return { kind: 'insert', table, columns, select: s.select() };
}

function merge(s: TokenStream): Statement {
  const target = s.qname();
  const targetAlias = s.alias(false);
  s.expect('USING');
  let source: Extract<Statement, { kind: 'merge' }>['source'];
  if (s.accept('(')) {
    const select = s.select();
    s.expect(')');
    source = { kind: 'subquery', select, alias: s.alias(false) };
  } else {
    source = { kind: 'table', name: s.qname(), alias: s.alias(false) };
  }
  s.expect('ON');
  // The ON condition must be parenthesized (SQL Language Reference, MERGE).
  if (!s.is('(')) throw new OracleError('ORA-00969', 'missing ON keyword');
  s.expect('(');
  const on = s.expression();
  s.expect(')');
  const statement: Extract<Statement, { kind: 'merge' }> = { kind: 'merge', target, targetAlias, source, on };
  while (s.accept('WHEN')) {
    if (s.accept('MATCHED', 'THEN', 'UPDATE', 'SET')) {
      const sets = s.list(() => assignment(s));
      statement.update = { sets, where: s.accept('WHERE') ? s.expression() : undefined };
    } else {
      s.expect('NOT', 'MATCHED', 'THEN', 'INSERT');
      const columns = s.is('(') ? s.parenthesized(() => s.identifier()) : undefined;
      s.expect('VALUES');
      const values = s.parenthesized(() => s.expression());
      statement.insert = { columns, values, where: s.accept('WHERE') ? s.expression() : undefined };
    }
  }
  if (!statement.update && !statement.insert) s.fail('WHEN MATCHED or WHEN NOT MATCHED');
  return statement;
}
