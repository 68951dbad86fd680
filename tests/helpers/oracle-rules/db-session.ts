import type { Table, TableData } from './catalog.js';
import type { Binds } from './database.js';

/** Session NLS state; `set` records which parameters the session pinned with ALTER SESSION. */
export interface Nls {
  numericCharacters: string;
  timeZone: string;
  set: Set<string>;
}

/**
 * One database session (what a node-oracledb connection is attached to): its NLS settings, current schema, the
 * working copies of tables it changed in the open transaction (readers in other sessions see the committed data),
 * its global-temporary-table rows, and what it cost in round trips.
 */
export class DbSession {
  readonly id: number;
  readonly user: string;
  currentSchema: string;
  nls: Nls;
  /** Permanent tables changed (or locked) in the open transaction, with this transaction's rows. */
  readonly work = new Map<Table, TableData>();
  /** Rows of global temporary tables, private to this session. */
  readonly temp = new Map<Table, TableData>();
  /** Temporary-table rows as they were when the transaction first touched them (for rollback). */
  readonly tempAtStart = new Map<Table, TableData>();
  /** The first uncommitted DML statement of the open transaction (for the implicit-commit rule). */
  pendingDml: string | undefined;
  /** The binds of the statement running now (a session runs one statement at a time). */
  binds: Binds | undefined;
  /** ALTER SESSION SET DDL_LOCK_TIMEOUT: how long DDL waits for another transaction's lock (0 = fail at once). */
  ddlLockTimeoutSeconds = 0;
  roundTrips = 0;
  temporaryLobs = 0;
  /** Why the session is gone (killed, connection lost); every later call fails. */
  broken: string | undefined;
  closed = false;

  constructor(id: number, user: string, numericCharacters: string) {
    this.id = id;
    this.user = user;
    this.currentSchema = user;
    this.nls = { numericCharacters, timeZone: '+00:00', set: new Set() };
  }

  get inTransaction(): boolean {
    return this.work.size > 0 || this.tempAtStart.size > 0;
  }
}
