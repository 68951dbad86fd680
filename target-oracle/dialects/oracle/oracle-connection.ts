import oracledb, { type OracleConnection, type OraclePool } from 'oracledb';
import { DatabaseError } from '../../../singer/index.js';
import { describeDbError } from '../../db-error.js';
import type {
  BindDef,
  BindValue,
  Connection,
  ExecuteManyOptions,
  ExecuteManyResult,
  ExecuteResult,
  PoolStats,
  Session,
} from '../../session.js';
import type { TargetConfig } from '../../settings.js';

/**
 * Every session pins the numeric characters so TO_NUMBER(:n) of our canonical '.'-decimal text never depends on
 * database or logon-trigger NLS defaults; timestamps and dates always carry explicit formats in the SQL.
 */
const SESSION_SETUP = "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,' TIME_ZONE = '+00:00'";

/** Easy Connect (or a descriptor for a SID) from the settings; `connect_string` wins when given. */
export function oracleConnectString(config: TargetConfig): string {
  if (config.connectString) return config.connectString;
  const port = config.port ?? 1521;
  if (config.sid) {
    return `(DESCRIPTION=(ADDRESS=(PROTOCOL=${config.protocol.toUpperCase()})(HOST=${config.host})(PORT=${port}))(CONNECT_DATA=(SID=${config.sid})))`;
  }
  return `${config.protocol === 'tcps' ? 'tcps://' : ''}${config.host}:${port}/${config.serviceName}`;
}

function driverBindDef(def: BindDef): { type: number | object; maxSize?: number } {
  return def.type === 'clob'
    ? { type: oracledb.DB_TYPE_CLOB }
    : { type: oracledb.STRING, maxSize: def.maxSize ?? 4000 };
}

/** Queries return CLOBs as strings (the target only reads dictionary views; tests read data back). */
function clobAsString(meta: { dbType?: unknown }): { type: number } | undefined {
  return meta.dbType === oracledb.DB_TYPE_CLOB || meta.dbType === oracledb.DB_TYPE_NCLOB
    ? { type: oracledb.STRING }
    : undefined;
}

/** The only module that imports `oracledb` (Thin mode): a pool with min = max and statistics on, one session. */
export async function openOracle(config: TargetConfig): Promise<Connection<Session>> {
  const connectString = oracleConnectString(config);
  const counts = { opened: 0, closed: 0 };
  let pool: OraclePool | undefined;
  let connection: OracleConnection;
  try {
    pool = await oracledb.createPool({
      user: config.user,
      password: config.password,
      connectString,
      poolMin: config.poolSize,
      poolMax: config.poolSize,
      poolIncrement: 0,
      enableStatistics: true,
      connectTimeout: config.connectTimeoutSeconds,
      queueTimeout: config.connectTimeoutSeconds * 1000,
      sessionCallback: SESSION_SETUP,
      ...(config.walletLocation ? { walletLocation: config.walletLocation, configDir: config.walletLocation } : {}),
      ...(config.walletPassword ? { walletPassword: config.walletPassword } : {}),
    });
    connection = await pool.getConnection();
    counts.opened += 1;
  } catch (error) {
    await pool?.close(0).catch(() => undefined);
    const where = config.connectString ? 'the configured connect_string' : `${config.host}:${config.port ?? 1521}`;
    throw new DatabaseError(`Cannot connect to Oracle at ${where}: ${describeDbError(error)}`, {
      code: (error as { code?: string }).code,
      cause: error,
      retriable: true,
    });
  }
  if (config.statementTimeoutSeconds > 0) connection.callTimeout = config.statementTimeoutSeconds * 1000;

  let open = true;
  const session: Session = {
    async execute(sql: string, binds: BindValue[] = []): Promise<ExecuteResult> {
      const result = await connection.execute(sql, binds, {
        outFormat: oracledb.OUT_FORMAT_OBJECT,
        autoCommit: false,
        fetchTypeHandler: clobAsString,
      });
      return { rows: result.rows, rowsAffected: result.rowsAffected };
    },
    async executeMany(sql: string, rows: BindValue[][], options: ExecuteManyOptions = {}): Promise<ExecuteManyResult> {
      const result = await connection.executeMany(sql, rows, {
        autoCommit: false,
        ...(options.bindDefs ? { bindDefs: options.bindDefs.map(driverBindDef) } : {}),
        ...(options.dmlRowCounts ? { dmlRowCounts: true } : {}),
      });
      return { rowsAffected: result.rowsAffected, dmlRowCounts: result.dmlRowCounts };
    },
    commit: () => connection.commit(),
    rollback: () => connection.rollback(),
    async close(): Promise<void> {
      if (!open) return;
      open = false;
      await connection.close();
      counts.closed += 1;
    },
  };

  return {
    session,
    stats: (): PoolStats => ({
      poolMin: config.poolSize,
      poolMax: config.poolSize,
      connectionsOpen: pool?.connectionsOpen ?? 0,
      connectionsInUse: pool?.connectionsInUse ?? 0,
      connectionsOpened: counts.opened,
      connectionsClosed: counts.closed,
      queueLength: pool?.getStatistics()?.currentQueueLength,
    }),
    async close(): Promise<void> {
      await session.close().catch(() => undefined);
      await pool?.close(0);
    },
  };
}
