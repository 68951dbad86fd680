import { type CatalogEntry, type JsonSchema, parseJsonExact, parseNumberText } from '../../singer/index.js';
import { decimalValue } from '../decimal-text.js';
import { isDecimalProperty } from '../singer-decimal.js';
import { FileFormatError, type FileRow } from './file-row.js';
import { utcInstantText } from './utc-instant-text.js';

type Coerce = (value: unknown, field: string, line: number) => unknown;

const INTEGER = /^-?\d+$/;
/**
 * How a boolean (`*_flg`) is spelled in a CSV file is a guess: Oracle documents none for Data Extract (REST sends JSON
 * true/false), so the common spellings of exports are read (true/false, y/n, yes/no, 1/0, any case); anything else
 * fails the file naming the field (docs/data-extract.md).
 */
const TRUE = new Set(['true', 'y', 'yes', '1']);
const FALSE = new Set(['false', 'n', 'no', '0']);

function types(schema: JsonSchema): string[] {
  return Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
}

/** CSV has no null but the unquoted empty field; "" in an integer, boolean or JSON column means null too. */
export function blank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/**
 * An integer cell's JSON number text (leading zeros dropped), null when blank. The text is what stringifyJson writes
 * for parseNumberText of it: a safe integer prints back as its digits, a longer one stays its ExactNumber text.
 */
export function integerText(value: string | null, field: string, line: number): string | null {
  if (blank(value)) return null;
  const text = (value as string).trim();
  if (!INTEGER.test(text)) throw new FileFormatError(`field '${field}' is not an integer`, line);
  const zero = text.charCodeAt(0) === 0x30 || (text.charCodeAt(0) === 0x2d && text.charCodeAt(1) === 0x30);
  return zero ? text.replace(/^(-?)0+(?=\d)/, '$1') : text;
}

const integer: Coerce = (value, field, line) => {
  if (typeof value !== 'string' && !blank(value)) return value;
  const text = integerText(value as string | null, field, line);
  return text === null ? null : parseNumberText(text);
};

/**
 * Decimals stay text (or the exact JSON number): the REST transform turns them into numbers as it does REST's
 * strings. Checked here so that a bad one is bad input in a named file and line, not a source failure.
 */
const decimal: Coerce = (value, field, line) => {
  if (typeof value === 'string' && decimalValue(value) === undefined)
    throw new FileFormatError(`field '${field}' is not a decimal number`, line);
  return value;
};

export const instant: Coerce = (value, field, line) => {
  if (blank(value)) return null;
  const text = typeof value === 'string' ? utcInstantText(value) : undefined;
  if (text === undefined) throw new FileFormatError(`field '${field}' is not an ISO 8601 date-time`, line);
  return text;
};

export const boolean: Coerce = (value, field, line) => {
  if (blank(value)) return null;
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw new FileFormatError(`field '${field}' is not a boolean`, line);
};

/** `_set` and object fields: JSON text in a CSV cell, the value itself in a JSON file. */
const json: Coerce = (value, field, line) => {
  if (blank(value)) return null;
  if (typeof value !== 'string') return value;
  try {
    return parseJsonExact(value);
  } catch {
    throw new FileFormatError(`field '${field}' does not hold JSON`, line);
  }
};

const asIs: Coerce = (value) => value;

/** How a column is read from its text: what its catalog schema says the value is. */
export type ColumnKind = 'integer' | 'decimal' | 'boolean' | 'json' | 'instant' | 'text';

export function columnKind(schema: JsonSchema | undefined): ColumnKind {
  if (!schema) return 'text';
  const kinds = types(schema);
  if (kinds.includes('integer')) return 'integer';
  if (isDecimalProperty(schema)) return 'decimal';
  if (kinds.includes('boolean')) return 'boolean';
  if (kinds.includes('object') || kinds.includes('array')) return 'json';
  if (schema.format === 'date-time') return 'instant';
  return 'text';
}

const COERCERS: Record<ColumnKind, Coerce> = { integer, decimal, boolean, json, instant, text: asIs };

/** Each relation's `<name>_key` property → its `<name>_id` property, for the schema's relations that have both. */
export function relationKeys(properties: Record<string, JsonSchema>): Map<string, string> {
  const keyOfRelation = new Map<string, string>();
  for (const name of Object.keys(properties)) {
    const key = name.endsWith('_id') ? `${name.slice(0, -3)}_key` : undefined;
    if (key !== undefined && key in properties) keyOfRelation.set(key, name);
  }
  return keyOfRelation;
}

/**
 * A file row → the record the REST path would have read, for the REST transform (recordTransform) to finish:
 * values typed by the catalog schema (CSV is all text), relations already as `<name>_id` / `<name>_key` columns
 * (a `_key` is left out when its `_id` is null, as REST's null relation yields no key), and instants in the tap's
 * canonical UTC text with microseconds (`…+00:00`): Data Extract writes them ending in `Z`, REST in the facility's
 * offset; both are the same instant, and the target stores instants.
 */
export function rowCoercer(entry: CatalogEntry): (row: FileRow) => Record<string, unknown> {
  const properties = entry.schema.properties ?? {};
  const coercers = new Map<string, Coerce>();
  for (const [name, schema] of Object.entries(properties)) coercers.set(name, COERCERS[columnKind(schema)]);
  const keyOfRelation = relationKeys(properties);
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const name in row.values) {
      const coerce = coercers.get(name) ?? asIs;
      out[name] = coerce(row.values[name], name, row.line);
    }
    for (const [key, id] of keyOfRelation)
      if (out[id] === null && (out[key] === null || out[key] === undefined)) delete out[key];
    return out;
  };
}
