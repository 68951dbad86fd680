// Over 250 lines: one reader of a RECORD line (keys, strings, numbers, literals, what follows the record) whose
// every acceptance must match what the general path (parse, validation, toCell) makes of the line, read side by side.
import type { JsonSchema } from '../singer/index.js';
import type { LogicalType } from './logical-type.js';
import { canonicalTimestamp, type Cell, type IntegerRange } from './values.js';

/**
 * Decodes the record object of a RECORD line (singer's RecordLine) straight into a row of cells, in one pass over
 * the text: no JSON.parse, no record object, no schema validator, no per-value conversion. Only for the plain lines
 * and schemas that make up nearly every load; anything else (undefined) takes the general path (parse, validate,
 * toCell), which also gives every error and warning. So the decoder never refuses a line, it only declines it, and
 * what it accepts it turns into the very cells the general path would (tests/unit/target/record-line.test.ts
 * compares the two).
 *
 * Declined: a backslash or control character anywhere in the line (escapes, invalid JSON; the reader leaves them
 * to this decoder: outside strings, any character out of place declines the line), whitespace between
 * tokens, a field the schema lacks or one given twice, nested values, a number with an exponent, an integer of 16+
 * digits, a negative zero, a decimal below 1e-6 written with 15 or fewer digits, a value whose JSON type the schema refuses,
 * a string over its maxLength, an integer outside its minimum/maximum, a date-time the general parse refuses, a
 * missing or null key property, and after the record anything but `"time_extracted"` (a string) and `"version"`
 * (an integer).
 */
export type RecordLineDecoder = (
  text: string,
  ascii: Buffer | undefined,
  recordAt: number,
  end: number,
) => Cell[] | undefined;

const INTEGER = 0;
const DECIMAL = 1;
const STRING = 2;
const TIMESTAMP = 3;
const DATE = 4;
const BOOLEAN = 5;

interface LineField {
  name: string;
  /** `name"` as character codes: a key is matched in place. */
  codes: number[];
  kind: number;
  nullable: boolean;
  maxLength: number;
  /** An integer's JSON Schema bounds (the tap gives some, e.g. allocation's task_seq_nbr); ±Infinity when none. */
  minimum: number;
  maximum: number;
  /** Index of its cell in a row. */
  cell: number;
}

/** The column a record property loads into, as the sink holds it. */
export interface LineColumn {
  property: string;
  type: LogicalType;
  range: IntegerRange | undefined;
}

/**
 * Keywords that leave a schema's validation to the checks below (ajv ignores formats: validateFormats false). A
 * boolean additionalProperties asks nothing more of a line the decoder takes, since a field the schema lacks is
 * declined; every stream the tap discovers has `additionalProperties: false`.
 */
const SCHEMA_KEYWORDS = new Set([
  'type',
  'properties',
  'additionalProperties',
  '$schema',
  '$id',
  'key_properties',
  'description',
  'title',
]);
const PROPERTY_KEYWORDS = new Set(['type', 'format', 'maxLength', 'minimum', 'maximum', 'description', 'title']);

/** The kind a property's JSON type and format load as, or undefined when the decoder does not handle it. */
function fieldKind(type: string, format: unknown): number | undefined {
  switch (type) {
    case 'integer':
      return INTEGER;
    case 'number':
      return DECIMAL;
    case 'boolean':
      return BOOLEAN;
    case 'string':
      if (format === 'date-time') return TIMESTAMP;
      if (format === 'date') return DATE;
      return format === 'x-singer.decimal' ? undefined : STRING;
    default:
      return undefined;
  }
}

const KIND_OF_COLUMN: Record<number, LogicalType['kind']> = {
  [INTEGER]: 'integer',
  [DECIMAL]: 'decimal',
  [STRING]: 'string',
  [TIMESTAMP]: 'timestamp',
  [DATE]: 'date',
  [BOOLEAN]: 'boolean',
};

