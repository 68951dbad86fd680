/**
 * The subset of a database driver the target needs (the kysely move): dialects wrap `oracledb` or `pg` behind it,
 * and tests substitute a recording implementation. Binds are positional.
 */
export type BindValue = string | number | null | (string | null)[];

/** A bind definition independent of the driver: `string` binds carry their tightest byte size. */
export interface BindDef {
  type: 'string' | 'clob';
  maxSize?: number;
}

export interface ExecuteResult {
  rows?: Record<string, unknown>[];
  rowsAffected?: number;
}

export interface ExecuteManyOptions {
  bindDefs?: BindDef[];
  /** Ask for the affected-row count of each input row (Oracle `dmlRowCounts`). */
  dmlRowCounts?: boolean;
}

export interface ExecuteManyResult {
  rowsAffected?: number;
  dmlRowCounts?: number[];
}

export interface Session {
  execute(sql: string, binds?: BindValue[]): Promise<ExecuteResult>;
  executeMany(sql: string, rows: BindValue[][], options?: ExecuteManyOptions): Promise<ExecuteManyResult>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

/** Connection-pool figures for the `pool` METRIC (leaks show as opened ≠ closed at the end). */
export interface PoolStats {
  poolMin: number;
  poolMax: number;
  connectionsOpen: number;
  connectionsInUse: number;
  connectionsOpened: number;
  connectionsClosed: number;
  queueLength?: number;
}

/** An open pool plus the one session the target works in. */
export interface Connection<S extends Session = Session> {
  session: S;
  stats(): PoolStats;
  /** Releases the session and closes the pool. */
  close(): Promise<void>;
}
