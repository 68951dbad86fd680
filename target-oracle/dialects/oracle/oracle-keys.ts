import type { TableSpec } from '../../dialect.js';
import { conformIdentifier, type NamingRules } from '../../names.js';
import type { OracleColumn } from './oracle-sql.js';

/**
 * Oracle cannot key a TIMESTAMP WITH TIME ZONE column (ORA-02329: no such column in a PRIMARY KEY or UNIQUE
 * constraint). A timestamp key column (history mode's `mod_ts`, or a stream keyed by a date-time) is therefore
 * stored twice: as it was sent (TIMESTAMP(6) WITH TIME ZONE, offset kept) and as its UTC instant in a TIMESTAMP(6)
 * twin `<COLUMN>$UTC`, which takes its place in the primary key. The key stays (id, mod_ts) as instants: the same
 * instant written with two offsets is one key, as in PostgreSQL's timestamptz.
 */

export interface StoredTable {
  /** The table as Oracle holds it: the columns, then the twins; the primary key names the twins. */
  table: TableSpec;
  /** For each twin, the index of the column it is computed from (rows gain these cells at their end). */
  sources: number[];
}

export function utcTwinName(column: string, naming: NamingRules): string {
  return conformIdentifier(`${column}$UTC`, naming);
}

export function storedTable(table: TableSpec, naming: NamingRules): StoredTable {
  const twins: OracleColumn[] = [];
  const sources: number[] = [];
  const keyColumns = table.keyColumns.map((key) => {
    const index = table.columns.findIndex((c) => c.name === key);
    const column = table.columns[index];
    if (column?.type.kind !== 'timestamp') return key;
    const twin = utcTwinName(key, naming);
    twins.push({ property: column.property, name: twin, type: { kind: 'timestamp' }, utcOf: key });
    sources.push(index);
    return twin;
  });
  if (twins.length === 0) return { table, sources };
  return { table: { ...table, columns: [...table.columns, ...twins], keyColumns }, sources };
}

/** Rows of the semantic table as rows of the stored one: each twin gets its source column's value. */
export function storedRows<T>(rows: T[][], sources: number[]): T[][] {
  if (sources.length === 0) return rows;
  return rows.map((row) => [...row, ...sources.map((i) => row[i])]);
}