/** One property's field, or undefined when its schema or column is beyond the decoder. */
function lineField(name: string, schema: unknown, columns: readonly LineColumn[]): LineField | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  // A key is matched in place against its characters, so a name that JSON must escape is left to the general path.
  if (name.startsWith('_sdc_') || name === '__proto__' || needsJsonEscape(name)) return undefined;
  if (Object.keys(schema).some((keyword) => !PROPERTY_KEYWORDS.has(keyword))) return undefined;
  const { type, format, maxLength, minimum, maximum } = schema as JsonSchema;
  const types = Array.isArray(type) ? type : [type];
  if (!types.every((t) => typeof t === 'string')) return undefined;
  const valueTypes = types.filter((t) => t !== 'null');
  if (valueTypes.length !== 1) return undefined;
  const kind = fieldKind(valueTypes[0], format);
  if (kind === undefined) return undefined;
  if (maxLength !== undefined && (kind !== STRING || !Number.isInteger(maxLength) || maxLength < 0)) return undefined;
  // Bounds are checked on integers only: an integer the decoder takes has 15 digits at most, so Number() is exact.
  const bounded = minimum !== undefined || maximum !== undefined;
  if (bounded && (kind !== INTEGER || !isFiniteOrAbsent(minimum) || !isFiniteOrAbsent(maximum))) return undefined;
  const cell = columns.findIndex((column) => column.property === name);
  if (cell === -1) return undefined;
  const column = columns[cell];
  if (column.type.kind !== KIND_OF_COLUMN[kind]) return undefined;
  if (kind === INTEGER && column.range !== undefined && !column.range.holdsSafeIntegers) return undefined;
  const codes: number[] = [];
  for (let index = 0; index < name.length; index += 1) codes.push(name.charCodeAt(index));
  codes.push(0x22);
  return {
    name,
    codes,
    kind,
    nullable: types.includes('null'),
    maxLength: maxLength ?? Infinity,
    minimum: minimum ?? -Infinity,
    maximum: maximum ?? Infinity,
    cell,
  };
}

function isFiniteOrAbsent(bound: unknown): boolean {
  return bound === undefined || (typeof bound === 'number' && Number.isFinite(bound));
}

/**
 * The decoder for a stream, or undefined when its schema or table needs the general path for every record (record
 * metadata columns, keywords beyond type/format/maxLength/minimum/maximum and a boolean additionalProperties, several types, objects and arrays, integer columns
 * narrower than the safe integers).
 */
export function compileRecordLineDecoder(
  schema: JsonSchema,
  columns: readonly LineColumn[],
  keyProperties: readonly string[],
  addRecordMetadata: boolean,
): RecordLineDecoder | undefined {
  if (addRecordMetadata) return undefined;
  if (Object.keys(schema).some((keyword) => !SCHEMA_KEYWORDS.has(keyword))) return undefined;
  if (schema.type !== undefined && schema.type !== 'object') return undefined;
  if (schema.additionalProperties !== undefined && typeof schema.additionalProperties !== 'boolean') return undefined;
  const properties = schema.properties;
  if (typeof properties !== 'object' || properties === null) return undefined;
  const fields: LineField[] = [];
  for (const name of Object.keys(properties)) {
    const field = lineField(name, properties[name], columns);
    if (field === undefined) return undefined;
    fields.push(field);
  }
  const slots = new Map(fields.map((field, slot) => [field.name, slot]));
  const keyCells: number[] = [];
  for (const key of keyProperties) {
    const slot = slots.get(key);
    if (slot === undefined) return undefined;
    keyCells.push(fields[slot].cell);
  }
  const width = columns.length;
  /** Which fields the current line gave: a field seen with this line's stamp is given twice. */
  const seen = new Array<number>(fields.length).fill(0);
  let stamp = 0;

  return (text, ascii, recordAt, end) => {
    stamp += 1;
    const cells = new Array<Cell>(width).fill(null);
    let at = recordAt;
    let expected = 0;
    if (text.charCodeAt(at) === 0x7d) at += 1;
    else
      for (;;) {
        if (text.charCodeAt(at) !== 0x22) return undefined;
        // Fields mostly come in schema order: the next one is compared in place, without finding or cutting the key.
        let slot: number | undefined = expected < fields.length ? expected : undefined;
        let keyEnd = slot === undefined ? -1 : matchKey(text, at + 1, fields[slot].codes);
        if (keyEnd === -1) {
          keyEnd = stringEnd(text, at + 1, end);
          if (keyEnd === -1) return undefined;
          slot = slots.get(text.slice(at + 1, keyEnd));
        }
        if (slot === undefined || seen[slot] === stamp) return undefined;
        seen[slot] = stamp;
        expected = slot + 1;
        const field = fields[slot];
        if (text.charCodeAt(keyEnd + 1) !== 0x3a) return undefined;
        at = keyEnd + 2;
        const code = text.charCodeAt(at);
        let cell: Cell | undefined;
        if (code === 0x22) {
          const close = stringEnd(text, at + 1, end);
          if (close === -1) return undefined;
          cell = stringCell(field, text, ascii, at + 1, close);
          at = close + 1;
        } else if (code === 0x6e) {
          if (!field.nullable || !isWord(text, at, NULL)) return undefined;
          cell = null;
          at += 4;
        } else if (code === 0x74) {
          if (field.kind !== BOOLEAN || !isWord(text, at, TRUE)) return undefined;
          cell = 'true';
          at += 4;
        } else if (code === 0x66) {
          if (field.kind !== BOOLEAN || !isWord(text, at, FALSE)) return undefined;
          cell = 'false';
          at += 5;
        } else {
          const close = numberEnd(text, at);
          if (close === -1) return undefined;
          cell = numberCell(field.kind, text, ascii, at, close);
          if (cell !== undefined && cell !== null && !withinBounds(field, cell)) return undefined;
          at = close;
        }
        if (cell === undefined) return undefined;
        cells[field.cell] = cell;
        const next = text.charCodeAt(at);
        at += 1;
        if (next === 0x7d) break;
        if (next !== 0x2c) return undefined;
      }
    if (!plainTrailer(text, at, end)) return undefined;
    for (const index of keyCells) if (cells[index] === null) return undefined;
    return cells;
  };
}

