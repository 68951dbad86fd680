import type { ColumnSpec, TableSpec } from '../../dialect.js';
import type { LogicalType } from '../../logical-type.js';
import { acceptNativeType } from '../../native-type.js';
import type { BindDef } from './oracle-session.js';

// Over 250 lines: every SQL text of the dialect, kept together so the golden tests and the grammar parse cover one module.
/**
 * Oracle SQL text, built by pure functions: golden-tested and parsed with the PL/SQL grammar in tests. Identifiers
 * are conformed, then always quoted; values are always bound (`:1`, `:2`, … one slot per bind, never repeated).
 */

/** A stored column: the core's, or the UTC twin of a timestamp key column (oracle-keys.ts). */
export interface OracleColumn extends ColumnSpec {
  /** This column holds SYS_EXTRACT_UTC of the named TIMESTAMP WITH TIME ZONE column. */
  utcOf?: string;
}

export interface OracleTypeOptions {
  booleanType: 'number' | 'boolean';
  jsonType: 'clob' | 'json';
  /** Bytes a VARCHAR2 holds (MAX_STRING_SIZE: 4000 STANDARD, 32767 EXTENDED); STANDARD when not given. */
  maxStringBytes?: number;
}

/** Explicit formats: conversions never depend on the session's NLS settings. */
export const TIMESTAMP_TZ_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM';
export const DATE_FORMAT = 'YYYY-MM-DD';
/** VARCHAR2 limit in bytes with MAX_STRING_SIZE = STANDARD (and EXTENDED); longer strings go to CLOB. */
export const VARCHAR2_MAX = 4000;
export const VARCHAR2_EXTENDED_MAX = 32767;

export function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function tableName(table: Pick<TableSpec, 'schema' | 'name'>): string {
  return table.schema === undefined ? quote(table.name) : `${quote(table.schema)}.${quote(table.name)}`;
}

/** The Oracle types `x-sql-datatype` may name (shapes as parsed by native-type.ts). */
const ORACLE_NATIVE_TYPES: ReadonlySet<string> = new Set(
  `NUMBER; NUMBER(n); NUMBER(n,n); FLOAT; FLOAT(n); BINARY_FLOAT; BINARY_DOUBLE; INTEGER; SMALLINT; VARCHAR2(n);
  VARCHAR2(n CHAR); VARCHAR2(n BYTE); NVARCHAR2(n); CHAR; CHAR(n); CHAR(n CHAR); CHAR(n BYTE); NCHAR; NCHAR(n);
  CLOB; NCLOB; BLOB; RAW(n); DATE; TIMESTAMP; TIMESTAMP(n); TIMESTAMP WITH TIME ZONE;
  TIMESTAMP(n) WITH TIME ZONE; TIMESTAMP WITH LOCAL TIME ZONE; TIMESTAMP(n) WITH LOCAL TIME ZONE;
  INTERVAL YEAR TO MONTH; INTERVAL YEAR(n) TO MONTH; INTERVAL DAY TO SECOND; INTERVAL DAY(n) TO SECOND;
  INTERVAL DAY TO SECOND(n); INTERVAL DAY(n) TO SECOND(n); JSON; BOOLEAN`.split(/\s*;\s*/),
);

/** An `x-sql-datatype` as Oracle DDL text, or undefined when it is not an Oracle type with numeric parameters. */
export function oracleNativeType(text: string): string | undefined {
  return acceptNativeType(text, ORACLE_NATIVE_TYPES);
}

/** A string column is a CLOB when unbounded or longer than a VARCHAR2 can be. */
export function isClob(type: LogicalType, options: Pick<OracleTypeOptions, 'maxStringBytes'>): boolean {
  return (
    type.kind === 'string' &&
    (type.maxLength === undefined || type.maxLength > (options.maxStringBytes ?? VARCHAR2_MAX))
  );
}

export function oracleType(type: LogicalType, options: OracleTypeOptions): string {
  switch (type.kind) {
    case 'integer':
      return `NUMBER(${Math.min(type.digits ?? 38, 38)})`;
    case 'decimal':
      return type.precision === undefined ? 'NUMBER' : `NUMBER(${Math.min(type.precision, 38)},${type.scale ?? 0})`;
    case 'string':
      return isClob(type, options) ? 'CLOB' : `VARCHAR2(${type.maxLength} CHAR)`;
    case 'timestamp':
      return 'TIMESTAMP(6) WITH TIME ZONE';
    case 'date':
      return 'DATE';
    case 'boolean':
      return options.booleanType === 'boolean' ? 'BOOLEAN' : 'NUMBER(1)';
    case 'json':
      return options.jsonType === 'json' ? 'JSON' : 'CLOB';
    case 'native':
      return type.sql;
  }
}

