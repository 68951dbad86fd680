// Over 250 lines: the expression grammar and the query grammar recurse into each other (subqueries).
import type { Expr, QName, Select, TypeSpec } from './ast.js';
import { tokenize, type Token } from './lexer.js';
import { OracleError } from './oracle-error.js';

/** Words that end an expression or a FROM item instead of being read as an alias. */
const RESERVED = new Set(
  (
    'SELECT FROM WHERE AND OR NOT ON USING WHEN THEN SET VALUES INTO ORDER BY GROUP HAVING UNION ALL JOIN LEFT INNER ' +
    'OUTER IS NULL IN LIKE AS FETCH MERGE UPDATE DELETE INSERT EXISTS CHECK CONSTRAINT PRIMARY UNIQUE DEFAULT ' +
    'GENERATED WITH TABLE ESCAPE ASC DESC NOWAIT MATCHED BETWEEN CASE END ELSE'
  ).split(' '),
);

/**
 * A cursor over the tokens of one statement, plus the expression grammar shared by every statement (Oracle's
 * precedence: OR < AND < NOT < comparison < ||,+,- < *,/ < unary). Bind placeholders get positions in text order:
 * in SQL (unlike PL/SQL) a repeated placeholder is a separate positional slot.
 * https://node-oracledb.readthedocs.io/en/latest/user_guide/bind.html#binding-by-name-or-position
 */
export class TokenStream {
  readonly sql: string;
  readonly tokens: Token[];
  pos = 0;
  binds = 0;

  constructor(sql: string) {
    this.sql = sql;
    this.tokens = tokenize(sql);
  }

  get peek(): Token {
    return this.tokens[this.pos];
  }

