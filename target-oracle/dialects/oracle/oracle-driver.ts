import oracledb, { type OracleConnection } from 'oracledb';
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

/** One open connection: its session, its figures for the `pool` METRIC, and the way to close it. */
export interface OracleConnectionHandle {
  session: OracleSession;
  stats(): PoolStats;
  close(): Promise<void>;
}

/**
 * The only module that imports `oracledb` (Thin mode). One standalone connection: the target has at most one
 * transaction open, and the introspector reads one query at a time, so a pool would only hold idle connections.
 */
export async function connectOracle(config: TargetConfig): Promise<OracleConnectionHandle> {
  let connection: OracleConnection | undefined;
  try {
    connection = await oracledb.getConnection({
      user: config.user,
      password: config.password,
      connectString: oracleConnectString(config),
      connectTimeout: config.connectTimeoutSeconds,
      ...(config.walletLocation ? { walletLocation: config.walletLocation, configDir: config.walletLocation } : {}),
      ...(config.walletPassword ? { walletPassword: config.walletPassword } : {}),
    });
    await connection.execute(SESSION_SETUP, [], {});
  } catch (error) {
    await connection?.close().catch(() => undefined);
    const where = config.connectString ? 'the configured connect_string' : `${config.host}:${config.port}`;
    throw new DatabaseError(`Cannot connect to Oracle at ${where}: ${describeDbError(error)}`, {
      code: (error as { code?: string }).code,
      cause: error,
      retriable: !credentialsRefused(error),
    });
  }
  const open = connection;
  if (config.statementTimeoutSeconds > 0) open.callTimeout = config.statementTimeoutSeconds * 1000;

  const counts = { opened: 1, closed: 0 };
  const session: OracleSession = {
    async execute(sql: string, binds: BindValue[] = []): Promise<ExecuteResult> {
      const result = await open.execute(sql, binds, {
        outFormat: oracledb.OUT_FORMAT_OBJECT,
        autoCommit: false,
        fetchTypeHandler: clobAsString,
      });
      return { rows: result.rows, rowsAffected: result.rowsAffected };
    },
    async executeMany(sql: string, rows: BindValue[][], options: ExecuteManyOptions = {}): Promise<ExecuteManyResult> {
      const result = await open.executeMany(sql, rows, {
        autoCommit: false,
        ...(options.bindDefs ? { bindDefs: options.bindDefs.map(driverBindDef) } : {}),
        ...(options.dmlRowCounts ? { dmlRowCounts: true } : {}),
      });
      return { rowsAffected: result.rowsAffected, dmlRowCounts: result.dmlRowCounts };
    },
    commit: () => open.commit(),
    rollback: () => open.rollback(),
    async close(): Promise<void> {
      if (counts.closed === counts.opened) return;
      counts.closed = counts.opened;
      // Closing rolls back what is not committed.
      await open.close();
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