function columnDef(column: OracleColumn, options: OracleTypeOptions): string {
  if (column.utcOf !== undefined) return `${quote(column.name)} TIMESTAMP(6)`;
  let check = '';
  if (column.type.kind === 'json' && options.jsonType === 'clob') check = ` CHECK (${quote(column.name)} IS JSON)`;
  // The check is what tells a NUMBER(1) boolean from a one-digit integer when the table is read back.
  if (column.type.kind === 'boolean' && options.booleanType === 'number') check = ` ${booleanCheck(column.name)}`;
  return `${quote(column.name)} ${oracleType(column.type, options)}${check}`;
}

/** The SQL expression turning bind `:n` (always text) into the column's type. */
export function bindExpression(type: LogicalType, n: number, options: OracleTypeOptions): string {
  const bind = `:${n}`;
  switch (type.kind) {
    case 'integer':
    case 'decimal':
      return `TO_NUMBER(${bind})`;
    case 'timestamp':
      return `TO_TIMESTAMP_TZ(${bind}, '${TIMESTAMP_TZ_FORMAT}')`;
    case 'date':
      return `TO_DATE(${bind}, '${DATE_FORMAT}')`;
    case 'boolean':
      return options.booleanType === 'boolean' ? `TO_BOOLEAN(${bind})` : `TO_NUMBER(${bind})`;
    case 'json':
      return options.jsonType === 'json' ? `JSON(${bind})` : bind;
    default:
      return bind;
  }
}

/** The value of a column from bind `:n`: a UTC twin converts its source's text, then takes the UTC instant. */
export function columnValue(column: OracleColumn, n: number, options: OracleTypeOptions): string {
  const value = bindExpression(column.type, n, options);
  return column.utcOf === undefined ? value : `SYS_EXTRACT_UTC(${value})`;
}

/**
 * Bind size in bytes: what the column can take (characters × 4 for UTF-8, at most the VARCHAR2 byte limit: a
 * larger STRING bind is a LONG bind, which Oracle refuses for a VARCHAR2 column), so executeMany reserves little.
 */
export function bindDef(type: LogicalType, options: Pick<OracleTypeOptions, 'maxStringBytes'> = {}): BindDef {
  const limit = options.maxStringBytes ?? VARCHAR2_MAX;
  switch (type.kind) {
    case 'integer':
    case 'decimal':
      return { type: 'string', maxSize: 130 };
    case 'timestamp':
      return { type: 'string', maxSize: 32 };
    case 'date':
      return { type: 'string', maxSize: 10 };
    case 'boolean':
      return { type: 'string', maxSize: 5 };
    case 'string':
      return isClob(type, options)
        ? { type: 'clob' }
        : { type: 'string', maxSize: Math.max(1, Math.min(type.maxLength! * 4, limit)) };
    case 'json':
      return { type: 'clob' };
    case 'native':
      return { type: 'string', maxSize: limit };
  }
}

export function createTableSql(table: TableSpec, options: OracleTypeOptions): string {
  const parts = table.columns.map((c) => columnDef(c, options));
  if (table.keyColumns.length > 0) parts.push(`PRIMARY KEY (${table.keyColumns.map(quote).join(', ')})`);
  return `CREATE TABLE ${tableName(table)} (${parts.join(', ')})`;
}

export function addColumnSql(table: TableSpec, column: ColumnSpec, options: OracleTypeOptions): string {
  return `ALTER TABLE ${tableName(table)} ADD (${columnDef(column, options)})`;
}

export function modifyColumnSql(table: TableSpec, column: ColumnSpec, options: OracleTypeOptions): string {
  return `ALTER TABLE ${tableName(table)} MODIFY (${quote(column.name)} ${oracleType(column.type, options)})`;
}

export function renameColumnSql(table: TableSpec, from: string, to: string): string {
  return `ALTER TABLE ${tableName(table)} RENAME COLUMN ${quote(from)} TO ${quote(to)}`;
}

export function dropColumnSql(table: TableSpec, name: string): string {
  return `ALTER TABLE ${tableName(table)} DROP COLUMN ${quote(name)}`;
}

/** Copies a column into its rebuilt twin, converting to the new type with explicit formats. */
export function copyColumnSql(table: TableSpec, from: string, fromKind: string, to: ColumnSpec): string {
  let value = quote(from);
  if (to.type.kind === 'string') {
    if (fromKind === 'timestamp') value = `TO_CHAR(${value}, '${TIMESTAMP_TZ_FORMAT}')`;
    else if (fromKind === 'date') value = `TO_CHAR(${value}, '${DATE_FORMAT}')`;
    else if (fromKind === 'string' || fromKind === 'json')
      value = to.type.maxLength === undefined ? `TO_CLOB(${value})` : value;
    else value = `TO_CHAR(${value})`;
  } else if (to.type.kind === 'timestamp' && fromKind === 'date') {
    value = `FROM_TZ(CAST(${value} AS TIMESTAMP), '+00:00')`;
  }
  return `UPDATE ${tableName(table)} SET ${quote(to.name)} = ${value}`;
}

