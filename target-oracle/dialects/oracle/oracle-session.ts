/**
 * The slice of a node-oracledb connection the Oracle dialect and introspector use: oracle-driver.ts implements it
 * over `oracledb`, tests substitute a recording implementation. Binds are positional.
 */
export type BindValue = string | number | null | (string | null)[];

/** A bind definition independent of the driver: `string` binds carry their tightest byte size. */
export interface BindDef {
  type: 'string' | 'clob';
  maxSize?: number;
}

export interface ExecuteResult {
  /** Rows as objects keyed by upper-case column name; CLOBs fetched as strings. */
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

export interface OracleSession {
  execute(sql: string, binds?: BindValue[]): Promise<ExecuteResult>;
  executeMany(sql: string, rows: BindValue[][], options?: ExecuteManyOptions): Promise<ExecuteManyResult>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}
