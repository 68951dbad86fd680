// Over 250 lines: Connection, Pool and the module object are one driver surface and reference each other.
import type { ExecuteManyResult, ExecuteResult, OpenResult, Request } from './backend.js';
import { executeBinds, executeManyBinds, type BindDefLike } from './bind-conversion.js';
import { fetchRows, type FetchOptions, type Metadata } from './fetch-conversion.js';
import { OracleError } from './oracle-error.js';
import { real, type DbType } from './real-driver.js';

/** How the fake driver reaches the rules backend: in process, or over a socket from a target process. */
export interface Link {
  request(request: Request): Promise<unknown>;
}

interface ConnectOptions {
  user?: string;
  username?: string;
  password?: string;
  connectString?: string;
  connectionString?: string;
  walletLocation?: string;
  expireTime?: number;
  sessionCallback?: unknown;
}

/**
 * A node-oracledb Connection over the rules backend: execute, executeMany, commit, rollback, ping, close,
 * isHealthy, callTimeout (a round trip taking longer fails with NJS-123) and maxIdentifierLength. Binds and fetches
 * follow the installed driver's rules (bind-conversion.ts, fetch-conversion.ts). Each call is one round trip,
 * plus the create and write of each temporary LOB and the fetches of long results (backend.ts counts them).
 * https://node-oracledb.readthedocs.io/en/latest/api_manual/connection.html
 */
export class FakeConnection {
  readonly thin = true;
  callTimeout = 0;
  readonly maxIdentifierLength: number;
  readonly #maxStringBytes: number;
  readonly #driver: FakeOracledb;
  readonly #session: number;
  readonly #pool: FakePool | undefined;
  #healthy = true;
  #closed = false;
  idleSince = 0;

  constructor(driver: FakeOracledb, opened: OpenResult, pool: FakePool | undefined) {
    this.#driver = driver;
    this.#session = opened.session;
    this.maxIdentifierLength = opened.maxIdentifierLength;
    this.#maxStringBytes = opened.maxStringBytes;
    this.#pool = pool;
  }

  get sessionId(): number {
    return this.#session;
  }

  async #call<T>(request: Request): Promise<T> {
    if (this.#closed) throw new OracleError('NJS-003', 'invalid or closed connection');
    // The call timeout travels with the call, so tests can check every call was bounded.
    const call = this.#driver.link.request({ ...request, callTimeout: this.callTimeout } as Request) as Promise<T>;
    try {
      if (this.callTimeout <= 0) return await call;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new OracleError('NJS-123', `call timeout of ${this.callTimeout} ms exceeded`)),
          this.callTimeout,
        );
      });
      call.catch(() => undefined);
      try {
        return await Promise.race([call, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'NJS-500' || code === 'NJS-123') this.#healthy = false;
      throw error;
    }
  }

  async execute(
    sql: string,
    binds: unknown = [],
    options: FetchOptions = {},
  ): Promise<{ rows?: unknown[]; rowsAffected?: number; metaData?: Metadata[] }> {
    const cost = { temporaryLobs: 0 };
    const wire = executeBinds(binds, this.#maxStringBytes, cost);
    const result = await this.#call<ExecuteResult>({
      method: 'execute',
      session: this.#session,
      sql,
      binds: wire,
      roundTrips: 1 + 2 * cost.temporaryLobs,
    });
    if (result.query) return fetchRows(result.query, options, this.#driver);
    return { rowsAffected: result.rowsAffected };
  }

  async executeMany(
    sql: string,
    binds: unknown[] | number,
    options: {
      bindDefs?: BindDefLike[] | Record<string, BindDefLike>;
      dmlRowCounts?: boolean;
      batchErrors?: boolean;
    } = {},
  ): Promise<ExecuteManyResult> {
    const rows = typeof binds === 'number' ? Array.from({ length: binds }, () => []) : binds;
    const cost = { temporaryLobs: 0 };
    const wire = executeManyBinds(rows, options.bindDefs, this.#maxStringBytes, cost);
    const result = await this.#call<ExecuteManyResult>({
      method: 'executeMany',
      session: this.#session,
      sql,
      rows: wire,
      dmlRowCounts: options.dmlRowCounts === true,
      batchErrors: options.batchErrors === true,
      roundTrips: 1 + 2 * cost.temporaryLobs,
      temporaryLobs: cost.temporaryLobs,
    });
    return result;
  }

  async commit(): Promise<void> {
    await this.#call({ method: 'commit', session: this.#session });
  }

  async rollback(): Promise<void> {
    await this.#call({ method: 'rollback', session: this.#session });
  }

  async ping(): Promise<void> {
    await this.#call({ method: 'ping', session: this.#session });
  }

  isHealthy(): boolean {
    return this.#healthy && !this.#closed;
  }

  /** Pooled: back to the pool (a transaction still open is rolled back). Standalone: the session ends. */
  async close(options: { drop?: boolean } = {}): Promise<void> {
    if (this.#closed) throw new OracleError('NJS-003', 'invalid or closed connection');
    if (this.#pool && !options.drop && this.#healthy) {
      await this.#call({ method: 'rollback', session: this.#session }).catch(() => (this.#healthy = false));
      this.#pool.release(this);
      return;
    }
    this.#closed = true;
    await this.#driver.link.request({ method: 'close', session: this.#session }).catch(() => undefined);
    this.#pool?.dropped(this);
  }
}

