import { ExactNumber, ProtocolError, stringifyJson } from '../singer/index.js';
import type { LogicalType } from './logical-type.js';
import { canonicalNumber } from './number-text.js';
import type { Dialects } from './settings.js';

/** A value ready for binding: canonical text, or NULL. Never a JS double or a Date (exactness: docs/design-rules.md rule 4). */
export type Cell = string | null;

/** Already canonical, with every range the general parse checks (taps that send microseconds and ±HH:MM). */
const CANONICAL_TIMESTAMP =
  /^(?!0000)\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}[+-](?:0\d|1[0-5]):[0-5]\d$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** The number the two ASCII digits at `at` spell (the caller's pattern has made sure they are digits). */
function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 0x30) * 10 + text.charCodeAt(at + 1) - 0x30;
}

/**
 * `YYYY-MM-DD…` (digits already checked) names a day of the calendar (no February 30th): the database would refuse
 * it mid-flush. Read from the character codes: it runs for every timestamp cell, and slicing out three numbers cost
 * more than the pattern test before it.
 */
function dayExists(text: string): boolean {
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (month === 2) return day <= (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28);
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

/**
 * `YYYY-MM-DDTHH:MM:SS.ffffff±HH:MM`: the instant and offset exactly as sent, fractions cut to microseconds, a
 * missing offset read as UTC. Parsed as text: a JS Date would lose the microseconds and the offset.
 */
export function canonicalTimestamp(text: string): string | undefined {
  if (CANONICAL_TIMESTAMP.test(text)) return dayExists(text) ? text : undefined;
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +s > 59 || y === '0000') return undefined;
  if (!dayExists(`${y}-${mo}-${d}`)) return undefined;
  let offset = '+00:00';
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.replace(':', '');
    offset = `${digits.slice(0, 3)}:${digits.length > 3 ? digits.slice(3, 5) : '00'}`;
    if (+digits.slice(1, 3) > 15 || +(digits.slice(3, 5) || '0') > 59) return undefined;
  }
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(6, '0').slice(0, 6)}${offset}`;
}

/**
 * A canonical timestamp as its UTC instant (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), for comparing keys: the same instant
 * written with two offsets is one key. Whole seconds go through Date.UTC (exact); the microseconds are kept as text.
 */
export function instantKey(canonical: string): string {
  const sign = canonical[26] === '-' ? -1 : 1;
  const offsetMinutes = sign * (Number(canonical.slice(27, 29)) * 60 + Number(canonical.slice(30, 32)));
  const ms = Date.UTC(
    Number(canonical.slice(0, 4)),
    Number(canonical.slice(5, 7)) - 1,
    Number(canonical.slice(8, 10)),
    Number(canonical.slice(11, 13)),
    Number(canonical.slice(14, 16)) - offsetMinutes,
    Number(canonical.slice(17, 19)),
  );
  const date = new Date(ms);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear restores them.
  if (Number(canonical.slice(0, 4)) < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900);
  return `${date.toISOString().slice(0, 19)}.${canonical.slice(20, 26)}Z`;
}

function numberText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (value instanceof ExactNumber) return value.text;
  if (typeof value === 'string' && /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim())) return value.trim();
  return undefined;
}

/** Plain text for a value in a text column (numbers exact, objects as JSON). */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return numberText(value) ?? stringifyJson(value);
}

export class ValueError extends Error {}

/** The integers an integer column holds: beyond them the database refuses the row mid-flush (exit 5, retried). */
export interface IntegerRange {
  readonly min: bigint;
  readonly max: bigint;
  /** For the error message: `64-bit`, `38 digits`. */
  readonly name: string;
  /** Every safe integer (up to 2^53) is in range: decided once, the integer cell check runs per row. */
  readonly holdsSafeIntegers: boolean;
}

function integerRangeOf(min: bigint, max: bigint, name: string): IntegerRange {
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  return { min, max, name, holdsSafeIntegers: min <= -safe && max >= safe };
}

const INT64 = integerRangeOf(-(2n ** 63n), 2n ** 63n - 1n, '64-bit');
/** PostgreSQL `integer` and `smallint`: never created by the target, but found in tables made by others. */
export const INT32 = integerRangeOf(-(2n ** 31n), 2n ** 31n - 1n, '32-bit');
export const INT16 = integerRangeOf(-(2n ** 15n), 2n ** 15n - 1n, '16-bit');

/** The integers a column of `digits` decimal digits holds (Oracle NUMBER(n), PostgreSQL numeric(n,0)). */
export function digitsRange(digits: number): IntegerRange {
  const limit = 10n ** BigInt(digits);
  return integerRangeOf(-limit + 1n, limit - 1n, `${digits} digits`);
}

/**
 * The range of an integer column as each dialect renders it: PostgreSQL `bigint` (up to 18 digits) or `numeric(n)`
 * (postgres-sql.ts pgType); Oracle `NUMBER(n)`, n at most 38 (oracle-sql.ts oracleType).
 */
export function integerRange(dialect: Dialects, type: LogicalType): IntegerRange | undefined {
  if (type.kind !== 'integer') return undefined;
  if (dialect === 'postgres') return type.digits !== undefined && type.digits > 18 ? digitsRange(type.digits) : INT64;
  return digitsRange(Math.min(type.digits ?? 38, 38));
}

/**
 * Converts one record value for a column of `type` (an integer within `range` when given); throws ValueError naming
 * the expected type, never the value.
 */
export function toCell(value: unknown, type: LogicalType, range?: IntegerRange): Cell {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'integer': {
      // The common case, without the text checks below (every range holds the safe integers' 16 digits).
      if (typeof value === 'number' && Number.isSafeInteger(value) && (range === undefined || range.holdsSafeIntegers))
        return String(value);
      // 1.0000000000000000, 5e2 and 01 are whole numbers: loaded as their exact canonical digits (1, 500, 1), which
      // every database accepts as an integer, where the original spelling fails inside the flush.
      const text = numberText(value);
      const exact = text === undefined ? undefined : canonicalNumber(text);
      if (exact === undefined || !exact.whole) throw new ValueError('an integer');
      if (range !== undefined) {
        const n = BigInt(exact.text);
        if (n < range.min || n > range.max) throw new ValueError(`an integer the column holds (${range.name})`);
      }
      return exact.text;
    }
    case 'decimal': {
      const text = numberText(value);
      if (text === undefined) throw new ValueError('a number');
      return text;
    }
    case 'string':
    case 'native':
      return asText(value);
    case 'timestamp': {
      const text = typeof value === 'string' ? canonicalTimestamp(value) : undefined;
      if (text === undefined) throw new ValueError('an ISO 8601 date-time');
      return text;
    }
    case 'date': {
      const text = typeof value === 'string' ? canonicalTimestamp(value) : undefined;
      if (text === undefined) throw new ValueError('an ISO 8601 date');
      return text.slice(0, 10);
    }
    case 'boolean':
      if (typeof value === 'boolean') return value ? 'true' : 'false';
      if (value === 0 || value === 1) return value === 1 ? 'true' : 'false';
      if (value === 'true' || value === 'false') return value;
      throw new ValueError('a boolean');
    case 'json':
      return stringifyJson(value);
  }
}

/** For error messages: where a conversion failed, without the value. */
export function valueProblem(error: unknown, stream: string, field: string, line?: number): ProtocolError {
  const expected = error instanceof ValueError ? error.message : 'a valid value';
  return new ProtocolError(`Value is not ${expected}`, { line, stream, field });
}