  peekAt(offset: number): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'end') this.pos += 1;
    return t;
  }

  fail(expected: string): never {
    const t = this.peek;
    throw new OracleError(
      'ORA-00900',
      `invalid SQL statement: expected ${expected} at offset ${t.at}, found ${t.kind === 'end' ? 'end' : `'${t.value}'`}`,
    );
  }

  /** Is the next token this keyword (unquoted word) or operator? */
  is(value: string, offset = 0): boolean {
    const t = this.peekAt(offset);
    return (t.kind === 'word' && !t.quoted && t.value === value) || (t.kind === 'op' && t.value === value);
  }

  accept(...values: string[]): boolean {
    if (!values.every((v, i) => this.is(v, i))) return false;
    this.pos += values.length;
    return true;
  }

  expect(...values: string[]): void {
    if (!this.accept(...values)) this.fail(values.join(' '));
  }

  identifier(): string {
    const t = this.peek;
    if (t.kind !== 'word' || (!t.quoted && RESERVED.has(t.value))) this.fail('an identifier');
    this.pos += 1;
    return t.value;
  }

  qname(): QName {
    const first = this.identifier();
    if (this.accept('.')) return { schema: first, name: this.identifier() };
    return { name: first };
  }

  /** An optional alias: a non-reserved word (no AS for table aliases in Oracle). */
  alias(allowAs: boolean): string | undefined {
    if (allowAs && this.accept('AS')) return this.identifier();
    const t = this.peek;
    if (t.kind === 'word' && (t.quoted || !RESERVED.has(t.value))) return this.identifier();
    return undefined;
  }

  integer(): number {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.value)) this.fail('an integer');
    return Number(t.value);
  }

  list<T>(item: () => T): T[] {
    const items = [item()];
    while (this.accept(',')) items.push(item());
    return items;
  }

  parenthesized<T>(item: () => T): T[] {
    this.expect('(');
    const items = this.list(item);
    this.expect(')');
    return items;
  }

  typeSpec(): TypeSpec {
    const name = this.identifier();
    const type: TypeSpec = { name: name === 'INT' ? 'INTEGER' : name };
    if (['NUMBER', 'FLOAT', 'DECIMAL', 'NUMERIC'].includes(name) && this.accept('(')) {
      type.name = 'NUMBER';
      type.precision = this.integer();
      if (this.accept(',')) type.scale = this.is('-') ? (this.next(), -this.integer()) : this.integer();
      this.expect(')');
    } else if (['VARCHAR2', 'VARCHAR', 'NVARCHAR2', 'CHAR', 'NCHAR', 'RAW'].includes(name)) {
      type.name = name === 'VARCHAR' ? 'VARCHAR2' : name;
      if (this.accept('(')) {
        type.length = this.integer();
        if (this.accept('CHAR')) type.semantics = 'CHAR';
        else if (this.accept('BYTE')) type.semantics = 'BYTE';
        this.expect(')');
      } else if (name !== 'CHAR' && name !== 'NCHAR') {
        throw new OracleError('ORA-00906', 'missing left parenthesis');
      }
    } else if (name === 'TIMESTAMP') {
      if (this.accept('(')) {
        type.fsp = this.integer();
        this.expect(')');
      }
      if (this.accept('WITH', 'TIME', 'ZONE')) type.timeZone = 'tz';
      else if (this.accept('WITH', 'LOCAL', 'TIME', 'ZONE')) type.timeZone = 'local';
    } else if (
      !['NUMBER', 'CLOB', 'NCLOB', 'BLOB', 'DATE', 'BOOLEAN', 'JSON', 'INTEGER', 'LONG', 'FLOAT'].includes(type.name)
    ) {
      throw new OracleError('ORA-00902', `invalid datatype ${name}`);
    }
    return type;
  }

  // ---- expressions ----

  expression(): Expr {
    let left = this.#and();
    while (this.accept('OR')) left = { kind: 'binary', op: 'OR', left, right: this.#and() };
    return left;
  }

  #and(): Expr {
    let left = this.#not();
    while (this.accept('AND')) left = { kind: 'binary', op: 'AND', left, right: this.#not() };
    return left;
  }

  #not(): Expr {
    if (this.accept('NOT')) return { kind: 'not', expr: this.#not() };
    return this.#comparison();
  }

  #comparison(): Expr {
    const left = this.#additive();
    const t = this.peek;
    if (t.kind === 'op' && ['=', '<>', '!=', '^=', '<', '>', '<=', '>='].includes(t.value)) {
      this.next();
      const op = t.value === '!=' || t.value === '^=' ? '<>' : t.value;
      return { kind: 'binary', op, left, right: this.#additive() };
    }
    if (this.accept('IS')) {
      const not = this.accept('NOT');
      if (this.accept('NULL')) return { kind: 'isNull', expr: left, not };
      if (this.accept('JSON')) return { kind: 'isJson', expr: left, not };
      this.fail('NULL or JSON');
    }
    const not = this.accept('NOT');
    if (this.accept('IN')) {
      if (this.is('(') && this.is('SELECT', 1)) {
        this.expect('(');
        const select = this.select();
        this.expect(')');
        return { kind: 'in', expr: left, list: [{ kind: 'subquery', select }], not };
      }
      return { kind: 'in', expr: left, list: this.parenthesized(() => this.expression()), not };
    }
    if (this.accept('LIKE')) return { kind: 'like', expr: left, pattern: this.#additive(), not };
    if (not) this.fail('IN or LIKE after NOT');
    return left;
  }

  #additive(): Expr {
    let left = this.#multiplicative();
    for (;;) {
      const t = this.peek;
      if (t.kind !== 'op' || !['||', '+', '-'].includes(t.value)) return left;
      this.next();
      left = { kind: 'binary', op: t.value, left, right: this.#multiplicative() };
    }
  }

  #multiplicative(): Expr {
    let left = this.#unary();
    for (;;) {
      const t = this.peek;
      if (t.kind !== 'op' || !['*', '/'].includes(t.value)) return left;
      this.next();
      left = { kind: 'binary', op: t.value, left, right: this.#unary() };
    }
  }

  #unary(): Expr {
    if (this.accept('-')) return { kind: 'neg', expr: this.#unary() };
    if (this.accept('+')) return this.#unary();
    return this.#primary();
  }

  #primary(): Expr {
    const t = this.peek;
    if (t.kind === 'string') {
      this.next();
      return { kind: 'string', value: t.value };
    }
    if (t.kind === 'number') {
      this.next();
      return { kind: 'number', value: t.value };
    }
    if (t.kind === 'bind') {
      this.next();
      this.binds += 1;
      return { kind: 'bind', name: t.value, position: this.binds };
    }
    if (this.accept('(')) {
      if (this.is('SELECT')) {
        const select = this.select();
        this.expect(')');
        return { kind: 'subquery', select };
      }
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (this.accept('NULL')) return { kind: 'null' };
    if (this.accept('*')) return { kind: 'star' };
    if (this.accept('EXISTS')) {
      this.expect('(');
      const select = this.select();
      this.expect(')');
      return { kind: 'exists', select };
    }
    if (this.is('CAST') && this.is('(', 1)) {
      this.pos += 2;
      const expr = this.expression();
      this.expect('AS');
      const type = this.typeSpec();
      this.expect(')');
      return { kind: 'cast', expr, type };
    }
    if (t.kind !== 'word') this.fail('an expression');
    const name = this.identifier();
    if (this.is('(') && !t.quoted) {
      this.next();
      if (this.accept('*')) {
        this.expect(')');
        return { kind: 'call', name, args: [], star: true };
      }
      const args = this.is(')') ? [] : this.list(() => this.expression());
      this.expect(')');
      return { kind: 'call', name, args };
    }
    if (this.accept('.')) {
      if (this.accept('*')) return { kind: 'star', qualifier: name };
      return { kind: 'column', qualifier: name, name: this.identifier() };
    }
    if (!t.quoted && ['SYSTIMESTAMP', 'SYSDATE', 'CURRENT_TIMESTAMP', 'USER'].includes(name))
      return { kind: 'call', name, args: [] };
    return { kind: 'column', name };
  }

  /** The SQL text between two token positions (a CHECK condition as Oracle stores it in the dictionary). */
  textBetween(from: number, to: number): string {
    return this.sql.slice(this.tokens[from].at, this.tokens[to].at).trim();
  }

  // ---- queries ----

  select(): Select {
    this.expect('SELECT');
    this.accept('ALL');
    const items = this.list(() => ({ expr: this.expression(), alias: this.alias(true) }));
    this.expect('FROM');
    const from = this.list(() => this.#fromItem());
    const query: Select = { kind: 'select', items, from, orderBy: [] };
    if (this.accept('WHERE')) query.where = this.expression();
    if (this.accept('ORDER', 'BY')) {
      query.orderBy = this.list(() => {
        const expr = this.expression();
        const desc = this.accept('DESC');
        if (!desc) this.accept('ASC');
        return { expr, desc };
      });
    }
    if (this.accept('FETCH')) {
      if (!this.accept('FIRST')) this.expect('NEXT');
      query.fetchFirst = this.integer();
      if (!this.accept('ROWS')) this.expect('ROW');
      this.expect('ONLY');
    }
    if (this.accept('UNION', 'ALL')) query.unionAll = this.select();
    return query;
  }

  #fromItem(): Select['from'][number] {
    let item: Select['from'][number];
    if (this.accept('(')) {
      const select = this.select();
      this.expect(')');
      item = { kind: 'subquery', select, alias: this.alias(false) };
    } else {
      item = { kind: 'table', name: this.qname(), alias: this.alias(false) };
    }
    for (;;) {
      const outer = this.accept('LEFT');
      if (outer) this.accept('OUTER');
      else this.accept('INNER');
      if (!this.accept('JOIN')) {
        if (outer) this.fail('JOIN');
        return item;
      }
      const right = this.#fromItem();
      this.expect('ON');
      item = { kind: 'join', left: item, right, on: this.expression(), outer };
    }
  }
}
