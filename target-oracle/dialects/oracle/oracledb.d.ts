/**
 * The slice of node-oracledb (which ships no types) that oracle-driver.ts uses: our own narrow typing, not
 * @types/oracledb (style-models §3, §4).
 */
declare module 'oracledb' {
  export interface OracleBindDef {
    type: number | object;
    maxSize?: number;
  }
  export interface OracleResult {
    rows?: Record<string, unknown>[];
    rowsAffected?: number;
    dmlRowCounts?: number[];
  }
  export interface OracleConnection {
    callTimeout: number;
    execute(sql: string, binds: unknown[], options: Record<string, unknown>): Promise<OracleResult>;
    executeMany(sql: string, binds: unknown[][], options: Record<string, unknown>): Promise<OracleResult>;
    commit(): Promise<void>;
    rollback(): Promise<void>;
    /** Pooled: back to the pool (rolling back), or out of it with `drop`. */
    close(options?: { drop?: boolean }): Promise<void>;
    /** Thin: false once the driver knows the socket is closed or broken (no round trip). */
    isHealthy(): boolean;
  }
  export interface OraclePool {
    readonly connectionsOpen: number;
    readonly connectionsInUse: number;
    getConnection(): Promise<OracleConnection>;
    close(drainTime?: number): Promise<void>;
  }
  export interface OracleDb {
    readonly STRING: number;
    readonly DB_TYPE_CLOB: object;
    readonly DB_TYPE_NCLOB: object;
    readonly OUT_FORMAT_OBJECT: number;
    getConnection(options: Record<string, unknown>): Promise<OracleConnection>;
    createPool(options: Record<string, unknown>): Promise<OraclePool>;
  }
  const oracledb: OracleDb;
  export default oracledb;
}
