import { OracleError } from './oracle-error.js';

/**
 * Datetime format models (YYYY MM DD HH24 MI SS FF[1-9] TZH TZM, "quoted text", punctuation) for TO_TIMESTAMP_TZ,
 * TO_TIMESTAMP, TO_DATE and TO_CHAR, with Oracle's range errors. Instants are microseconds since 1970-01-01 UTC
 * (bigint: exact), offsets in minutes.
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/Format-Models.html
 */

type Element = { kind: 'field'; name: string; digits?: number } | { kind: 'literal'; text: string };

const FIELDS = ['YYYY', 'HH24', 'TZH', 'TZM', 'MM', 'DD', 'MI', 'SS', 'FF'];

function elements(format: string): Element[] {
  const out: Element[] = [];
  let i = 0;
  while (i < format.length) {
    if (format[i] === '"') {
      const end = format.indexOf('"', i + 1);
      if (end < 0) throw new OracleError('ORA-01821', 'date format not recognized');
      out.push({ kind: 'literal', text: format.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const upper = format.slice(i).toUpperCase();
    const field = FIELDS.find((f) => upper.startsWith(f));
    if (field) {
      i += field.length;
      if (field === 'FF' && /[1-9]/.test(format[i] ?? '')) {
        out.push({ kind: 'field', name: 'FF', digits: Number(format[i]) });
        i += 1;
      } else out.push({ kind: 'field', name: field });
      continue;
    }
    if (/[-/,.;: ]/.test(format[i])) {
      out.push({ kind: 'literal', text: format[i] });
      i += 1;
      continue;
    }
    throw new OracleError('ORA-01821', `date format not recognized (${format.slice(i, i + 6)})`);
  }
  return out;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (valid for years 1..9999, unlike Date before year 100). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

function lastDay(y: number, m: number): number {
  return [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

export interface ParsedDatetime {
  /** The instant in UTC. */
  micros: bigint;
  /** Present when the format had TZH (TIMESTAMP WITH TIME ZONE). */
  offsetMinutes?: number;
}

const MICROS_PER_DAY = 86_400_000_000n;

/** Reads `text` by `format`; `allowFraction`/`allowZone` follow the target function (TO_DATE has neither). */
export function parseDatetime(
  text: string,
  format: string,
  allowFraction: boolean,
  allowZone: boolean,
): ParsedDatetime {
  let i = 0;
  const f: Record<string, number> = { YYYY: 1, MM: 1, DD: 1, HH24: 0, MI: 0, SS: 0, FF: 0, TZH: 0, TZM: 0 };
  let zoneSign = 1;
  let hasZone = false;
  const number = (min: number, max: number): string => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(text.slice(i));
    if (!m) throw new OracleError('ORA-01858', 'a non-numeric character was found where a numeric was expected');
    i += m[0].length;
    return m[0];
  };
  for (const el of elements(format)) {
    if (el.kind === 'literal') {
      if (text.slice(i, i + el.text.length).toUpperCase() !== el.text.toUpperCase())
        throw new OracleError('ORA-01861', 'literal does not match format string');
      i += el.text.length;
      continue;
    }
    switch (el.name) {
      case 'YYYY':
        f.YYYY = Number(number(1, 4));
        break;
      case 'FF': {
        if (!allowFraction) throw new OracleError('ORA-01821', 'date format not recognized');
        const digits = number(1, el.digits ?? 9);
        f.FF = Number(digits.padEnd(9, '0').slice(0, 6));
        break;
      }
      case 'TZH': {
        if (!allowZone) throw new OracleError('ORA-01821', 'date format not recognized');
        hasZone = true;
        if (text[i] === '+' || text[i] === '-') {
          zoneSign = text[i] === '-' ? -1 : 1;
          i += 1;
        }
        f.TZH = Number(number(1, 2));
        break;
      }
      default:
        f[el.name] = Number(number(1, 2));
    }
  }
  if (i < text.length)
    throw new OracleError('ORA-01830', 'date format picture ends before converting entire input string');
  if (f.YYYY < 1) throw new OracleError('ORA-01841', '(full) year must be between -4713 and +9999, and not be 0');
  if (f.MM < 1 || f.MM > 12) throw new OracleError('ORA-01843', 'an invalid month was specified');
  if (f.DD < 1 || f.DD > lastDay(f.YYYY, f.MM))
    throw new OracleError('ORA-01847', 'day of month must be between 1 and last day of month');
  if (f.HH24 > 23) throw new OracleError('ORA-01850', 'hour must be between 0 and 23');
  if (f.MI > 59) throw new OracleError('ORA-01851', 'minutes must be between 0 and 59');
  if (f.SS > 59) throw new OracleError('ORA-01852', 'seconds must be between 0 and 59');
  if (f.TZH > 15) throw new OracleError('ORA-01874', 'time zone hour must be between -15 and 15');
  if (f.TZM > 59) throw new OracleError('ORA-01875', 'time zone minute must be between -59 and 59');
  const offset = zoneSign * (f.TZH * 60 + f.TZM);
  const local =
    BigInt(daysFromCivil(f.YYYY, f.MM, f.DD)) * MICROS_PER_DAY +
    BigInt(((f.HH24 * 60 + f.MI) * 60 + f.SS) * 1_000_000 + f.FF);
  return hasZone ? { micros: local - BigInt(offset) * 60_000_000n, offsetMinutes: offset } : { micros: local };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Writes an instant (shown at `offsetMinutes`, default UTC) by `format`. */
export function formatDatetime(micros: bigint, format: string, offsetMinutes = 0): string {
  const local = micros + BigInt(offsetMinutes) * 60_000_000n;
  let days = local / MICROS_PER_DAY;
  let rest = local % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const [y, m, d] = civilFromDays(Number(days));
  const totalSeconds = Number(rest / 1_000_000n);
  const fraction = Number(rest % 1_000_000n);
  return elements(format)
    .map((el) => {
      if (el.kind === 'literal') return el.text;
      switch (el.name) {
        case 'YYYY':
          return pad(y, 4);
        case 'MM':
          return pad(m, 2);
        case 'DD':
          return pad(d, 2);
        case 'HH24':
          return pad(Math.floor(totalSeconds / 3600), 2);
        case 'MI':
          return pad(Math.floor(totalSeconds / 60) % 60, 2);
        case 'SS':
          return pad(totalSeconds % 60, 2);
        case 'FF':
          return pad(fraction, 6)
            .padEnd(9, '0')
            .slice(0, el.digits ?? 9);
        case 'TZH':
          return `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMinutes) / 60), 2)}`;
        default:
          return pad(Math.abs(offsetMinutes) % 60, 2);
      }
    })
    .join('');
}

/** Drops the fraction of a second (a DATE holds whole seconds). */
export function truncateFraction(micros: bigint): bigint {
  return micros - (((micros % 1_000_000n) + 1_000_000n) % 1_000_000n);
}
