import type { Column } from './catalog.js';
import { formatDatetime, parseDatetime, truncateFraction } from './datetime.js';
import type { DbSession } from './db-session.js';
import {
  compareDecimal,
  decimalText,
  integerDigits,
  parseDecimal,
  roundSignificant,
  roundToScale,
  type Decimal,
} from './decimal.js';
import { OracleError } from './oracle-error.js';
import { requireSessionNls } from './rules.js';
import type { ColumnType, OraValue } from './types.js';

/** What conversions need to know: the session (NLS), the rule strictness and the maximum string size. */
export interface ConversionContext {
  session: DbSession;
  strictNls: boolean;
  maxStringBytes: number;
}

export const text = (s: string): OraValue => (s === '' ? null : { t: 'string', s });
export const num = (n: Decimal): OraValue => ({ t: 'number', n });

function inconsistent(expected: string, got: OraValue): never {
  throw new OracleError(
    'ORA-00932',
    `inconsistent datatypes: expected ${expected} got ${got === null ? 'NULL' : got.t.toUpperCase()}`,
  );
}

/** TO_NUMBER(x) and implicit text → NUMBER: the decimal character comes from NLS_NUMERIC_CHARACTERS. */
export function toNumber(value: OraValue, ctx: ConversionContext): OraValue {
  if (value === null || value.t === 'number') return value;
  if (value.t === 'string' || value.t === 'clob') {
    requireSessionNls(ctx.session, ctx.strictNls, 'NLS_NUMERIC_CHARACTERS', 'a text → NUMBER conversion');
    const n = parseDecimal(value.s, ctx.session.nls.numericCharacters[0]);
    if (!n) throw new OracleError('ORA-01722', 'invalid number');
    return num(roundSignificant(n, 40));
  }
  if (value.t === 'boolean') return num({ coef: value.b ? 1n : 0n, exp: 0 });
  return inconsistent('NUMBER', value);
}

/** TO_CHAR(x [, fmt]): numbers by NLS (TM9), datetimes by an explicit format or the session's NLS format. */
export function toText(value: OraValue, ctx: ConversionContext, format?: string): OraValue {
  if (value === null) return null;
  switch (value.t) {
    case 'string':
      return value.long ? text(value.s) : value;
    case 'clob':
    case 'json':
      return text(value.s);
    case 'number':
      if (format !== undefined && format.toUpperCase() !== 'TM9' && format.toUpperCase() !== 'TM')
        throw new OracleError('ORA-01481', `invalid number format model (not modelled: ${format})`);
      requireSessionNls(ctx.session, ctx.strictNls, 'NLS_NUMERIC_CHARACTERS', 'a NUMBER → text conversion');
      return text(decimalText(value.n, ctx.session.nls.numericCharacters[0]));
    case 'boolean':
      return text(value.b ? 'TRUE' : 'FALSE');
    case 'timestamp':
    case 'date': {
      if (format === undefined) {
        const parameter =
          value.t === 'date'
            ? 'NLS_DATE_FORMAT'
            : value.offsetMinutes === undefined
              ? 'NLS_TIMESTAMP_FORMAT'
              : 'NLS_TIMESTAMP_TZ_FORMAT';
        requireSessionNls(ctx.session, ctx.strictNls, parameter, 'a datetime → text conversion without a format');
        throw new OracleError('ORA-01821', `the rules session models explicit formats only (${parameter})`);
      }
      return text(formatDatetime(value.micros, format, value.t === 'timestamp' ? value.offsetMinutes : 0));
    }
  }
}