/** Fills a UTC twin added to a table that has rows (only where it is still empty: the step can be repeated). */
export function fillUtcTwinSql(table: TableSpec, twin: OracleColumn & { utcOf: string }): string {
  return `UPDATE ${tableName(table)} SET ${quote(twin.name)} = SYS_EXTRACT_UTC(${quote(twin.utcOf)}) WHERE ${quote(twin.name)} IS NULL`;
}

/** Succeeds under MAX_STRING_SIZE = EXTENDED, fails with ORA-00910 under STANDARD (needs no privilege, unlike V$PARAMETER). */
export const EXTENDED_STRINGS_PROBE_SQL = `SELECT CAST(NULL AS VARCHAR2(${VARCHAR2_EXTENDED_MAX})) AS v FROM dual`;

export function dropPrimaryKeySql(table: TableSpec, constraint: string): string {
  return `ALTER TABLE ${tableName(table)} DROP CONSTRAINT ${quote(constraint)}`;
}

export function addPrimaryKeySql(table: TableSpec): string {
  return `ALTER TABLE ${tableName(table)} ADD PRIMARY KEY (${table.keyColumns.map(quote).join(', ')})`;
}

/** The constraint marking a NUMBER(1) column as a boolean. */
export function booleanCheck(column: string): string {
  return `CHECK (${quote(column)} IN (0, 1))`;
}

/** Is a check constraint's condition (as ALL_CONSTRAINTS shows it) the boolean marker of `column`? */
export function isBooleanCheck(condition: string, column: string): boolean {
  return condition.replace(/\s+/g, '') === `${quote(column)}IN(0,1)`;
}

const OWNER = "COALESCE(:1, SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA'))";

/** Columns of a table: :1 owner (NULL = current schema), :2 table. */
export const COLUMNS_SQL =
  'SELECT column_name, data_type, char_length, data_precision, data_scale FROM all_tab_columns ' +
  `WHERE owner = ${OWNER} AND table_name = :2 ORDER BY column_id`;

/** Primary-key constraint and columns in key order: :1 owner (NULL = current schema), :2 table. */
export const PRIMARY_KEY_SQL =
  'SELECT c.constraint_name, cc.column_name FROM all_constraints c JOIN all_cons_columns cc ' +
  'ON cc.owner = c.owner AND cc.constraint_name = c.constraint_name ' +
  `WHERE c.constraint_type = 'P' AND c.owner = ${OWNER} AND c.table_name = :2 ORDER BY cc.position`;

/** Check constraints of a table with their column (SEARCH_CONDITION: LONG, readable on every version): :1 owner, :2 table. */
export const CHECKS_SQL =
  'SELECT cc.column_name, c.search_condition FROM all_constraints c JOIN all_cons_columns cc ' +
  'ON cc.owner = c.owner AND cc.constraint_name = c.constraint_name ' +
  `WHERE c.constraint_type = 'C' AND c.owner = ${OWNER} AND c.table_name = :2`;

/**
 * Row-wise MERGE for executeMany: bind i+1 feeds column i. Key columns are only in ON (ORA-38104); history mode and
 * all-key tables have no WHEN MATCHED branch, so duplicates are ignored.
 */
export function mergeSql(table: TableSpec, options: OracleTypeOptions, history: boolean): string {
  const select = table.columns.map((c, i) => `${columnValue(c, i + 1, options)} AS ${quote(c.name)}`).join(', ');
  return mergeFromSql(table, `(SELECT ${select} FROM dual)`, history);
}

/**
 * A column's value when a row is updated: the source's, except _sdc_table_version, which never goes down. Two full
 * syncs that overlap write the same rows in turn; a row the newer one wrote keeps its version when the older one
 * writes it again, so the newer ACTIVATE_VERSION does not retire it. (A NULL version, a row of an incremental
 * sync, keeps the row's version too.) GREATEST is NULL when either side is, hence the COALESCEs.
 */
function updatedValue(column: ColumnSpec): string {
  const src = `src.${quote(column.name)}`;
  if (column.property !== '_sdc_table_version') return src;
  const tgt = `tgt.${quote(column.name)}`;
  return `GREATEST(COALESCE(${tgt}, ${src}), COALESCE(${src}, ${tgt}))`;
}

