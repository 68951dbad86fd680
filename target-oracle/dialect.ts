import type { LogicalType } from './logical-type.js';
import type { Cell } from './values.js';
import type { NamingRules } from './names.js';
import type { SchemaChangePolicy } from './settings.js';
import type { Session } from './session.js';

export interface ColumnSpec {
  /** The record property feeding this column. */
  property: string;
  /** Conformed, unquoted column name. */
  name: string;
  type: LogicalType;
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
  /** Replace the table contents first (load_method overwrite, first flush of the stream in this run). */
  replace: boolean;
}

export interface LoadStats {
  inserted: number;
  updated: number;
  deleted: number;
  /** Values changed on the way in (e.g. NUL characters PostgreSQL cannot store). */
  sanitized: number;
}

export interface Dialect<S extends Session = Session> {
  readonly name: 'oracle' | 'postgres';
  readonly naming: NamingRules;
  /** A column, table or schema name as the database will hold it (unquoted). */
  conformName(name: string): string;
  /** An `x-sql-datatype` as this database's DDL text; undefined when it is not a type name with numeric parameters. */
  nativeType(text: string): string | undefined;
  /** Database type text for a logical type (CREATE TABLE / ALTER). */
  columnType(type: LogicalType): string;
  /** Create the table, or add missing columns and widen types; returns the table as it now is. Idempotent. */
  ensureTable(session: S, desired: TableSpec, policy: SchemaChangePolicy): Promise<TableSpec>;
  /** Write one stream's batch inside the current transaction; never commits. */
  load(session: S, request: LoadRequest): Promise<LoadStats>;
  /** Soft- or hard-delete rows of versions older than `version` (or without a version). Returns rows affected. */
  activateVersion(session: S, table: TableSpec, version: number, hardDelete: boolean): Promise<number>;
}
