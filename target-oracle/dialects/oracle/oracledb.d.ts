/**
 * The slice of node-oracledb (which ships no types) that oracle-connection.ts uses: our own narrow typing, not
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
    close(): Promise<void>;
  }
  export interface OraclePoolStatistics {
    currentQueueLength?: number;
  }
  export interface OraclePool {
    readonly connectionsOpen: number;
    readonly connectionsInUse: number;
    getConnection(): Promise<OracleConnection>;
    getStatistics(): OraclePoolStatistics | null;
    close(drainTime?: number): Promise<void>;
  }
  export interface OracleDb {
    readonly STRING: number;
    readonly DB_TYPE_CLOB: object;
    readonly DB_TYPE_NCLOB: object;
    readonly OUT_FORMAT_OBJECT: number;
    createPool(options: Record<string, unknown>): Promise<OraclePool>;
  }
  const oracledb: OracleDb;
  export default oracledb;
}
