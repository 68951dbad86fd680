import oracledb, { type OracleConnection, type OraclePool } from 'oracledb';
import { DatabaseError } from '../../../singer/index.js';
import { credentialsRefused, describeDbError } from '../../db-error.js';
import type { PoolStats } from '../../pool-metric.js';
import type { TargetConfig } from '../../settings.js';
import type {
  BindDef,
  BindValue,
  ExecuteManyOptions,
  ExecuteManyResult,
  ExecuteResult,
  OracleSession,
} from './oracle-session.js';

/**
 * Run on the connection before anything else, so TO_NUMBER(:n) of our canonical '.'-decimal text never depends on
 * database or logon-trigger NLS defaults; timestamps and dates always carry explicit formats in the SQL.
 */
const SESSION_SETUP = "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,' TIME_ZONE = '+00:00'";

/** Easy Connect (or a descriptor for a SID) from the settings; `connect_string` wins when given. */
export function oracleConnectString(config: TargetConfig): string {
  if (config.connectString) return config.connectString;
  if (config.sid) {
    return `(DESCRIPTION=(ADDRESS=(PROTOCOL=${config.protocol.toUpperCase()})(HOST=${config.host})(PORT=${config.port}))(CONNECT_DATA=(SID=${config.sid})))`;
  }
  return `${config.protocol === 'tcps' ? 'tcps://' : ''}${config.host}:${config.port}/${config.serviceName}`;
}

function driverBindDef(def: BindDef): { type: number | object; maxSize?: number } {
  return def.type === 'clob'
    ? { type: oracledb.DB_TYPE_CLOB }
    : { type: oracledb.STRING, maxSize: def.maxSize ?? 4000 };
}

/** Queries return CLOBs as strings (the dialect reads dictionary views; the introspector and tests read data). */
function clobAsString(meta: { dbType?: unknown }): { type: number } | undefined {
  return meta.dbType === oracledb.DB_TYPE_CLOB || meta.dbType === oracledb.DB_TYPE_NCLOB
    ? { type: oracledb.STRING }
    : undefined;
}

/**
 * TCP keepalive of every connection, in minutes (node-oracledb `expireTime`): a probe after this long idle, so a
 * firewall or NAT that silently drops idle connections does not leave a half-open socket behind.
 */
export const KEEPALIVE_MINUTES = 1;

/** The driver options of the target's pool: credentials, connect string, TLS, keepalive and a pool of one. */
export function oraclePoolOptions(config: TargetConfig): Record<string, unknown> {
  return {
    user: config.user,
    password: config.password,
    connectString: oracleConnectString(config),
    connectTimeout: config.connectTimeoutSeconds,
    expireTime: KEEPALIVE_MINUTES,
    ...(config.walletLocation ? { walletLocation: config.walletLocation, configDir: config.walletLocation } : {}),
    ...(config.walletPassword ? { walletPassword: config.walletPassword } : {}),
    // One connection at a time (the target has at most one transaction open), opened on demand; a connection is
    // pinged each time it is taken (bounded by poolPingTimeout), so a dead one is replaced, never used.
    poolMin: 0,
    poolMax: 1,
    poolIncrement: 1,
    poolPingInterval: 0,
  };
}

/** The per-call timeout (node-oracledb `callTimeout`, ms) every connection gets; 0 = none. */
export function oracleCallTimeoutMs(config: TargetConfig): number {
  return config.statementTimeoutSeconds * 1000;
}

/** One open connection: its session, its figures for the `pool` METRIC, and the way to close it. */
export interface OracleConnectionHandle {
  session: OracleSession;
  stats(): PoolStats;
  close(): Promise<void>;
}

function cannotConnect(config: TargetConfig, error: unknown): DatabaseError {
  const where = config.connectString ? 'the configured connect_string' : `${config.host}:${config.port}`;
  return new DatabaseError(`Cannot connect to Oracle at ${where}: ${describeDbError(error)}`, {
    code: (error as { code?: string }).code,
    cause: error,
    retriable: !credentialsRefused(error),
  });
}

