import type { TableSpec } from './dialect.js';
import type { LogicalType } from './logical-type.js';
import { canonicalNumber } from './number-text.js';
import { instantKey, type Cell } from './values.js';

/**
 * The dedupe key of a row: one string per distinct key, and the same string for values the database treats as one
 * key. Injective: each key cell is written as its length, a colon and its text (NULL as `~`), so no choice of
 * characters inside a value (separators included) can make two different keys meet; a single key column needs no
 * separator (see keyEncoder). Equal in the database means:
 * timestamps compare as instants (the same instant with two offsets is one key; the last row wins, as for any
 * repeated key) and numbers by value (`1.0` and `1`).
 */
export type KeyEncoder = (row: readonly Cell[]) => string;

/** A whole number in canonical spelling: what canonicalNumber would give back unchanged. */
const CANONICAL_INTEGER = /^(?:0|-?[1-9]\d*)$/;

function normaliser(type: LogicalType): ((cell: string) => string) | undefined {
  switch (type.kind) {
    case 'timestamp':
      return instantKey;
    case 'integer':
    case 'decimal':
      // Integer cells are canonical already (toCell writes them so): a test instead of a parse on every row.
      return (cell) => (CANONICAL_INTEGER.test(cell) ? cell : (canonicalNumber(cell)?.text ?? cell));
    default:
      return undefined;
  }
}

export function keyEncoder(table: TableSpec): KeyEncoder {
  const parts = table.keyColumns.map((name) => {
    const index = table.columns.findIndex((c) => c.name === name);
    if (index < 0) throw new Error(`key column ${name} is not a column of ${table.name}`);
    return { index, normalise: normaliser(table.columns[index].type) };
  });
  if (parts.length === 1) {
    // One key column, the usual case: no separator to guard, so a text is its own key (no string built per row).
    // NULL is `~`; a text starting with `~` gets one more, so no text meets NULL or another text.
    const [{ index, normalise }] = parts;
    return (row) => {
      const cell = row[index];
      if (cell === null) return '~';
      const text = normalise ? normalise(cell) : cell;
      return text.charCodeAt(0) === 0x7e ? `~${text}` : text;
    };
  }
  return (row) => {
    let key = '';
    for (const { index, normalise } of parts) {
      const cell = row[index];
      if (cell === null) {
        key += '~';
      } else {
        const text = normalise ? normalise(cell) : cell;
        key += `${text.length}:${text}`;
      }
    }
    return key;
  };
}

/**
 * Why a key cell cannot be a key, or undefined. A NUL character is refused: PostgreSQL cannot store it (the value
 * would lose it and could then equal another key), and a key must mean the same row in every database.
 */
export function keyCellProblem(cell: Cell): string | undefined {
  return cell !== null && cell.includes('\u0000') ? 'Key value holds a NUL character (U+0000)' : undefined;
}
