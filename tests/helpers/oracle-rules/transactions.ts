import { TableData, type Table } from './catalog.js';
import type { DbSession } from './db-session.js';
import { OracleError } from './oracle-error.js';

export function requireAlive(session: DbSession): void {
  if (session.closed) throw new OracleError('NJS-003', 'invalid or closed connection');
  if (session.broken)
    throw new OracleError('NJS-500', `connection to Oracle Database was closed or broken (${session.broken})`);
}

/**
 * Transactions and table locks. A session's first DML on a table takes the table's transaction lock (the model
 * locks whole tables where Oracle locks rows: stricter, never looser) and works on a copy that COMMIT publishes;
 * another session's DML waits for the lock, and a wait cycle is ORA-00060. DDL needs the table free: no other
 * session's transaction on it (ORA-00054, DDL does not wait by default) and no other session's rows in it if it is
 * a temporary table (ORA-14452).
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/cncpt/data-concurrency-and-consistency.html
 */
export class Transactions {
  readonly #owner = new Map<Table, DbSession>();
  readonly #waiters = new Map<Table, (() => void)[]>();
  readonly #waitingFor = new Map<DbSession, Table>();
  readonly #sessions: Set<DbSession>;

  constructor(sessions: Set<DbSession>) {
    this.#sessions = sessions;
  }

  commit(session: DbSession): void {
    for (const [table, data] of session.work) table.data = data;
    for (const table of session.tempAtStart.keys()) if (table.temporary === 'delete') session.temp.delete(table);
    this.#endTransaction(session);
  }

  rollback(session: DbSession): void {
    for (const [table, data] of session.tempAtStart) session.temp.set(table, data);
    this.#endTransaction(session);
  }

  #endTransaction(session: DbSession): void {
    for (const table of session.work.keys()) {
      this.#owner.delete(table);
      for (const wake of this.#waiters.get(table) ?? []) wake();
      this.#waiters.delete(table);
    }
    session.work.clear();
    session.tempAtStart.clear();
    session.pendingDml = undefined;
  }

  /** Ends a session as a killed or lost connection does: its transaction rolls back, its calls fail from now on. */
  breakSession(session: DbSession, why: string): void {
    session.broken = why;
    this.rollback(session);
    session.temp.clear();
    const waiting = this.#waitingFor.get(session);
    if (waiting) for (const wake of this.#waiters.get(waiting) ?? []) wake();
  }

  close(session: DbSession): void {
    if (!session.broken) this.rollback(session);
    session.temp.clear();
    session.closed = true;
    this.#sessions.delete(session);
  }

  /** The rows `session` sees: its own transaction's copy, else the committed rows (temporary tables: its own). */
  readable(table: Table, session: DbSession): TableData {
    if (table.temporary) return session.temp.get(table) ?? new TableData();
    return session.work.get(table) ?? table.data;
  }

  /** The session's working copy, taking the table's transaction lock (waiting for the holder, ORA-00060 on a cycle). */
  async writable(table: Table, session: DbSession): Promise<TableData> {
    if (table.temporary) {
      const data = session.temp.get(table) ?? new TableData();
      if (!session.tempAtStart.has(table)) session.tempAtStart.set(table, data.clone());
      session.temp.set(table, data);
      return data;
    }
    for (;;) {
      const owner = this.#owner.get(table);
      if (owner === undefined || owner === session) break;
      for (let t = this.#waitingFor.get(owner); t; t = this.#waitingFor.get(this.#owner.get(t)!)) {
        if (this.#owner.get(t) === session)
          throw new OracleError('ORA-00060', 'deadlock detected while waiting for resource');
        if (!this.#owner.has(t)) break;
      }
      this.#waitingFor.set(session, table);
      await new Promise<void>((resolve) => this.#waiters.set(table, [...(this.#waiters.get(table) ?? []), resolve]));
      this.#waitingFor.delete(session);
      requireAlive(session);
    }
    this.#owner.set(table, session);
    let data = session.work.get(table);
    if (!data) session.work.set(table, (data = table.data.clone()));
    return data;
  }

  /**
   * DDL waits up to the session's DDL_LOCK_TIMEOUT (default 0: not at all) for another session's transaction on the
   * table to end, then fails with ORA-00054.
   * https://docs.oracle.com/en/database/oracle/oracle-database/23/refrn/DDL_LOCK_TIMEOUT.html
   */
  async awaitFree(table: Table, session: DbSession): Promise<void> {
    const deadline = Date.now() + session.ddlLockTimeoutSeconds * 1000;
    for (;;) {
      const owner = this.#owner.get(table);
      if (!owner || owner === session || Date.now() >= deadline) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#waiters.set(table, [
          ...(this.#waiters.get(table) ?? []),
          () => {
            clearTimeout(timer);
            resolve();
          },
        ]);
      });
      requireAlive(session);
    }
  }

  /** Whether `session` could take the table's transaction lock without waiting. */
  isFreeFor(table: Table, session: DbSession): boolean {
    const owner = this.#owner.get(table);
    return owner === undefined || owner === session;
  }

  /** DDL needs the table free: no other session's transaction (ORA-00054) or temporary rows (ORA-14452) on it. */
  requireFree(table: Table, session: DbSession): void {
    const owner = this.#owner.get(table);
    if (owner && owner !== session)
      throw new OracleError('ORA-00054', 'resource busy and acquire with NOWAIT specified or timeout expired');
    if (table.temporary && [...this.#sessions].some((s) => s !== session && (s.temp.get(table)?.rows.size ?? 0) > 0))
      throw new OracleError('ORA-14452', 'attempt to create, alter or drop an index on temporary table already in use');
  }
}
