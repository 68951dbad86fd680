import type { ColumnSpec, TableSpec } from '../../dialect.js';
import type { LogicalType } from '../../logical-type.js';
import { acceptNativeType } from '../../native-type.js';

/** PostgreSQL SQL text, built by pure functions (golden-tested). Identifiers are conformed, then always quoted. */

export function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function tableName(table: Pick<TableSpec, 'schema' | 'name'>): string {
  return table.schema === undefined ? quote(table.name) : `${quote(table.schema)}.${quote(table.name)}`;
}

/** The PostgreSQL types `x-sql-datatype` may name (shapes as parsed by native-type.ts, upper case). */
const PG_NATIVE_TYPES: ReadonlySet<string> = new Set(
  `SMALLINT; INTEGER; INT; INT2; INT4; INT8; BIGINT; NUMERIC; NUMERIC(n); NUMERIC(n,n); DECIMAL; DECIMAL(n);
  DECIMAL(n,n); REAL; DOUBLE PRECISION; FLOAT4; FLOAT8; TEXT; VARCHAR; VARCHAR(n); CHARACTER VARYING;
  CHARACTER VARYING(n); CHAR; CHAR(n); CHARACTER; CHARACTER(n); BOOLEAN; BOOL; DATE; TIME; TIME(n);
  TIME WITH TIME ZONE; TIME(n) WITH TIME ZONE; TIMETZ; TIMESTAMP; TIMESTAMP(n); TIMESTAMP WITH TIME ZONE;
  TIMESTAMP(n) WITH TIME ZONE; TIMESTAMP WITHOUT TIME ZONE; TIMESTAMP(n) WITHOUT TIME ZONE; TIMESTAMPTZ;
  INTERVAL; JSON; JSONB; UUID; BYTEA; INET; CIDR; MACADDR; MONEY; XML; BIT(n); BIT VARYING(n); VARBIT`.split(/\s*;\s*/),
);

/** An `x-sql-datatype` as PostgreSQL DDL text, or undefined when it is not such a type with numeric parameters. */
export function pgNativeType(text: string): string | undefined {
  return acceptNativeType(text, PG_NATIVE_TYPES)?.toLowerCase();
}

export function pgType(type: LogicalType): string {
  switch (type.kind) {
    case 'integer':
      return type.digits !== undefined && type.digits > 18 ? `numeric(${type.digits})` : 'bigint';
    case 'decimal':
      return type.precision === undefined ? 'numeric' : `numeric(${type.precision},${type.scale ?? 0})`;
    case 'string':
      return type.maxLength === undefined || type.maxLength > 10485760 ? 'text' : `varchar(${type.maxLength})`;
    case 'timestamp':
      return 'timestamptz';
    case 'date':
      return 'date';
    case 'boolean':
      return 'boolean';
    case 'json':
      return 'jsonb';
    case 'native':
      return type.sql.toLowerCase();
  }
}

function columnDef(column: ColumnSpec): string {
  return `${quote(column.name)} ${pgType(column.type)}`;
}

