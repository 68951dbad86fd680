import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { DatabaseError } from '../../../singer/index.js';
import { describeDbError } from '../../db-error.js';
import type {
  BindValue,
  Connection,
  ExecuteManyOptions,
  ExecuteManyResult,
  ExecuteResult,
  PoolStats,
} from '../../session.js';
import type { TargetConfig } from '../../settings.js';
import type { PostgresSession } from './postgres-session.js';

/** The only module that imports `pg`: a pool (min = max) and one session holding a transaction open between commits. */
export async function openPostgres(config: TargetConfig): Promise<Connection<PostgresSession>> {
  const counts = { opened: 0, closed: 0 };
  const pool = new pg.Pool({
    host: config.host,
    port: config.port ?? 5432,
    user: config.user,
    password: config.password,
    database: config.database,
    max: config.poolSize,
    min: config.poolSize,
    connectionTimeoutMillis: config.connectTimeoutSeconds * 1000,
    statement_timeout: config.statementTimeoutSeconds > 0 ? config.statementTimeoutSeconds * 1000 : undefined,
    application_name: 'target-oracle',
  });
  pool.on('connect', () => {
    counts.opened += 1;
  });
  // An idle client's error (server restart) surfaces on the next query; keep it from crashing the process here.
  pool.on('error', () => undefined);

  let client: pg.PoolClient;
  try {
    client = await pool.connect();
    await client.query("SET TIME ZONE 'UTC'");
    await client.query('BEGIN');
  } catch (error) {
    await pool.end().catch(() => undefined);
    const where = `${config.host}:${config.port ?? 5432}/${config.database ?? ''}`;
    throw new DatabaseError(`Cannot connect to PostgreSQL at ${where}: ${describeDbError(error)}`, {
      code: (error as { code?: string }).code,
      cause: error,
      retriable: true,
    });
  }

  let inUse = 1;
  const session: PostgresSession = {
    async execute(text: string, binds: BindValue[] = []): Promise<ExecuteResult> {
      const result = await client.query(text, binds);
      return { rows: result.rows as Record<string, unknown>[], rowsAffected: result.rowCount ?? undefined };
    },
    async executeMany(text: string, rows: BindValue[][], _options?: ExecuteManyOptions): Promise<ExecuteManyResult> {
      const dmlRowCounts: number[] = [];
      for (const binds of rows) dmlRowCounts.push((await client.query(text, binds)).rowCount ?? 0);
      return { rowsAffected: dmlRowCounts.reduce((a, b) => a + b, 0), dmlRowCounts };
    },
    async copyIn(text: string, chunks: Iterable<string>): Promise<number> {
      const stream = client.query(copyStreams.from(text));
      await pipeline(Readable.from(chunks, { objectMode: false }), stream);
      return stream.rowCount;
    },
    async commit(): Promise<void> {
      await client.query('COMMIT');
      await client.query('BEGIN');
    },
    async rollback(): Promise<void> {
      await client.query('ROLLBACK');
      await client.query('BEGIN');
    },
    async close(): Promise<void> {
      if (inUse === 0) return;
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      inUse = 0;
    },
  };

  return {
    session,
    stats: (): PoolStats => ({
      poolMin: config.poolSize,
      poolMax: config.poolSize,
      connectionsOpen: pool.totalCount,
      connectionsInUse: inUse,
      connectionsOpened: counts.opened,
      connectionsClosed: counts.closed,
      queueLength: pool.waitingCount,
    }),
    async close(): Promise<void> {
      await session.close();
      await pool.end();
      // pool.end() has ended every client it opened.
      counts.closed = counts.opened;
    },
  };
}
