import { Database, type Binds, type RulesOptions } from './database.js';
import type { DbSession } from './db-session.js';
import { OracleError } from './oracle-error.js';
import { parseConnectString } from './connect-string.js';
import { toBound, toWire, type WireBinds, type WireQuery } from './wire.js';

/** A call as hooks and the event log see it. */
export interface BackendEvent {
  session: number;
  kind: 'execute' | 'executeMany' | 'commit' | 'rollback';
  sql?: string;
  /** executeMany iterations. */
  rows?: number;
  /** The connection's callTimeout (ms; 0 = none) when the call was made. */
  callTimeout?: number;
}

/** Runs before a call (may throw like the database would, or wait: a slow or locked database) or after it. */
export interface Hook {
  before?: (event: BackendEvent) => void | Promise<void>;
  after?: (event: BackendEvent) => void;
}

/** How a driver connection was opened (the settings checks assert on these: keepalive, call timeout, TLS). */
export interface ConnectionRecord {
  session: number;
  connectString: string;
  protocol: string;
  walletLocation?: string;
  expireTime?: number;
  pooled: boolean;
  sessionCallback?: 'function' | 'string';
}

export interface BackendOptions extends Partial<RulesOptions> {
  password?: string;
  /** Service names the listener knows (SID connections: `sids`). */
  services?: string[];
  sids?: string[];
}

export type Request =
  | {
      method: 'open';
      user: string;
      password: string;
      connectString: string;
      walletLocation?: string;
      expireTime?: number;
      pooled: boolean;
      sessionCallback?: 'function' | 'string';
    }
  | { method: 'execute'; session: number; sql: string; binds: WireBinds; roundTrips: number; callTimeout?: number }
  | {
      method: 'executeMany';
      session: number;
      sql: string;
      rows: WireBinds[];
      dmlRowCounts: boolean;
      batchErrors: boolean;
      roundTrips: number;
      temporaryLobs: number;
      callTimeout?: number;
    }
  | { method: 'commit' | 'rollback' | 'ping' | 'close'; session: number; callTimeout?: number };

export interface OpenResult {
  session: number;
  maxIdentifierLength: number;
  /** The server's maximum string size in bytes (what Thin learns from the TTC 32K capability). */
  maxStringBytes: number;
}

export interface ExecuteResult {
  query?: WireQuery;
  rowsAffected?: number;
}

export interface ExecuteManyResult {
  rowsAffected: number;
  dmlRowCounts?: number[];
  batchErrors?: { offset: number; message: string; errorNum?: number; code?: string }[];
}

/** The test user's password (obviously fake; not a word that appears in stream names, which logs would mask). */
export const RULES_PASSWORD = 'rules-pw';

/** Rows the first execute round trip returns (prefetchRows) and each further fetch (fetchArraySize), the defaults. */
const PREFETCH_ROWS = 2;
const FETCH_ARRAY_SIZE = 100;

/**
 * The rules database behind a driver: opens sessions (checking password and service like a listener would),
 * runs calls, counts round trips and temporary LOBs, logs events, and lets tests inject failures, waits, lost
 * connections and killed sessions.
 */
export class RulesBackend {
  readonly db: Database;
  readonly events: BackendEvent[] = [];
  readonly connections: ConnectionRecord[] = [];
  readonly hooks: Hook[] = [];
  readonly stats = { roundTrips: 0, temporaryLobs: 0, connects: 0 };
  readonly #sessions = new Map<number, DbSession>();
  readonly #password: string;
  readonly #services: string[];
  readonly #sids: string[];

  constructor(options: BackendOptions = {}) {
    this.db = new Database(options);
    this.#password = options.password ?? RULES_PASSWORD;
    this.#services = options.services ?? ['FREEPDB1'];
    this.#sids = options.sids ?? ['FREE'];
  }

  session(id: number): DbSession {
    const session = this.#sessions.get(id);
    if (!session) throw new OracleError('NJS-003', 'invalid or closed connection');
    return session;
  }

