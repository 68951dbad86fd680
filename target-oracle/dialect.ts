import type { LogicalType } from './logical-type.js';
import type { NamingRules } from './names.js';
import type { PoolStats } from './pool-metric.js';
import type { Dialects as DialectName, SchemaChangePolicy } from './settings.js';
import type { Cell, IntegerRange } from './values.js';

export interface ColumnSpec {
  /** The record property feeding this column. */
  property: string;
  /** Conformed, unquoted column name. */
  name: string;
  type: LogicalType;
  /**
   * The integers an existing column really holds when narrower than what `type` says (a PostgreSQL integer,
   * smallint or numeric(p,0) column made by someone else): values beyond it are refused before the database.
   */
  range?: IntegerRange;
}

export interface TableSpec {
  stream: string;
  /** Conformed schema (Oracle owner); undefined = the session's current schema. */
  schema?: string;
  name: string;
  columns: ColumnSpec[];
  /** Column names of the primary key (empty: append only). */
  keyColumns: string[];
}

/** How a flush writes one stream's rows. */
export type WriteMode = 'upsert' | 'append' | 'history';

export interface LoadRequest {
  table: TableSpec;
  mode: WriteMode;
  /** Rows aligned with `table.columns`, deduplicated by key, in arrival order. */
  rows: Cell[][];
  /** Rows to delete by key (records carrying _sdc_deleted_at with hard_delete); aligned like `rows`. */
  deletes: Cell[][];
}

export interface LoadStats {
  inserted: number;
  updated: number;
  deleted: number;
  /** Values changed on the way in (e.g. NUL characters PostgreSQL cannot store). */
  sanitized: number;
}

/** Commit makes everything since the last commit durable; rollback undoes it. */
export interface Transaction {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/**
 * The port the core writes through: a dialect bound to the one connection of a run. Its operations run in that
 * connection's open transaction; nothing is durable until `commit`. Each dialect owns its driver, SQL and session
 * types (dialects/oracle/, dialects/postgres/); the core sees only this.
 */
export interface Dialect extends Transaction {
  readonly name: DialectName;
  readonly naming: NamingRules;
  /** An `x-sql-datatype` as this database's DDL text; undefined when it is not a type name with numeric parameters. */
  nativeType(text: string): string | undefined;
  /**
   * Create the table, or add missing columns and widen types; returns the table as it now is. Idempotent. DDL may
   * commit by itself (Oracle), so the core calls it only with no batch pending.
   */
  ensureTable(desired: TableSpec, policy: SchemaChangePolicy): Promise<TableSpec>;
  /**
   * Changes the table needs before this batch's rows can be written (Oracle: a value longer than its VARCHAR2 widens
   * the column to CLOB). DDL may commit by itself, so the core calls it for every stream of a flush before any load.
   */
  prepareLoad?(table: TableSpec, rows: Cell[][]): Promise<void>;
  /** Write one stream's batch inside the current transaction; never commits. */
  load(request: LoadRequest): Promise<LoadStats>;
  /** Soft- or hard-delete rows of versions older than `version` (or without a version). Returns rows affected. */
  activateVersion(table: TableSpec, version: number, hardDelete: boolean): Promise<number>;
  /** Drops the table if it exists (an overwrite's shadow; Oracle: its staging table too). DDL: between flushes. */
  dropTable(table: Pick<TableSpec, 'schema' | 'name'>): Promise<void>;
  /**
   * Overwrite's swap: every row of `table` replaced by the rows of `shadow` (same columns) inside the current
   * transaction, so readers see the old rows until the COMMIT and the new ones after it. Returns the rows copied.
   */
  replaceFrom(table: TableSpec, shadow: TableSpec): Promise<number>;
}

/** The run lock, held on a connection of its own until `release` (or until that session ends: a killed run). */
export interface RunLock {
  /** Fails (DatabaseError, retriable) when the lock's session is gone, so the lock may be held by another run. */
  check(): Promise<void>;
  release(): Promise<void>;
}

/** An open dialect: the port, the connection's figures for the `pool` METRIC, and the way to close it. */
export interface DialectConnection {
  dialect: Dialect;
  /**
   * Takes the run lock `key` on a connection of its own, across processes and machines (the database holds it);
   * RunLockedError (exit 75) when another session holds it. Taken before anything is loaded.
   */
  lockRun(key: string): Promise<RunLock>;
  stats(): PoolStats;
  /** Rolls back what is not committed and closes the connection. */
  close(): Promise<void>;
}