/** TO_TIMESTAMP_TZ / TO_TIMESTAMP / TO_DATE of text by an explicit format. */
export function toDatetime(
  value: OraValue,
  kind: 'tz' | 'timestamp' | 'date',
  ctx: ConversionContext,
  format?: string,
): OraValue {
  if (value === null) return null;
  if (value.t !== 'string' && value.t !== 'clob') {
    if (value.t === 'timestamp' || value.t === 'date') return castDatetime(value, kind);
    return inconsistent(kind === 'date' ? 'DATE' : 'TIMESTAMP', value);
  }
  if (format === undefined) {
    const parameter =
      kind === 'date' ? 'NLS_DATE_FORMAT' : kind === 'tz' ? 'NLS_TIMESTAMP_TZ_FORMAT' : 'NLS_TIMESTAMP_FORMAT';
    requireSessionNls(ctx.session, ctx.strictNls, parameter, 'a text → datetime conversion without a format');
    throw new OracleError('ORA-01821', `the rules session models explicit formats only (${parameter})`);
  }
  const parsed = parseDatetime(value.s, format, kind !== 'date', kind === 'tz');
  if (kind === 'date') return { t: 'date', micros: parsed.micros };
  if (kind === 'timestamp') return { t: 'timestamp', micros: parsed.micros };
  // Without TZH in the format, TO_TIMESTAMP_TZ takes the session time zone.
  if (parsed.offsetMinutes === undefined) {
    requireSessionNls(ctx.session, ctx.strictNls, 'TIME_ZONE', 'a timestamp without a zone read as WITH TIME ZONE');
    const offset = zoneMinutes(ctx.session.nls.timeZone);
    return { t: 'timestamp', micros: parsed.micros - BigInt(offset) * 60_000_000n, offsetMinutes: offset };
  }
  return { t: 'timestamp', micros: parsed.micros, offsetMinutes: parsed.offsetMinutes };
}