/**
 * The only module that imports `oracledb` (Thin mode). A pool of one connection, taken for a unit of work (a flush,
 * DDL, an ACTIVATE_VERSION) and given back at its COMMIT or ROLLBACK: each unit of work starts on a connection the
 * pool has just pinged, so a connection lost while the target was idle (a restart, a killed session, a dropped
 * socket) is replaced instead of failing the run. A failure on a connection the driver knows is broken drops it
 * without a ROLLBACK (the database rolls back a dead session's transaction itself); every call is bounded by the
 * call timeout, a ROLLBACK on a half-open socket included. Every new session gets the NLS settings first.
 */
export async function connectOracle(config: TargetConfig): Promise<OracleConnectionHandle> {
  const callTimeout = oracleCallTimeoutMs(config);
  const counts = { opened: 0 };
  let pool: OraclePool | undefined;
  let current: OracleConnection | undefined;
  try {
    pool = await oracledb.createPool({
      ...oraclePoolOptions(config),
      sessionCallback: (connection: OracleConnection, _tag: string, done: (error?: unknown) => void) => {
        counts.opened += 1;
        connection.callTimeout = callTimeout;
        connection.execute(SESSION_SETUP, [], {}).then(
          () => done(),
          (error: unknown) => done(error),
        );
      },
    });
    // The first connection now: unreachable databases and refused credentials fail the run before any input.
    current = await pool.getConnection();
  } catch (error) {
    await pool?.close(0).catch(() => undefined);
    throw cannotConnect(config, error);
  }
  const open = pool;

  async function acquire(): Promise<OracleConnection> {
    current ??= await open.getConnection();
    current.callTimeout = callTimeout;
    return current;
  }

  /** Gives the connection back (or drops it when broken); the next call takes one the pool has checked. */
  async function release(drop: boolean): Promise<void> {
    const connection = current;
    current = undefined;
    if (!connection) return;
    await (drop || !connection.isHealthy() ? connection.close({ drop: true }) : connection.close()).catch(
      () => undefined,
    );
  }

  const session: OracleSession = {
    async execute(sql: string, binds: BindValue[] = []): Promise<ExecuteResult> {
      const connection = await acquire();
      const result = await connection.execute(sql, binds, {
        outFormat: oracledb.OUT_FORMAT_OBJECT,
        autoCommit: false,
        fetchTypeHandler: clobAsString,
      });
      return { rows: result.rows, rowsAffected: result.rowsAffected };
    },
    async executeMany(sql: string, rows: BindValue[][], options: ExecuteManyOptions = {}): Promise<ExecuteManyResult> {
      const connection = await acquire();
      const result = await connection.executeMany(sql, rows, {
        autoCommit: false,
        ...(options.bindDefs ? { bindDefs: options.bindDefs.map(driverBindDef) } : {}),
        ...(options.dmlRowCounts ? { dmlRowCounts: true } : {}),
      });
      return { rowsAffected: result.rowsAffected, dmlRowCounts: result.dmlRowCounts };
    },
    async commit(): Promise<void> {
      if (!current) return;
      await current.commit();
      await release(false);
    },
    async rollback(): Promise<void> {
      const connection = current;
      if (!connection) return;
      // A broken connection cannot roll back (and a half-open one would not answer): dropping it ends the session,
      // and the database rolls its transaction back.
      if (!connection.isHealthy()) return release(true);
      try {
        await connection.rollback();
      } catch (error) {
        await release(true);
        throw error;
      }
      await release(false);
    },
    async close(): Promise<void> {
      // Giving the connection back rolls back what is not committed.
      await release(false);
      await open.close(0);
    },
  };
  return {
    session,
    stats: (): PoolStats => ({
      poolMin: 0,
      poolMax: 1,
      connectionsOpen: open.connectionsOpen,
      connectionsInUse: open.connectionsInUse,
      connectionsOpened: counts.opened,
      connectionsClosed: counts.opened - open.connectionsOpen,
    }),
    // A connection already gone is closed enough; the run's own outcome is what matters.
    close: () => session.close().catch(() => undefined),
  };
}
