// Over 250 lines: the statement dispatcher and the catalog/evaluation services every executor calls; split further,
// each executor would need the same half-dozen callbacks passed around.
import { DDL_KINDS, type QName, type Select, type Statement } from './ast.js';
import type { Index, Row, Table } from './catalog.js';
import type { ConversionContext } from './conversions.js';
import { runDdl } from './ddl.js';
import { dictionaryView, type DictionaryHost } from './dictionary.js';
import { DbSession } from './db-session.js';
import { runDml } from './dml.js';
import { withVirtual } from './integrity.js';
import { requireAlive, Transactions } from './transactions.js';
import type { EvalEnv, Scope } from './evaluate.js';
import { tokenize, type Token } from './lexer.js';
import { OracleError } from './oracle-error.js';
import { parseStatement } from './parser.js';
import { runSelect, scopeOf, type QueryHost, type QueryResult, type Source } from './query.js';
import { checkIdentifierLengths, checkLongBinds, checkNoPendingDml } from './rules.js';
import type { OraValue, TypeLimits } from './types.js';

export interface RulesOptions {
  /** 128, or 30 for a database with COMPATIBLE below 12.2. */
  maxIdentifierBytes: 30 | 128;
  maxStringSize: 'STANDARD' | 'EXTENDED';
  /** Major release (19, 21, 23): BOOLEAN and JSON columns, TO_BOOLEAN, JSON(). */
  version: number;
  /** The database default NLS_NUMERIC_CHARACTERS (the territory's): ',.' like GERMANY unless told otherwise. */
  numericCharacters: string;
  /** Refuse conversions before the session pinned its NLS parameters (the rule), not only fail like Oracle would. */
  strictNls: boolean;
  /** Whether the test user may read V$PARAMETER (SELECT_CATALOG_ROLE). */
  catalogAccess: boolean;
  users: string[];
}

export const DEFAULT_OPTIONS: RulesOptions = {
  maxIdentifierBytes: 128,
  maxStringSize: 'STANDARD',
  version: 19,
  numericCharacters: ',.',
  strictNls: true,
  catalogAccess: false,
  users: ['TEST'],
};

/** A bind value as the driver delivers it: LONG when Thin would send it as LONG (maxSize over the string limit). */
export interface BoundValue {
  value: OraValue;
  long: boolean;
}

export type Binds = BoundValue[] | Map<string, BoundValue>;

export type ExecuteOutcome =
  { kind: 'query'; result: QueryResult } | { kind: 'rows'; rowsAffected: number } | { kind: 'none' };

interface Parsed {
  statement: Statement;
  binds: number;
  tokens: Token[];
}

/**
 * The rules session's database: a catalog (tables, constraints, indexes, comments), committed rows plus each
 * session's transaction, table locks, global temporary tables, and the dictionary. It executes the SQL subset the
 * target and the tests issue, enforcing Oracle's documented rules (rules.ts) on every statement. It is a model,
 * not Oracle: anything it does not model is refused, never guessed.
 */
export class Database {
  readonly options: RulesOptions;
  readonly users: string[];
  readonly tables = new Map<string, Table>();
  readonly indexes = new Map<string, Index>();
  readonly sessions = new Set<DbSession>();
  readonly limits: TypeLimits;
  readonly #parsed = new Map<string, Parsed>();
  #objectId = 70000;
  #constraintId = 10000;
  #sessionId = 100;
  readonly transactions = new Transactions(this.sessions);
  /** Evaluates index expressions and constraints during DDL (no binds, every NLS parameter pinned). */
  readonly system: DbSession;
  /** The clock SYSTIMESTAMP reads (microseconds since 1970). */
  now: () => bigint = () => BigInt(Date.now()) * 1000n;

  constructor(options: Partial<RulesOptions> = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.users = [...this.options.users];
    this.limits = {
      maxStringBytes: this.options.maxStringSize === 'EXTENDED' ? 32767 : 4000,
      version: this.options.version,
    };
    this.system = new DbSession(0, 'SYS', '.,');
    for (const p of [
      'NLS_NUMERIC_CHARACTERS',
      'TIME_ZONE',
      'NLS_DATE_FORMAT',
      'NLS_TIMESTAMP_FORMAT',
      'NLS_TIMESTAMP_TZ_FORMAT',
    ])
      this.system.nls.set.add(p);
  }