/** Whether a number cell is within its field's minimum and maximum (only integers have bounds; see lineField). */
function withinBounds(field: LineField, cell: string): boolean {
  if (field.minimum === -Infinity && field.maximum === Infinity) return true;
  const value = Number(cell);
  return value >= field.minimum && value <= field.maximum;
}

const NULL = [0x6e, 0x75, 0x6c, 0x6c];
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];

/**
 * The index of the quote that closes the string whose characters start at `at`, or -1 when the line ends first or
 * the string holds a backslash (an escape) or a control character (which JSON refuses raw): the reader hands lines
 * over unchecked, so this is where they are found.
 */
function stringEnd(text: string, at: number, end: number): number {
  for (; at < end; at += 1) {
    const code = text.charCodeAt(at);
    if (code === 0x22) return at;
    if (code === 0x5c || code < 0x20) return -1;
  }
  return -1;
}

/** Whether JSON writes `name` with an escape (a quote, a backslash or a control character in it). */
function needsJsonEscape(name: string): boolean {
  for (let index = 0; index < name.length; index += 1) {
    const code = name.charCodeAt(index);
    if (code === 0x22 || code === 0x5c || code < 0x20) return true;
  }
  return false;
}

/** Whether the characters at `at` are `word`. */
function isWord(text: string, at: number, word: readonly number[]): boolean {
  for (let index = 0; index < word.length; index += 1) if (text.charCodeAt(at + index) !== word[index]) return false;
  return true;
}

/** The index of the key's closing quote when the text at `at` is `codes` (a key and its quote), else -1. */
function matchKey(text: string, at: number, codes: readonly number[]): number {
  return isWord(text, at, codes) ? at + codes.length - 1 : -1;
}

/** The cell of the string `text[start, end)` (no escape in it) for `field`. */
function stringCell(
  field: LineField,
  text: string,
  ascii: Buffer | undefined,
  start: number,
  end: number,
): Cell | undefined {
  switch (field.kind) {
    case STRING:
      // ajv counts code points, never more than the UTF-16 length: within it is within maxLength.
      return end - start <= field.maxLength ? cut(text, ascii, start, end) : undefined;
    case TIMESTAMP:
      return isCanonicalTimestamp(text, start, end)
        ? cut(text, ascii, start, end)
        : canonicalTimestamp(text.slice(start, end));
    case DATE:
      return canonicalTimestamp(text.slice(start, end))?.slice(0, 10);
    default:
      return undefined;
  }
}

/**
 * `text[start, end)` as a string of its own: a cell is kept until its batch is flushed, and V8 cuts 13+ characters
 * as a view that keeps the whole chunk text alive (costly in garbage collection). From the chunk's bytes when it is
 * ASCII (see RecordLine.ascii).
 */
function cut(text: string, ascii: Buffer | undefined, start: number, end: number): string {
  return ascii !== undefined && end - start >= 13 ? ascii.toString('latin1', start, end) : text.slice(start, end);
}

/** The digit at `at` as a number, or -1 (NaN-free for comparisons). */
function digit(text: string, at: number): number {
  const value = text.charCodeAt(at) - 0x30;
  return value >= 0 && value <= 9 ? value : -100;
}

/**
 * Whether `text[start, end)` is a timestamp canonicalTimestamp gives back unchanged: the same test as its
 * CANONICAL_TIMESTAMP pattern and dayExists, read from the character codes in place. Others are left to it.
 */
export function isCanonicalTimestamp(text: string, start: number, end: number): boolean {
  if (end - start !== 32) return false;
  if (!matchesShape(text, start)) return false;
  const s = start;
  const year = digit(text, s) * 1000 + digit(text, s + 1) * 100 + digit(text, s + 2) * 10 + digit(text, s + 3);
  const month = digit(text, s + 5) * 10 + digit(text, s + 6);
  const day = digit(text, s + 8) * 10 + digit(text, s + 9);
  if (year === 0 || month < 1 || month > 12 || day < 1) return false;
  if (digit(text, s + 11) * 10 + digit(text, s + 12) > 23 || digit(text, s + 14) > 5 || digit(text, s + 17) > 5)
    return false;
  if (digit(text, s + 27) * 10 + digit(text, s + 28) > 15 || digit(text, s + 30) > 5) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days;
}

