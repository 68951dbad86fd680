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

/** How long the client waits past the server's statement_timeout for an answer before it gives up on the socket. */
export const CLIENT_GRACE_MS = 10_000;

/**
 * TCP keepalive (a probe after 60 s idle, so a dropped idle connection is noticed), the server's statement_timeout,
 * and a client-side timeout a little longer: a half-open socket never answers, not even with the server's timeout,
 * and would otherwise hang a flush (and its ROLLBACK) forever.
 */
export function postgresTimeouts(config: Pick<TargetConfig, 'statementTimeoutSeconds'>): {
  keepAlive: true;
  keepAliveInitialDelayMillis: number;
  statement_timeout?: number;
  query_timeout?: number;
} {
  const ms = config.statementTimeoutSeconds * 1000;
  return {
    keepAlive: true,
    keepAliveInitialDelayMillis: 60_000,
    ...(ms > 0 ? { statement_timeout: ms, query_timeout: ms + CLIENT_GRACE_MS } : {}),
  };
}

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
    ...postgresTimeouts(config),
    application_name: 'target-oracle',
    types,
  });
  /** The connection is known to be gone (or not answering): nothing more is sent on it. */
  let broken = false;
  // A dropped connection's error surfaces on the next query; keep it from crashing the process here.
  client.on('error', () => {
    broken = true;
  });
  client.on('end', () => {
    broken = true;
  });
  /** Runs a query; a read timeout (the server did not answer) marks the connection broken. */
  async function send<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if ((error as Error).message === 'Query read timeout') broken = true;
      throw error;
    }
  }
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
      const result = await send(() => client.query(text, binds));
      return { rows: result.rows as Record<string, unknown>[], rowsAffected: result.rowCount ?? undefined };
    },
    async copyIn(text: string, chunks: Iterable<Buffer | string>): Promise<number> {
      return send(async () => {
        const stream = client.query(copyStreams.from(text));
        await pipeline(Readable.from(chunks, { objectMode: false }), stream);
        return stream.rowCount;
      });
    },
    async commit(): Promise<void> {
      await send(() => client.query('COMMIT'));
      await send(() => client.query('BEGIN'));
    },
    async rollback(): Promise<void> {
      // A connection that is gone cannot roll back, and one that does not answer would not: the server rolls back
      // the transaction of a session that ends.
      if (broken) return;
      await send(() => client.query('ROLLBACK'));
      await send(() => client.query('BEGIN'));
    },
    async close(): Promise<void> {
      if (counts.closed === counts.opened) return;
      counts.closed = counts.opened;
      if (!broken) await send(() => client.query('ROLLBACK')).catch(() => undefined);
      // With a query still waiting for an answer, end() destroys the socket instead of waiting on it.
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