  connect(user: string): DbSession {
    const name = user.toUpperCase();
    if (!this.users.includes(name))
      throw new OracleError('ORA-01017', 'invalid credential or not authorized; logon denied');
    const session = new DbSession((this.#sessionId += 1), name, this.options.numericCharacters);
    this.sessions.add(session);
    return session;
  }

  nextObjectId(): number {
    return (this.#objectId += 1);
  }

  generatedConstraintName(): string {
    return `SYS_C00${(this.#constraintId += 1)}`;
  }

  parse(sql: string): Parsed {
    let parsed = this.#parsed.get(sql);
    if (!parsed) {
      const tokens = tokenize(sql);
      checkIdentifierLengths(tokens, this.options.maxIdentifierBytes);
      parsed = { ...parseStatement(sql), tokens };
      if (this.#parsed.size > 5000) this.#parsed.clear();
      this.#parsed.set(sql, parsed);
    }
    return parsed;
  }

  /** Runs one statement in `session` with `binds` (positional array or by name). */
  async execute(session: DbSession, sql: string, binds: Binds): Promise<ExecuteOutcome> {
    this.requireAlive(session);
    const { statement, binds: count } = this.parse(sql);
    if (Array.isArray(binds)) {
      if (binds.length < count) throw new OracleError('ORA-01008', 'not all variables bound');
      if (binds.length > count) throw new OracleError('ORA-01036', 'illegal variable name/number');
    }
    session.binds = binds;
    if (statement.kind === 'select') {
      checkLongBinds(
        statement,
        (p, n) => this.#bound(session, p, n).long,
        () => undefined,
      );
      if (statement.forUpdate) await this.#lockRead(session, statement, statement.forUpdate.nowait);
      return { kind: 'query', result: this.query(session, statement) };
    }
    if (DDL_KINDS.has(statement.kind)) {
      checkNoPendingDml(session, sql);
      this.commit(session);
      const name =
        'table' in statement
          ? statement.table
          : statement.kind === 'renameObject'
            ? { name: statement.from }
            : undefined;
      const table = name && this.findTable(name, session);
      if (table) await this.transactions.awaitFree(table, session);
      runDdl(this, session, statement as Parameters<typeof runDdl>[2]);
      return { kind: 'none' };
    }
    switch (statement.kind) {
      case 'commit':
        this.commit(session);
        return { kind: 'none' };
      case 'rollback':
        this.rollback(session);
        return { kind: 'none' };
      case 'alterSession':
        for (const [name, value] of statement.settings) this.#alterSession(session, name, value);
        return { kind: 'none' };
      case 'lockTable': {
        const table = this.requireTable(statement.table, session);
        await this.transactions.writable(table, session);
        return { kind: 'none' };
      }
      case 'insert':
      case 'update':
      case 'delete':
      case 'merge': {
        const target = statement.kind === 'merge' ? statement.target : statement.table;
        const table = this.requireTable(target, session);
        checkLongBinds(
          statement,
          (p, n) => this.#bound(session, p, n).long,
          (c) => table.column(c)?.type,
        );
        const rowsAffected = await runDml(this, session, statement);
        session.pendingDml ??= sql;
        return { kind: 'rows', rowsAffected };
      }
      default:
        throw new OracleError('ORA-00900', `invalid SQL statement (${statement.kind})`);
    }
  }

  /**
   * SELECT … FOR UPDATE locks what it reads until the transaction ends (the model: the whole table, like its DML);
   * NOWAIT fails at once with ORA-00054 when another transaction holds it.
   * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/SELECT.html (for_update_clause)
   */
  async #lockRead(session: DbSession, select: Select, nowait: boolean): Promise<void> {
    const from = select.from;
    if (from.length !== 1 || from[0].kind !== 'table')
      throw new OracleError('ORA-00900', 'invalid SQL statement (FOR UPDATE is modelled on one table only)');
    const table = this.requireTable(from[0].name, session);
    if (nowait && !this.transactions.isFreeFor(table, session))
      throw new OracleError('ORA-00054', 'resource busy and acquire with NOWAIT specified or timeout expired');
    await this.transactions.writable(table, session);
  }

  #alterSession(session: DbSession, name: string, value: string): void {
    switch (name) {
      case 'NLS_NUMERIC_CHARACTERS':
        if (value.length !== 2 || value[0] === value[1])
          throw new OracleError('ORA-12705', 'Cannot access NLS data files or invalid environment specified');
        session.nls.numericCharacters = value;
        break;
      case 'TIME_ZONE':
        session.nls.timeZone = value;
        break;
      case 'CURRENT_SCHEMA':
        if (!this.users.includes(value)) throw new OracleError('ORA-01435', 'user does not exist');
        session.currentSchema = value;
        break;
      case 'NLS_DATE_FORMAT':
      case 'NLS_TIMESTAMP_FORMAT':
      case 'NLS_TIMESTAMP_TZ_FORMAT':
      case 'NLS_LANGUAGE':
      case 'NLS_TERRITORY':
      case 'DDL_LOCK_TIMEOUT':
        if (!/^\d+$/.test(value)) throw new OracleError('ORA-02017', 'integer value required');
        session.ddlLockTimeoutSeconds = Number(value);
        break;
      default:
        throw new OracleError('ORA-02248', `invalid option for ALTER SESSION (${name})`);
    }
    session.nls.set.add(name);
  }

  #bound(session: DbSession, position: number, name: string): BoundValue {
    const binds = session.binds!;
    const bound = Array.isArray(binds) ? binds[position - 1] : binds.get(name);
    if (!bound) throw new OracleError('ORA-01008', 'not all variables bound');
    return bound;
  }

  requireAlive(session: DbSession): void {
    requireAlive(session);
  }

  commit(session: DbSession): void {
    this.transactions.commit(session);
  }

  rollback(session: DbSession): void {
    this.transactions.rollback(session);
  }

  breakSession(session: DbSession, why: string): void {
    this.transactions.breakSession(session, why);
  }

  close(session: DbSession): void {
    this.transactions.close(session);
  }

  // ---- catalog ----

  findTable(name: QName, session: DbSession): Table | undefined {
    return this.tables.get(`${name.schema ?? session.currentSchema}.${name.name}`);
  }

  requireTable(name: QName, session: DbSession): Table {
    const table = this.findTable(name, session);
    if (!table) throw new OracleError('ORA-00942', 'table or view does not exist');
    return table;
  }

  renameTable(table: Table, to: string): void {
    if (this.tables.has(`${table.schema}.${to}`))
      throw new OracleError('ORA-00955', 'name is already used by an existing object');
    this.tables.delete(table.key);
    table.name = to;
    this.tables.set(table.key, table);
  }

  // ---- evaluation ----

  conversion(session: DbSession): ConversionContext {
    return { session, strictNls: this.options.strictNls, maxStringBytes: this.limits.maxStringBytes };
  }

  env(session: DbSession, scope: Scope, aggregate?: EvalEnv['aggregate']): EvalEnv {
    return {
      ...this.conversion(session),
      scope,
      aggregate,
      version: this.options.version,
      now: this.now,
      userenv: {
        CURRENT_SCHEMA: session.currentSchema,
        SESSION_USER: session.user,
        CURRENT_USER: session.user,
        SID: String(session.id),
        DB_NAME: 'FREEPDB1',
      },
      bind: (b) => this.#bound(session, b.position, b.name).value,
      subquery: (select: Select, outer: Scope) => runSelect(select, this.#host(session), outer).rows,
    };
  }

  constantEnv(session: DbSession): EvalEnv {
    return this.env(session, scopeOf([], new Map()));
  }

  rowEnv(session: DbSession, table: Table, row: Row): EvalEnv {
    const source: Source = { alias: table.name, columns: table.columns.map((c) => c.name), types: [], rows: [] };
    return this.env(session, scopeOf([source], new Map([[table.name, row]])));
  }

  query(session: DbSession, select: Select): QueryResult {
    return runSelect(select, this.#host(session));
  }

  #host(session: DbSession): QueryHost {
    const dictionary: DictionaryHost = {
      tables: [...this.tables.values()],
      indexes: [...this.indexes.values()],
      users: this.users,
      limits: this.limits,
      maxStringSize: this.options.maxStringSize,
      catalogAccess: this.options.catalogAccess,
    };
    return {
      source: (name, alias) => {
        const table = this.findTable(name, session);
        if (table) {
          const rows = [...this.transactions.readable(table, session).rows.values()].map((r) =>
            withVirtual(this, table, r, session),
          );
          return {
            alias: alias ?? table.name,
            columns: table.columns.map((c) => c.name),
            types: table.columns.map((c) => c.type),
            rows,
            table,
          };
        }
        const view =
          name.schema === undefined || name.schema === 'SYS'
            ? dictionaryView(name.name, alias, dictionary, session)
            : undefined;
        if (!view) throw new OracleError('ORA-00942', 'table or view does not exist');
        return view;
      },
      env: (scope, aggregate) => this.env(session, scope, aggregate),
    };
  }
}