export function zoneMinutes(zone: string): number {
  const m = /^([+-])(\d{1,2}):(\d{2})$/.exec(zone.trim());
  if (!m) throw new OracleError('ORA-01882', `timezone region not found (${zone})`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function castDatetime(
  value: Extract<OraValue, { t: 'timestamp' | 'date' }>,
  kind: 'tz' | 'timestamp' | 'date',
): OraValue {
  if (kind === 'date') return { t: 'date', micros: truncateFraction(value.micros) };
  if (kind === 'timestamp') {
    if (value.t === 'timestamp' && value.offsetMinutes !== undefined)
      return { t: 'timestamp', micros: value.micros + BigInt(value.offsetMinutes) * 60_000_000n };
    return { t: 'timestamp', micros: value.micros };
  }
  if (value.t === 'timestamp' && value.offsetMinutes !== undefined) return value;
  throw new OracleError(
    'ORA-01821',
    'implicit TIMESTAMP → TIMESTAMP WITH TIME ZONE takes the session zone; convert explicitly (FROM_TZ)',
  );
}

function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

/**
 * A value as stored in `column` (INSERT, UPDATE SET, MERGE): implicit conversions, then Oracle's size checks —
 * ORA-12899 when a string is longer than the column in characters or bytes (VARCHAR2(n CHAR) still holds at most
 * MAX_STRING_SIZE bytes), ORA-01438 when a number has more integer digits than NUMBER(p,s) allows.
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/Data-Types.html#GUID-DF7E10FD-A6F5-4CF0-B8C9-6B6E8A5D3A1E
 */
export function storeValue(value: OraValue, column: Column, table: string, ctx: ConversionContext): OraValue {
  if (value === null) return null;
  const type: ColumnType = column.type;
  const where = `${table}."${column.name}"`;
  switch (type.base) {
    case 'NUMBER':
    case 'FLOAT': {
      const v = toNumber(value, ctx) as Extract<OraValue, { t: 'number' }>;
      if (type.precision === undefined || type.base === 'FLOAT') return v;
      const rounded = roundToScale(v.n, type.scale ?? 0);
      if (integerDigits(rounded) > type.precision - (type.scale ?? 0))
        throw new OracleError('ORA-01438', `value larger than specified precision allowed for this column (${where})`);
      return num(rounded);
    }
    case 'VARCHAR2':
    case 'NVARCHAR2':
    case 'CHAR': {
      const v = value.t === 'clob' ? text(value.s) : value.t === 'string' ? value : toText(value, ctx);
      if (v === null) return null;
      const s = (v as { s: string }).s;
      const bytes = Buffer.byteLength(s, 'utf8');
      const chars = charLength(s);
      const max = type.semantics === 'CHAR' ? chars : bytes;
      const byteCap = type.base === 'CHAR' ? 2000 : ctx.maxStringBytes;
      if (max > (type.length ?? 1) || bytes > byteCap) {
        const [actual, maximum] = max > (type.length ?? 1) ? [max, type.length ?? 1] : [bytes, byteCap];
        throw new OracleError(
          'ORA-12899',
          `value too large for column ${where} (actual: ${actual}, maximum: ${maximum})`,
        );
      }
      return { t: 'string', s };
    }
    case 'CLOB':
    case 'NCLOB':
    case 'LONG': {
      if (value.t === 'string' || value.t === 'clob' || value.t === 'json') return { t: 'clob', s: value.s };
      const v = toText(value, ctx);
      return v === null ? null : { t: 'clob', s: (v as { s: string }).s };
    }
    case 'TIMESTAMP WITH TIME ZONE':
    case 'TIMESTAMP WITH LOCAL TIME ZONE': {
      const v = toDatetime(value, 'tz', ctx) as Extract<OraValue, { t: 'timestamp' }>;
      return { ...v, micros: roundFraction(v.micros, type.fsp ?? 6) };
    }
    case 'TIMESTAMP': {
      const v = toDatetime(value, 'timestamp', ctx) as Extract<OraValue, { t: 'timestamp' }>;
      return { t: 'timestamp', micros: roundFraction(v.micros, type.fsp ?? 6) };
    }
    case 'DATE':
      return toDatetime(value, 'date', ctx);
    case 'BOOLEAN':
      return toBoolean(value);
    case 'JSON':
      return toJson(value);
    default:
      throw new OracleError('ORA-00932', `inconsistent datatypes: ${type.base} columns are not modelled`);
  }
}

function roundFraction(micros: bigint, fsp: number): bigint {
  if (fsp >= 6) return micros;
  const unit = 10n ** BigInt(6 - fsp);
  const rest = ((micros % unit) + unit) % unit;
  return micros - rest + (rest * 2n >= unit ? unit : 0n);
}

/** TO_BOOLEAN and implicit conversion to a BOOLEAN column (23ai): the documented true/false spellings and 1/0. */
export function toBoolean(value: OraValue): OraValue {
  if (value === null || value.t === 'boolean') return value;
  if (value.t === 'number') return { t: 'boolean', b: compareDecimal(value.n, { coef: 0n, exp: 0 }) !== 0 };
  if (value.t === 'string') {
    const s = value.s.trim().toUpperCase();
    if (['TRUE', 'YES', 'ON', '1', 'T', 'Y'].includes(s)) return { t: 'boolean', b: true };
    if (['FALSE', 'NO', 'OFF', '0', 'F', 'N'].includes(s)) return { t: 'boolean', b: false };
    throw new OracleError('ORA-61800', 'invalid boolean value');
  }
  return inconsistent('BOOLEAN', value);
}

/** JSON(x) and JSON columns: the text must be JSON (ORA-40441). */
export function toJson(value: OraValue): OraValue {
  if (value === null || value.t === 'json') return value;
  if (value.t !== 'string' && value.t !== 'clob') return inconsistent('JSON', value);
  if (!isJson(value.s)) throw new OracleError('ORA-40441', 'JSON syntax error');
  return { t: 'json', s: value.s };
}

export function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** Comparison with Oracle's implicit conversions (text vs NUMBER → NUMBER); undefined when either side is NULL. */
export function compareValues(a: OraValue, b: OraValue, ctx: ConversionContext): number | undefined {
  if (a === null || b === null) return undefined;
  if (a.t === 'number' || b.t === 'number') {
    const x = toNumber(a, ctx) as Extract<OraValue, { t: 'number' }>;
    const y = toNumber(b, ctx) as Extract<OraValue, { t: 'number' }>;
    return compareDecimal(x.n, y.n);
  }
  if ((a.t === 'timestamp' || a.t === 'date') && (b.t === 'timestamp' || b.t === 'date')) {
    const tz = (v: typeof a) => v.t === 'timestamp' && v.offsetMinutes !== undefined;
    if (tz(a) !== tz(b))
      throw new OracleError(
        'ORA-01821',
        'comparing TIMESTAMP WITH TIME ZONE with a zoneless datetime depends on the session zone; convert explicitly',
      );
    return a.micros < b.micros ? -1 : a.micros > b.micros ? 1 : 0;
  }
  if (a.t === 'boolean' && b.t === 'boolean') return Number(a.b) - Number(b.b);
  // LOBs cannot be compared with = or < (SQL Language Reference, "LOB restrictions").
  if (a.t === 'clob' || b.t === 'clob')
    throw new OracleError('ORA-00932', 'inconsistent datatypes: expected - got CLOB');
  if ('s' in a && 's' in b) return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
  return inconsistent(a.t.toUpperCase(), b);
}