  /** Every session opened and not closed (e.g. to kill the target's). */
  get openSessions(): DbSession[] {
    return [...this.#sessions.values()].filter((s) => !s.closed);
  }

  /** Ends a session the way ALTER SYSTEM KILL SESSION or a dropped network does. */
  kill(id: number, why = 'ORA-00028: your session has been killed'): void {
    this.db.breakSession(this.session(id), why);
  }

  /** After the first call matching `predicate` succeeds, its session's connection is lost (a crash right there). */
  loseConnectionAfter(predicate: (event: BackendEvent) => boolean): void {
    let done = false;
    this.hooks.push({
      after: (event) => {
        if (done || !predicate(event)) return;
        done = true;
        this.kill(event.session, 'ORA-03113: end-of-file on communication channel');
      },
    });
  }

  async handle(request: Request): Promise<unknown> {
    if (request.method === 'open') return this.#open(request);
    const session = this.session(request.session);
    switch (request.method) {
      case 'execute':
        return this.#call(
          session,
          { session: session.id, kind: 'execute', sql: request.sql, callTimeout: request.callTimeout },
          request.roundTrips,
          () => this.#execute(session, request.sql, request.binds),
        );
      case 'executeMany':
        session.temporaryLobs += request.temporaryLobs;
        this.stats.temporaryLobs += request.temporaryLobs;
        return this.#call(
          session,
          {
            session: session.id,
            kind: 'executeMany',
            sql: request.sql,
            rows: request.rows.length,
            callTimeout: request.callTimeout,
          },
          request.roundTrips,
          () => this.#executeMany(session, request),
        );
      case 'commit':
      case 'rollback':
        return this.#call(
          session,
          { session: session.id, kind: request.method, callTimeout: request.callTimeout },
          1,
          async () => {
            this.db.requireAlive(session);
            if (request.method === 'commit') this.db.commit(session);
            else this.db.rollback(session);
            return {};
          },
        );
      case 'ping':
        this.#count(session, 1);
        this.db.requireAlive(session);
        return {};
      case 'close':
        this.db.close(session);
        this.#sessions.delete(session.id);
        return {};
    }
  }

  #count(session: DbSession, roundTrips: number): void {
    session.roundTrips += roundTrips;
    this.stats.roundTrips += roundTrips;
  }

  async #call<T>(session: DbSession, event: BackendEvent, roundTrips: number, work: () => Promise<T>): Promise<T> {
    this.#count(session, roundTrips);
    this.events.push(event);
    this.db.requireAlive(session);
    for (const hook of this.hooks) await hook.before?.(event);
    this.db.requireAlive(session);
    const result = await work();
    for (const hook of this.hooks) hook.after?.(event);
    return result;
  }

  #open(request: Extract<Request, { method: 'open' }>): OpenResult {
    const target = parseConnectString(request.connectString);
    if (target.sid !== undefined && !this.#sids.includes(target.sid.toUpperCase()))
      throw new OracleError(
        'NJS-519',
        `cannot connect to Oracle Database. SID "${target.sid}" is not registered with the listener`,
      );
    if (target.service !== undefined && !this.#services.includes(target.service.toUpperCase()))
      throw new OracleError(
        'NJS-518',
        `cannot connect to Oracle Database. Service "${target.service}" is not registered with the listener`,
      );
    if (request.password !== this.#password)
      throw new OracleError('ORA-01017', 'invalid credential or not authorized; logon denied');
    const session = this.db.connect(request.user);
    this.#sessions.set(session.id, session);
    this.stats.connects += 1;
    this.connections.push({
      session: session.id,
      connectString: request.connectString,
      protocol: target.protocol,
      walletLocation: request.walletLocation,
      expireTime: request.expireTime ?? target.expireTime,
      pooled: request.pooled,
      sessionCallback: request.sessionCallback,
    });
    return {
      session: session.id,
      maxIdentifierLength: this.db.options.maxIdentifierBytes,
      maxStringBytes: this.db.limits.maxStringBytes,
    };
  }

  async #execute(session: DbSession, sql: string, binds: WireBinds): Promise<ExecuteResult> {
    const outcome = await this.db.execute(session, sql, bindsOf(binds));
    if (outcome.kind === 'query') {
      const rows = outcome.result.rows.length;
      // Fetching past the prefetched rows takes one more round trip per fetchArraySize rows (and one to see the end).
      if (rows >= PREFETCH_ROWS) this.#count(session, Math.ceil((rows - PREFETCH_ROWS + 1) / FETCH_ARRAY_SIZE));
      return {
        query: {
          columns: outcome.result.columns,
          types: outcome.result.types.map((t) => t ?? null),
          rows: outcome.result.rows.map((r) => r.map(toWire)),
          nls: { numericCharacters: session.nls.numericCharacters, set: [...session.nls.set] },
        },
      };
    }
    return { rowsAffected: outcome.kind === 'rows' ? outcome.rowsAffected : 0 };
  }

  async #executeMany(
    session: DbSession,
    request: Extract<Request, { method: 'executeMany' }>,
  ): Promise<ExecuteManyResult> {
    const result: ExecuteManyResult = { rowsAffected: 0 };
    const counts: number[] = [];
    const errors: NonNullable<ExecuteManyResult['batchErrors']> = [];
    for (let i = 0; i < request.rows.length; i += 1) {
      try {
        const outcome = await this.db.execute(session, request.sql, bindsOf(request.rows[i]));
        if (outcome.kind === 'query') throw new OracleError('NJS-004', 'executeMany() cannot be used with queries');
        const n = outcome.kind === 'rows' ? outcome.rowsAffected : 0;
        counts.push(n);
        result.rowsAffected += n;
      } catch (error) {
        const e = error as { message: string; errorNum?: number; code?: string };
        if (!request.batchErrors || e.code?.startsWith('NJS-') || e.code?.startsWith('RULES-')) throw error;
        errors.push({ offset: i, message: e.message, errorNum: e.errorNum, code: e.code });
        counts.push(0);
      }
    }
    if (request.dmlRowCounts) result.dmlRowCounts = counts;
    if (request.batchErrors) result.batchErrors = errors;
    return result;
  }
}

function bindsOf(binds: WireBinds): Binds {
  if (Array.isArray(binds)) return binds.map(toBound);
  return new Map(Object.entries(binds).map(([name, b]) => [name.toUpperCase(), toBound(b)]));
}