interface PoolOptions extends ConnectOptions {
  poolMin?: number;
  poolMax?: number;
  poolIncrement?: number;
  poolPingInterval?: number;
  enableStatistics?: boolean;
  queueTimeout?: number;
}

/**
 * A node-oracledb Pool: connections reused, a lightweight health check on every getConnection and a ping for
 * connections idle at least poolPingInterval seconds (default 60), unusable ones replaced; `sessionCallback` runs
 * for each new connection when it is a function and never when it is a string (Thin: a string names a PL/SQL
 * procedure used with tagging, Thick only).
 * https://node-oracledb.readthedocs.io/en/latest/user_guide/connection_handling.html#connection-pool-pinging
 * https://node-oracledb.readthedocs.io/en/latest/user_guide/connection_handling.html#sessionfixupnode
 */
export class FakePool {
  readonly poolMin: number;
  readonly poolMax: number;
  readonly poolPingInterval: number;
  readonly #driver: FakeOracledb;
  readonly #options: PoolOptions;
  readonly #idle: FakeConnection[] = [];
  readonly #busy = new Set<FakeConnection>();
  #closed = false;

  constructor(driver: FakeOracledb, options: PoolOptions) {
    this.#driver = driver;
    this.#options = options;
    this.poolMin = options.poolMin ?? 0;
    this.poolMax = options.poolMax ?? 4;
    this.poolPingInterval = options.poolPingInterval ?? 60;
  }

  get connectionsOpen(): number {
    return this.#idle.length + this.#busy.size;
  }

  get connectionsInUse(): number {
    return this.#busy.size;
  }

  get sessionCallback(): unknown {
    return this.#options.sessionCallback;
  }

  getStatistics(): { currentQueueLength: number } | null {
    return this.#options.enableStatistics ? { currentQueueLength: 0 } : null;
  }

