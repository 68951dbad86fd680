import { createHash } from 'node:crypto';
import { RunLockedError } from '../../../singer/index.js';
import { errorCode } from '../../concurrent-ddl.js';
import { dbStep } from '../../db-error.js';
import type { RunLock } from '../../dialect.js';
import type { OracleSession } from './oracle-session.js';
import { tableName } from './oracle-sql.js';

/** The table of run-lock rows, in the target schema (one row per key ever locked; a row is locked, never deleted). */
export const RUN_LOCKS_TABLE = 'SDC_RUN_LOCKS';
/** Longest key stored as it is; a longer one is stored as its SHA-256. */
const KEY_BYTES = 512;

export function runLockRow(key: string): string {
  return Buffer.byteLength(key, 'utf8') <= KEY_BYTES
    ? key
    : `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export function createRunLocksSql(schema: string | undefined): string {
  return `CREATE TABLE ${tableName({ schema, name: RUN_LOCKS_TABLE })} ("LOCK_KEY" VARCHAR2(${KEY_BYTES * 2} BYTE) PRIMARY KEY)`;
}

export function countRunLockSql(schema: string | undefined): string {
  return `SELECT COUNT(*) AS N FROM ${tableName({ schema, name: RUN_LOCKS_TABLE })} WHERE "LOCK_KEY" = :1`;
}

export function insertRunLockSql(schema: string | undefined): string {
  return `INSERT INTO ${tableName({ schema, name: RUN_LOCKS_TABLE })} ("LOCK_KEY") VALUES (:1)`;
}

/** Locks the key's row until the lock session ends its transaction (it never does: it is closed or dies). */
export function lockRunRowSql(schema: string | undefined): string {
  return `SELECT "LOCK_KEY" FROM ${tableName({ schema, name: RUN_LOCKS_TABLE })} WHERE "LOCK_KEY" = :1 FOR UPDATE NOWAIT`;
}

/**
 * The run lock on Oracle, without privileges beyond the schema's own (DBMS_LOCK needs a grant): a row per key in
 * SDC_RUN_LOCKS, locked with SELECT … FOR UPDATE NOWAIT by a session that holds its transaction open for the run.
 * Another run's NOWAIT fails with ORA-00054 at once; a killed run's session is rolled back by the database (PMON),
 * which frees the row. The row is created once (committed) before it is locked; the session's DDL and that commit
 * come before the lock, so nothing releases it later.
 */
export async function lockOracleRun(session: OracleSession, schema: string | undefined, key: string): Promise<RunLock> {
  const row = runLockRow(key);
  try {
    await session.execute(createRunLocksSql(schema));
  } catch (error) {
    // Another run (or an earlier one) created it.
    if (errorCode(error) !== 'ORA-00955') throw error;
  }
  const found = await session.execute(countRunLockSql(schema), [row]);
  if (Number(found.rows?.[0]?.N ?? 0) === 0) {
    try {
      await session.execute(insertRunLockSql(schema), [row]);
      await session.commit();
    } catch (error) {
      // Another run inserted the same key first: its row is there to lock.
      if (errorCode(error) !== 'ORA-00001') throw error;
      await session.rollback();
    }
  }
  try {
    await session.execute(lockRunRowSql(schema), [row]);
  } catch (error) {
    if (errorCode(error) === 'ORA-00054') throw new RunLockedError(key, { cause: error });
    throw error;
  }
  return {
    check: () => dbStep('checking the run lock', async () => void (await session.execute('SELECT 1 FROM DUAL'))),
    release: () => session.close(),
  };
}
