import { ExactNumber } from '../../singer/index.js';

/**
 * Field-by-field comparison of a WMS record (as the API sends it) with the target row, independent of the tap's
 * transform: relations `{id, key, url}` against the flattened `<x>_id` / `<x>_key` columns, decimals compared exactly
 * as decimal text, timestamps as instants (microseconds; offsets may differ), '' equal to NULL (Oracle stores '' as
 * NULL). Reports field names only, never values.
 */
export interface RecordComparison {
  /** Fields whose values differ. */
  mismatched: string[];
  /** Source fields with no target column (not selected, or dropped by the target). */
  missingColumns: string[];
  compared: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** `+001.2300e1` → `12.3`; `-0.0` → `0`; undefined when not a decimal number. */
export function canonicalDecimal(text: string): string | undefined {
  const match = DECIMAL.exec(text.trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const sign = match[1] === '-' ? '-' : '';
  let digits = `${match[2]}${match[3] ?? ''}`;
  let point = match[2].length + Number(match[4] ?? 0);
  if (point < 0) {
    digits = `${'0'.repeat(-point)}${digits}`;
    point = 0;
  }
  if (point > digits.length) digits = digits.padEnd(point, '0');
  const int = digits.slice(0, point).replace(/^0+/, '') || '0';
  const frac = digits.slice(point).replace(/0+$/, '');
  if (int === '0' && frac === '') return '0';
  return `${sign}${int}${frac ? `.${frac}` : ''}`;
}

/** Epoch microseconds of an ISO-8601 / PostgreSQL timestamp text (no offset = UTC), or undefined. */
export function instantMicros(text: string): bigint | undefined {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zone] = match;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0));
  }
  const micros = BigInt(ms) * 1000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
  return micros - BigInt(offsetMinutes) * 60_000_000n;
}

function numericText(value: unknown): string | undefined {
  if (value instanceof ExactNumber) return canonicalDecimal(value.text);
  if (typeof value === 'number' && Number.isFinite(value)) return canonicalDecimal(String(value));
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return canonicalDecimal(value);
  return undefined;
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

/** Whether a source value and a target value are the same datum. */
export function sameValue(source: unknown, target: unknown): boolean {
  if (isBlank(source) || isBlank(target)) return isBlank(source) && isBlank(target);
  if (typeof source === 'boolean') {
    if (typeof target === 'boolean') return source === target;
    const n = numericText(target);
    if (n !== undefined) return n === (source ? '1' : '0');
    return typeof target === 'string' && /^(t|true|f|false)$/i.test(target) && /^t/i.test(target) === source;
  }
  if (typeof source === 'string') {
    if (target instanceof Date) {
      const a = instantMicros(source);
      return a !== undefined && a / 1000n === BigInt(target.getTime());
    }
    const a = instantMicros(source);
    const b = typeof target === 'string' ? instantMicros(target) : undefined;
    if (a !== undefined && b !== undefined) return a === b;
    if (typeof target === 'string' && source === target) return true;
    const x = canonicalDecimal(source);
    const y = numericText(target);
    if (x !== undefined && y !== undefined) return x === y;
    return typeof target === 'string' ? source === target : false;
  }
  const x = numericText(source);
  if (x !== undefined) return x === numericText(target);
  if (typeof source === 'object') {
    const text = typeof target === 'string' ? target : JSON.stringify(target);
    try {
      return JSON.stringify(JSON.parse(text)) === JSON.stringify(source);
    } catch {
      return false;
    }
  }
  return false;
}

function isRelation(value: unknown): value is { id: unknown; key?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof ExactNumber) &&
    !Array.isArray(value) &&
    'id' in value
  );
}

function relationBase(name: string): string {
  return name.endsWith('_id') && name.length > 3 ? name.slice(0, -3) : name;
}

/** `row` has lower-case column names. */
export function compareRecord(source: Record<string, unknown>, row: Record<string, unknown>): RecordComparison {
  const result: RecordComparison = { mismatched: [], missingColumns: [], compared: 0 };
  const check = (column: string, value: unknown): void => {
    if (!(column in row)) {
      result.missingColumns.push(column);
      return;
    }
    result.compared += 1;
    if (!sameValue(value, row[column])) result.mismatched.push(column);
  };
  for (const [name, value] of Object.entries(source)) {
    if (name.endsWith('_set')) continue; // child-list links are not loaded as columns
    const column = name.toLowerCase();
    // Flattened (`<x>_id` + `<x>_key` columns; `<x>_id` may be the relation's own name) unless the column holds the object.
    if (isRelation(value) && (`${relationBase(column)}_key` in row || !(column in row))) {
      const base = relationBase(column);
      check(`${base}_id`, value.id);
      check(`${base}_key`, value.key ?? null);
      continue;
    }
    check(column, value);
  }
  return result;
}
