import { RunLockedError } from '../../../singer/index.js';
import { dbStep } from '../../db-error.js';
import type { RunLock } from '../../dialect.js';
import type { PostgresSession } from './postgres-session.js';

/** Advisory-lock keys are shared by every application of the database: ours are namespaced. */
export const RUN_LOCK_SQL =
  "SELECT pg_try_advisory_lock(hashtextextended('target-oracle run lock:' || $1, 0)) AS taken";

/**
 * The run lock on PostgreSQL: a session-level advisory lock on a connection of its own, outside any transaction (so
 * idle_in_transaction_session_timeout never ends it). Another run's try fails at once; the lock goes with the
 * session (a killed run's connection closes, the server releases it).
 */
export async function lockPostgresRun(session: PostgresSession, key: string): Promise<RunLock> {
  // connectPostgres opened a transaction; the lock session stays idle outside one.
  await session.execute('COMMIT');
  const result = await session.execute(RUN_LOCK_SQL, [key]);
  if (result.rows?.[0]?.taken !== true) throw new RunLockedError(key);
  return {
    check: () => dbStep('checking the run lock', async () => void (await session.execute('SELECT 1'))),
    release: () => session.close(),
  };
}
