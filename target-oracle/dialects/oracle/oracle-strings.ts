import type { TableSpec } from '../../dialect.js';
import type { Cell } from '../../values.js';
import type { OracleSession } from './oracle-session.js';
import { EXTENDED_STRINGS_PROBE_SQL, isClob, VARCHAR2_EXTENDED_MAX, VARCHAR2_MAX } from './oracle-sql.js';

/**
 * How long a VARCHAR2 may be. MAX_STRING_SIZE = STANDARD caps it at 4,000 bytes and EXTENDED at 32,767, whatever
 * the column's CHAR length; a longer value fails (ORA-12899), and a longer STRING bind is a LONG bind (ORA-01461).
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/refrn/MAX_STRING_SIZE.html
 */

/** The database's VARCHAR2 byte limit: a CAST to VARCHAR2(32767) is valid SQL only under EXTENDED (ORA-00910). */
export async function detectStringLimit(session: OracleSession): Promise<number> {
  try {
    await session.execute(EXTENDED_STRINGS_PROBE_SQL);
    return VARCHAR2_EXTENDED_MAX;
  } catch (error) {
    if ((error as { code?: string }).code === 'ORA-00910') return VARCHAR2_MAX;
    throw error;
  }
}

/** Does text fit a VARCHAR2 of `chars` characters and `bytes` bytes? (UTF-16 units ≤ 3 UTF-8 bytes each) */
function fits(text: string, chars: number, bytes: number): boolean {
  if (text.length <= chars && text.length * 3 <= bytes) return true;
  return Buffer.byteLength(text, 'utf8') <= bytes && [...text].length <= chars;
}

/** The VARCHAR2 columns of `table` that some value of `rows` (aligned with its columns) does not fit. */
export function overflowingColumns(table: TableSpec, rows: readonly Cell[][], maxStringBytes: number): string[] {
  const over: string[] = [];
  table.columns.forEach((column, i) => {
    const { type } = column;
    if (type.kind !== 'string' || isClob(type, { maxStringBytes })) return;
    const chars = type.maxLength!;
    if (rows.some((row) => row[i] !== null && !fits(row[i], chars, maxStringBytes))) over.push(column.name);
  });
  return over;
}
