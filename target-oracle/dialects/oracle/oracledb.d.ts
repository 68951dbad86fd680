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
    close(): Promise<void>;
  }
  export interface OracleDb {
    readonly STRING: number;
    readonly DB_TYPE_CLOB: object;
    readonly DB_TYPE_NCLOB: object;
    readonly OUT_FORMAT_OBJECT: number;
    getConnection(options: Record<string, unknown>): Promise<OracleConnection>;
  }
  const oracledb: OracleDb;
  export default oracledb;
}