/** MERGE from any source relation whose columns are named like the table's. */
export function mergeFromSql(table: TableSpec, source: string, history: boolean): string {
  const on = table.keyColumns.map((k) => `tgt.${quote(k)} = src.${quote(k)}`).join(' AND ');
  const updatable = table.columns.filter((c) => !table.keyColumns.includes(c.name));
  const matched =
    history || updatable.length === 0
      ? ''
      : ` WHEN MATCHED THEN UPDATE SET ${updatable.map((c) => `tgt.${quote(c.name)} = ${updatedValue(c)}`).join(', ')}`;
  const columns = table.columns.map((c) => quote(c.name)).join(', ');
  const values = table.columns.map((c) => `src.${quote(c.name)}`).join(', ');
  return `MERGE INTO ${tableName(table)} tgt USING ${source} src ON (${on})${matched} WHEN NOT MATCHED THEN INSERT (${columns}) VALUES (${values})`;
}

export function insertSql(target: string, table: TableSpec, options: OracleTypeOptions): string {
  const columns = table.columns.map((c) => quote(c.name)).join(', ');
  const values = table.columns.map((c, i) => columnValue(c, i + 1, options)).join(', ');
  return `INSERT INTO ${target} (${columns}) VALUES (${values})`;
}

function keyColumns(table: TableSpec): ColumnSpec[] {
  return table.keyColumns.map((name) => table.columns.find((c) => c.name === name)!);
}

export function deleteByKeySql(table: TableSpec, options: OracleTypeOptions): string {
  const match = keyColumns(table)
    .map((c, i) => `${quote(c.name)} = ${columnValue(c, i + 1, options)}`)
    .join(' AND ');
  return `DELETE FROM ${tableName(table)} WHERE ${match}`;
}

/** How many of `rows` keys already exist (binds: the key columns of each row, row after row). */
export function countExistingSql(table: TableSpec, rows: number, options: OracleTypeOptions): string {
  const keys = keyColumns(table);
  let n = 0;
  const terms: string[] = [];
  for (let r = 0; r < rows; r += 1) {
    terms.push(`(${keys.map((c) => `${quote(c.name)} = ${columnValue(c, (n += 1), options)}`).join(' AND ')})`);
  }
  return `SELECT COUNT(*) AS n FROM ${tableName(table)} WHERE ${terms.join(' OR ')}`;
}

/** Overwrite: DELETE (not TRUNCATE, which is DDL and commits) so readers see old rows until COMMIT. */
export function deleteAllSql(table: Pick<TableSpec, 'schema' | 'name'>): string {
  return `DELETE FROM ${tableName(table)}`;
}

/**
 * Overwrite's swap, after DELETE in the same transaction (no TRUNCATE or RENAME: DDL commits by itself, and readers
 * would see an empty or missing table): the shadow's rows into the table.
 */
export function insertFromSql(table: TableSpec, source: Pick<TableSpec, 'schema' | 'name'>): string {
  const columns = table.columns.map((c) => quote(c.name)).join(', ');
  return `INSERT INTO ${tableName(table)} (${columns}) SELECT ${columns} FROM ${tableName(source)}`;
}

export function activateVersionSql(
  table: TableSpec,
  versionColumn: string,
  deletedColumn: string,
  hardDelete: boolean,
): string {
  const older = `(${quote(versionColumn)} < TO_NUMBER(:1) OR ${quote(versionColumn)} IS NULL)`;
  return hardDelete
    ? `DELETE FROM ${tableName(table)} WHERE ${older}`
    : `UPDATE ${tableName(table)} SET ${quote(deletedColumn)} = SYSTIMESTAMP WHERE ${older} AND ${quote(deletedColumn)} IS NULL`;
}

/** The session-private staging table of the `staging` strategy (rows vanish at COMMIT). */
export function createStagingSql(stage: Pick<TableSpec, 'schema' | 'name'>, table: TableSpec): string {
  return `CREATE GLOBAL TEMPORARY TABLE ${tableName(stage)} ON COMMIT DELETE ROWS AS SELECT * FROM ${tableName(table)} WHERE 1 = 0`;
}

export function dropTableSql(table: Pick<TableSpec, 'schema' | 'name'>): string {
  return `DROP TABLE ${tableName(table)} PURGE`;
}

/** Staging strategy: rows of the stage whose key already exists (= rows the MERGE will update). */
export function countStagedExistingSql(stage: Pick<TableSpec, 'schema' | 'name'>, table: TableSpec): string {
  const on = table.keyColumns.map((k) => `tgt.${quote(k)} = src.${quote(k)}`).join(' AND ');
  return `SELECT COUNT(*) AS n FROM ${tableName(stage)} src WHERE EXISTS (SELECT 1 FROM ${tableName(table)} tgt WHERE ${on})`;
}
