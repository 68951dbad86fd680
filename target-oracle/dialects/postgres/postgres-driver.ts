import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { DatabaseError } from '../../../singer/index.js';
import { credentialsRefused, describeDbError } from '../../db-error.js';
import type { PoolStats } from '../../pool-metric.js';
import type { TargetConfig } from '../../settings.js';
import type { BindValue, ExecuteResult, PostgresSession } from './postgres-session.js';

/** Text for every type a JS number or Date would change: int8, numeric, timestamp(tz), date, time(tz). */
const TEXT_TYPES = new Set([20, 1700, 1114, 1184, 1082, 1083, 1266]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_TYPES.has(oid)
      ? (value: string) => value
      : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

/** One open connection: its session, its figures for the `pool` METRIC, and the way to close it. */
export interface PostgresConnectionHandle {
  session: PostgresSession;
  stats(): PoolStats;
  close(): Promise<void>;
}

/**
 * The only module that imports `pg`: one client holding a transaction open between commits (the target has at most
 * one transaction at a time, so a pool would only hold idle connections). Session time zone UTC.
 */
export async function connectPostgres(config: TargetConfig): Promise<PostgresConnectionHandle> {
  const client = new pg.Client({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    connectionTimeoutMillis: config.connectTimeoutSeconds * 1000,
    statement_timeout: config.statementTimeoutSeconds > 0 ? config.statementTimeoutSeconds * 1000 : undefined,
    application_name: 'target-oracle',
    types,
  });
  // A dropped connection's error surfaces on the next query; keep it from crashing the process here.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query("SET TIME ZONE 'UTC'");
    await client.query('BEGIN');
  } catch (error) {
    await client.end().catch(() => undefined);
    const where = `${config.host}:${config.port}/${config.database ?? ''}`;
    throw new DatabaseError(`Cannot connect to PostgreSQL at ${where}: ${describeDbError(error)}`, {
      code: (error as { code?: string }).code,
      cause: error,
      retriable: !credentialsRefused(error),
    });
  }

  const counts = { opened: 1, closed: 0 };
  const session: PostgresSession = {
    async execute(text: string, binds: BindValue[] = []): Promise<ExecuteResult> {
      const result = await client.query(text, binds);
      return { rows: result.rows as Record<string, unknown>[], rowsAffected: result.rowCount ?? undefined };
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
      if (counts.closed === counts.opened) return;
      counts.closed = counts.opened;
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
  const isOpen = (): number => counts.opened - counts.closed;
  return {
    session,
    stats: (): PoolStats => ({
      poolMin: 1,
      poolMax: 1,
      connectionsOpen: isOpen(),
      connectionsInUse: isOpen(),
      connectionsOpened: counts.opened,
      connectionsClosed: counts.closed,
    }),
    // A connection already gone is closed enough; the run's own outcome is what matters.
    close: () => session.close().catch(() => undefined),
  };
}