  async getConnection(): Promise<FakeConnection> {
    if (this.#closed) throw new OracleError('NJS-065', 'connection pool was closed');
    while (this.#idle.length > 0) {
      const conn = this.#idle.pop()!;
      let usable = conn.isHealthy();
      if (usable && this.poolPingInterval >= 0 && Date.now() - conn.idleSince >= this.poolPingInterval * 1000) {
        usable = await conn.ping().then(
          () => true,
          () => false,
        );
      }
      if (usable) {
        this.#busy.add(conn);
        return conn;
      }
      await conn.close({ drop: true }).catch(() => undefined);
    }
    if (this.connectionsOpen >= this.poolMax)
      throw new OracleError(
        'NJS-040',
        `connection request timeout. Request exceeded "queueTimeout" of ${this.#options.queueTimeout ?? 60000}`,
      );
    const conn = await this.#driver.open(this.#options, this);
    this.#busy.add(conn);
    const callback = this.#options.sessionCallback;
    if (typeof callback === 'function') {
      try {
        await new Promise<void>((resolve, reject) =>
          (callback as (c: FakeConnection, tag: string, done: (e?: Error) => void) => void)(conn, '', (e) =>
            e ? reject(e) : resolve(),
          ),
        );
      } catch (error) {
        await conn.close({ drop: true });
        throw error;
      }
    }
    return conn;
  }

  release(conn: FakeConnection): void {
    this.#busy.delete(conn);
    conn.idleSince = Date.now();
    this.#idle.push(conn);
  }

  dropped(conn: FakeConnection): void {
    this.#busy.delete(conn);
  }

  async close(_drainTime?: number): Promise<void> {
    this.#closed = true;
    for (const conn of [...this.#idle, ...this.#busy]) await conn.close({ drop: true }).catch(() => undefined);
    this.#idle.length = 0;
    this.#busy.clear();
  }
}

/** The `oracledb` module as the target sees it: the real constants, a fake createPool/getConnection. */
export class FakeOracledb {
  readonly link: Link;
  outFormat: number = real.OUT_FORMAT_ARRAY;
  fetchAsString: DbType[] = [];
  readonly thin = true;
  readonly STRING = real.STRING;
  readonly NUMBER = real.NUMBER;
  readonly DB_TYPE_VARCHAR = real.DB_TYPE_VARCHAR;
  readonly DB_TYPE_CLOB = real.DB_TYPE_CLOB;
  readonly DB_TYPE_NCLOB = real.DB_TYPE_NCLOB;
  readonly DB_TYPE_NUMBER = real.DB_TYPE_NUMBER;
  readonly DB_TYPE_BOOLEAN = real.DB_TYPE_BOOLEAN;
  readonly DB_TYPE_TIMESTAMP_TZ = real.DB_TYPE_TIMESTAMP_TZ;
  readonly OUT_FORMAT_ARRAY = real.OUT_FORMAT_ARRAY;
  readonly OUT_FORMAT_OBJECT = real.OUT_FORMAT_OBJECT;

  constructor(link: Link) {
    this.link = link;
    for (const [key, value] of Object.entries(real))
      if (/^(DB_TYPE_|OUT_FORMAT_|BIND_|[A-Z]+$)/.test(key) && !(key in this))
        Object.defineProperty(this, key, { value, enumerable: true });
  }

  async open(options: ConnectOptions, pool?: FakePool): Promise<FakeConnection> {
    const connectString = options.connectString ?? options.connectionString;
    if (!connectString)
      throw new OracleError(
        'NJS-125',
        '"connectString" cannot be empty or undefined. Bequeath connections are not supported in Thin mode',
      );
    const opened = (await this.link.request({
      method: 'open',
      user: options.user ?? options.username ?? '',
      password: options.password ?? '',
      connectString,
      walletLocation: options.walletLocation,
      expireTime: options.expireTime,
      pooled: pool !== undefined,
      sessionCallback:
        typeof options.sessionCallback === 'function'
          ? 'function'
          : typeof options.sessionCallback === 'string'
            ? 'string'
            : undefined,
    })) as OpenResult;
    return new FakeConnection(this, opened, pool);
  }

  createPool = async (options: PoolOptions): Promise<FakePool> => {
    const pool = new FakePool(this, options);
    // poolMin connections are opened at creation (and fail it when the database is unreachable).
    const opened: FakeConnection[] = [];
    for (let i = 0; i < pool.poolMin; i += 1) opened.push(await pool.getConnection());
    for (const conn of opened) pool.release(conn);
    return pool;
  };

  getConnection = async (options: ConnectOptions): Promise<FakeConnection> => this.open(options);
}