/** The separators of `YYYY-MM-DDTHH:MM:SS.ffffff±HH:MM` are in place and every other character is a digit. */
function matchesShape(text: string, s: number): boolean {
  if (text.charCodeAt(s + 4) !== 0x2d || text.charCodeAt(s + 7) !== 0x2d || text.charCodeAt(s + 10) !== 0x54)
    return false;
  if (text.charCodeAt(s + 13) !== 0x3a || text.charCodeAt(s + 16) !== 0x3a || text.charCodeAt(s + 19) !== 0x2e)
    return false;
  const sign = text.charCodeAt(s + 26);
  if (text.charCodeAt(s + 29) !== 0x3a || (sign !== 0x2b && sign !== 0x2d)) return false;
  for (let index = 0; index < DIGIT_OFFSETS.length; index += 1)
    if (digit(text, s + DIGIT_OFFSETS[index]) < 0) return false;
  return true;
}

/** The offsets of the digits of `YYYY-MM-DDTHH:MM:SS.ffffff±HH:MM`. */
const DIGIT_OFFSETS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25, 27, 28, 30, 31];

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * The end of the JSON number `-?(0|[1-9]\d*)(\.\d+)?` at `start`, or -1 when there is none there or it goes on with
 * an exponent (left to the general path).
 */
function numberEnd(text: string, start: number): number {
  let at = text.charCodeAt(start) === 0x2d ? start + 1 : start;
  const digits = at;
  while (isDigit(text.charCodeAt(at))) at += 1;
  if (at === digits || (text.charCodeAt(digits) === 0x30 && at - digits > 1)) return -1;
  if (text.charCodeAt(at) === 0x2e) {
    at += 1;
    const fraction = at;
    while (isDigit(text.charCodeAt(at))) at += 1;
    if (at === fraction) return -1;
  }
  const next = text.charCodeAt(at);
  return next === 0x65 || next === 0x45 ? -1 : at;
}

/**
 * The cell of the number `text[start, end)` in a column of `kind`, as parseJsonExact then toCell make it: a number
 * of 15 or fewer significant digits becomes a double and is written back by String() (so `1.50` is `1.5`), any
 * longer one stays its text (ExactNumber). Undefined where that takes more than the text, and for a negative zero
 * (0 from JSON.parse, its text from the exact parser: it depends on the rest of the line).
 */
function numberCell(
  kind: number,
  text: string,
  ascii: Buffer | undefined,
  start: number,
  end: number,
): Cell | undefined {
  const negative = text.charCodeAt(start) === 0x2d;
  const digits = negative ? start + 1 : start;
  let point = digits;
  while (point < end && text.charCodeAt(point) !== 0x2e) point += 1;
  const intDigits = point - digits;
  if (kind === INTEGER) {
    // A double holds every integer of 15 digits; `-0` is written back as 0.
    if (point !== end || intDigits > 15 || (negative && text.charCodeAt(digits) === 0x30)) return undefined;
    return cut(text, ascii, start, end);
  }
  if (kind !== DECIMAL || intDigits > 300) return undefined;
  const fractionDigits = point === end ? 0 : end - point - 1;
  let significant = intDigits + fractionDigits;
  if (text.charCodeAt(digits) === 0x30) {
    // Zero is 0; a negative zero is 0 or its text, as the line takes JSON.parse or the exact parser.
    if (point === end) return negative ? undefined : '0';
    let zeros = point + 1;
    while (zeros < end && text.charCodeAt(zeros) === 0x30) zeros += 1;
    if (zeros === end) return negative ? undefined : '0';
    // String() writes numbers below 1e-6 with an exponent.
    if (zeros - point - 1 >= 6) return undefined;
    significant = end - zeros;
  }
  const token = cut(text, ascii, start, end);
  if (significant > 15) return token;
  return fractionDigits > 0 && text.charCodeAt(end - 1) === 0x30 ? String(Number(token)) : token;
}

/**
 * Whether the line ends, from `at` (just after the record), as parseMessage takes it and the sink has no use for
 * it: `}`, at most one `"time_extracted"` string and at most one integer `"version"` before it.
 */
function plainTrailer(text: string, at: number, end: number): boolean {
  let extracted = false;
  let version = false;
  const last = end - 1;
  while (at < last) {
    if (text.charCodeAt(at) !== 0x2c) return false;
    if (!extracted && text.startsWith('"time_extracted":"', at + 1)) {
      const close = stringEnd(text, at + 19, end);
      if (close === -1) return false;
      extracted = true;
      at = close + 1;
    } else if (!version && text.startsWith('"version":', at + 1)) {
      const start = at + 11;
      const close = numberEnd(text, start);
      if (close === -1 || close - start > 15 || text.slice(start, close).includes('.')) return false;
      version = true;
      at = close;
    } else {
      return false;
    }
  }
  return at === last && text.charCodeAt(at) === 0x7d;
}
