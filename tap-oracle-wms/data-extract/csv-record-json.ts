import { type CatalogEntry, ExactNumber } from '../../singer/index.js';
import { decimalValue } from '../decimal-text.js';
import type { CsvRecord } from './csv-rows.js';
import { FileFormatError } from './file-row.js';
import { blank, boolean, type ColumnKind, columnKind, instant, integerText, relationKeys } from './row-coercion.js';

/** A cell's text (null: an unquoted empty field) → its value's JSON text; throws FileFormatError naming the field. */
type CellJson = (text: string | null, field: string, line: number) => string;

const CELL_JSON: Record<Exclude<ColumnKind, 'json'>, (singerDecimal: boolean) => CellJson> = {
  text: () => (text) => (text === null ? 'null' : JSON.stringify(text)),
  integer: () => (text, field, line) => integerText(text, field, line) ?? 'null',
  decimal: (singerDecimal) => (text, field, line) => {
    if (text === null) return 'null';
    const value = decimalValue(text);
    if (value === undefined) throw new FileFormatError(`field '${field}' is not a decimal number`, line);
    if (value === null) return 'null';
    const digits = value instanceof ExactNumber ? value.text : String(value);
    return singerDecimal ? `"${digits}"` : digits;
  },
  boolean: () => (text, field, line) => String(boolean(text, field, line)),
  instant: () => (text, field, line) => {
    const value = instant(text, field, line);
    return value === null ? 'null' : `"${value as string}"`;
  },
};

/** A cell the file-row path (rowCoercer) makes null: an unquoted empty field, and a blank one where "" means null. */
function coercedNull(kind: ColumnKind, text: string | null): boolean {
  return kind === 'decimal' || kind === 'text' ? text === null : blank(text);
}

/**
 * Names an object's own property would not keep in place: `__proto__` sets the prototype, and an array index is
 * ordered before every other name. Files with such a header column take the file-row path.
 */
function unusualName(name: string): boolean {
  return name === '__proto__' || /^\d+$/.test(name);
}

interface Column {
  name: string;
  index: number;
  /** `"name":` */
  head: string;
  kind: ColumnKind;
  json: CellJson;
  selected: boolean;
  /** A relation's `_key` column: left out when its `_id` column's value is null and its own is null too. */
  idColumn?: { index: number; kind: ColumnKind };
}

/**
 * The RECORD's JSON text of each CSV row, written straight from the row's fields: the bytes stringifyJson gives for
 * the record the file-row path builds (rowCoercer, then the REST transform), without building it. Column by column,
 * the catalog schema decides once per file how a cell becomes JSON: integers keep their digits (leading zeros
 * dropped), decimals their exact digits (a JSON string with `use_singer_decimal`), instants become the tap's UTC text,
 * booleans true/false, text a JSON string. Every cell is checked as the file-row path checks it (an unselected one
 * too), failing with the same message. A header the plan does not cover (an object or array column, whose JSON a
 * relation could be flattened from; a name an object would reorder) gives undefined: that file takes the file-row
 * path.
 */
export function csvRecordJson(
  entry: CatalogEntry,
  selected: readonly string[],
  singerDecimal: boolean,
): (header: readonly string[]) => CsvRecord<string> | undefined {
  const properties = entry.schema.properties ?? {};
  const keep = new Set(selected);
  const keyOfRelation = relationKeys(properties);
  return (header) => {
    if (header.some(unusualName)) return undefined;
    // A repeated name holds its last column's value, in its first column's place (as an object's property would).
    const lastIndex = new Map<string, number>();
    header.forEach((name, index) => lastIndex.set(name, index));
    const columns: Column[] = [];
    for (const [name, index] of lastIndex) {
      const kind = columnKind(Object.hasOwn(properties, name) ? properties[name] : undefined);
      if (kind === 'json') return undefined;
      const id = keyOfRelation.get(name);
      const idIndex = id === undefined ? undefined : lastIndex.get(id);
      columns.push({
        name,
        index,
        head: `${JSON.stringify(name)}:`,
        kind,
        json: CELL_JSON[kind](singerDecimal),
        selected: keep.has(name),
        ...(id === undefined || idIndex === undefined
          ? {}
          : { idColumn: { index: idIndex, kind: columnKind(properties[id]) } }),
      });
    }
    const kept = columns.filter((column) => column.selected).length;
    return (fields, nulls, line) => {
      const cell = (index: number): string | null => {
        const text = fields[index];
        return text === '' && nulls.includes(index) ? null : text;
      };
      // Joined once: text appended piece by piece is a tree of small strings for the collector to trace and flatten.
      const parts = new Array<string>(kept);
      let count = 0;
      for (const column of columns) {
        const text = cell(column.index);
        const value = column.json(text, column.name, line);
        if (!column.selected) continue;
        const id = column.idColumn;
        if (id !== undefined && coercedNull(column.kind, text) && coercedNull(id.kind, cell(id.index))) continue;
        parts[count++] = column.head + value;
      }
      parts.length = count;
      return `{${parts.join(',')}}`;
    };
  };
}
