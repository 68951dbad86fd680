import type { TargetDialect } from '../settings.js';

/** Connection settings of the target database, as the target's own config names them. */
export interface TargetDbConfig {
  dialect: TargetDialect;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  service_name?: string;
  sid?: string;
  connect_string?: string;
  default_target_schema?: string;
  table_prefix?: string;
  oracle_max_identifier_bytes?: number;
  connect_timeout_seconds?: number;
}

/**
 * The little the orchestrator asks of the target database (health and consistency check). One file per dialect;
 * only those files import a driver. Column names in returned rows are lower-cased; values come back as text where
 * a driver would round them (numerics, 64-bit integers, timestamps).
 */
export interface TargetDb {
  ping(): Promise<void>;
  /** The table's real name in the database (case-folded and cut like the target does), or undefined if it does not exist. */
  tableName(stream: string): Promise<string | undefined>;
  /** Live rows: those with `_sdc_deleted_at` set (soft-deleted by a full sync) are not counted. */
  count(table: string): Promise<number>;
  rowsByIds(table: string, ids: readonly string[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function openTargetDb(config: TargetDbConfig): Promise<TargetDb> {
  if (config.dialect === 'postgres') {
    const { PostgresTargetDb } = await import('./postgres-db.js');
    return PostgresTargetDb.open(config);
  }
  const { OracleTargetDb } = await import('./oracle-db.js');
  return OracleTargetDb.open(config);
}