export function createSchemaSql(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`;
}

export function createTableSql(table: TableSpec): string {
  const parts = table.columns.map(columnDef);
  if (table.keyColumns.length > 0) parts.push(`PRIMARY KEY (${table.keyColumns.map(quote).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS ${tableName(table)} (${parts.join(', ')})`;
}

export function addColumnSql(table: TableSpec, column: ColumnSpec): string {
  return `ALTER TABLE ${tableName(table)} ADD COLUMN IF NOT EXISTS ${columnDef(column)}`;
}

export function retypeColumnSql(table: TableSpec, column: ColumnSpec): string {
  const type = pgType(column.type);
  return `ALTER TABLE ${tableName(table)} ALTER COLUMN ${quote(column.name)} TYPE ${type} USING ${quote(column.name)}::${type}`;
}

export function renameColumnSql(table: TableSpec, from: string, to: string): string {
  return `ALTER TABLE ${tableName(table)} RENAME COLUMN ${quote(from)} TO ${quote(to)}`;
}

export function dropPrimaryKeySql(table: TableSpec, constraint: string): string {
  return `ALTER TABLE ${tableName(table)} DROP CONSTRAINT ${quote(constraint)}`;
}

export function addPrimaryKeySql(table: TableSpec): string {
  return `ALTER TABLE ${tableName(table)} ADD PRIMARY KEY (${table.keyColumns.map(quote).join(', ')})`;
}

/** Columns of a table: $1 schema (NULL = current), $2 table. */
export const COLUMNS_SQL =
  'SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns ' +
  'WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position';

/** Primary-key constraint name and columns in key order: $1 schema (NULL = current), $2 table. */
export const PRIMARY_KEY_SQL =
  'SELECT c.conname, a.attname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid ' +
  'JOIN pg_namespace n ON n.oid = t.relnamespace CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) ' +
  'JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ' +
  "WHERE c.contype = 'p' AND n.nspname = COALESCE($1, current_schema()) AND t.relname = $2 ORDER BY k.ord";

/** A private staging table for one flush; dropped at COMMIT/ROLLBACK. */
export function createStageSql(stage: string, table: TableSpec): string {
  return `CREATE TEMP TABLE ${quote(stage)} (${table.columns.map(columnDef).join(', ')}) ON COMMIT DROP`;
}

export function copySql(target: string, table: TableSpec): string {
  return `COPY ${target} (${table.columns.map((c) => quote(c.name)).join(', ')}) FROM STDIN`;
}

/**
 * A column's value when a row is updated: the new row's, except _sdc_table_version, which never goes down (GREATEST
 * ignores NULLs). Two full syncs that overlap write the same rows in turn; a row the newer one wrote keeps its version
 * when the older one writes it again, so the newer ACTIVATE_VERSION does not retire it.
 */
function updatedValue(column: ColumnSpec): string {
  const name = quote(column.name);
  return column.property === '_sdc_table_version' ? `GREATEST(tgt.${name}, EXCLUDED.${name})` : `EXCLUDED.${name}`;
}

/**
 * One set-based upsert from the stage. `xmax = 0` marks rows the INSERT created (vs. updated in place).
 * History mode and all-key tables never update: duplicates are ignored.
 */
export function upsertFromStageSql(stage: string, table: TableSpec, history: boolean): string {
  const columns = table.columns.map((c) => quote(c.name)).join(', ');
  const updatable = table.columns.filter((c) => !table.keyColumns.includes(c.name));
  const action =
    history || updatable.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${updatable.map((c) => `${quote(c.name)} = ${updatedValue(c)}`).join(', ')}`;
  return (
    `WITH r AS (INSERT INTO ${tableName(table)} AS tgt (${columns}) SELECT ${columns} FROM ${quote(stage)} ` +
    `ON CONFLICT (${table.keyColumns.map(quote).join(', ')}) ${action} RETURNING (xmax = 0) AS inserted) ` +
    'SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*)::int AS total FROM r'
  );
}

export function truncateSql(table: Pick<TableSpec, 'schema' | 'name'>): string {
  return `TRUNCATE TABLE ${tableName(table)}`;
}

/** Overwrite's swap, after TRUNCATE in the same transaction: the shadow's rows into the table. */
export function insertFromSql(table: TableSpec, source: Pick<TableSpec, 'schema' | 'name'>): string {
  const columns = table.columns.map((c) => quote(c.name)).join(', ');
  return `INSERT INTO ${tableName(table)} (${columns}) SELECT ${columns} FROM ${tableName(source)}`;
}

export function dropTableIfExistsSql(table: Pick<TableSpec, 'schema' | 'name'>): string {
  return `DROP TABLE IF EXISTS ${tableName(table)}`;
}

/** Deletes by key: one text[] parameter per key column ($1, $2, …), cast to the column type. */
export function deleteByKeysSql(table: TableSpec): string {
  const keys = table.keyColumns.map((name) => table.columns.find((c) => c.name === name)!);
  const aliases = keys.map((_, i) => `k${i + 1}`);
  const arrays = keys.map((_, i) => `$${i + 1}::text[]`).join(', ');
  const match = keys.map((c, i) => `tgt.${quote(c.name)} = d.${aliases[i]}::${pgType(c.type)}`).join(' AND ');
  return `DELETE FROM ${tableName(table)} AS tgt USING unnest(${arrays}) AS d(${aliases.join(', ')}) WHERE ${match}`;
}

/** ACTIVATE_VERSION: rows of older versions, or of none, are deleted or marked deleted ($1 = version). */
export function activateVersionSql(
  table: TableSpec,
  versionColumn: string,
  deletedColumn: string,
  hardDelete: boolean,
): string {
  const older = `(${quote(versionColumn)} < $1 OR ${quote(versionColumn)} IS NULL)`;
  return hardDelete
    ? `DELETE FROM ${tableName(table)} WHERE ${older}`
    : `UPDATE ${tableName(table)} SET ${quote(deletedColumn)} = now() WHERE ${older} AND ${quote(deletedColumn)} IS NULL`;
}
