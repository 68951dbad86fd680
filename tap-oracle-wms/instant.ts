/**
 * RFC 3339 timestamps as instants with microsecond precision. WMS sends `2025-05-31T21:00:01.831732-03:00`; offsets
 * change with DST, so timestamps are compared as instants, never as strings, and never through a millisecond Date.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

interface InstantParts {
  /** The whole seconds as epoch milliseconds (always a multiple of 1000: exact in every year). */
  secondsMs: number;
  /** The fraction's first six digits, padded: the microseconds, kept as text. */
  micros: string;
}

function instantParts(text: string): InstantParts | undefined {
  const match = RFC3339.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (Number.isNaN(ms)) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.replace(':', '');
    offsetMinutes = (digits.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return { secondsMs: ms - offsetMinutes * 60_000, micros: fraction.padEnd(6, '0').slice(0, 6) };
}

/**
 * Microseconds since the epoch, or undefined when the text is not an RFC 3339 date-time. Naive times are UTC.
 * A number: exact up to 2^53 µs (year 2255), which covers bookmarks and query windows; text that must stay exact in
 * any year goes through canonicalUtcText.
 */
export function parseInstant(text: string): number | undefined {
  const parts = instantParts(text);
  return parts === undefined ? undefined : parts.secondsMs * 1000 + Number(parts.micros);
}

/**
 * formatInstant(parseInstant(text)) without the number in between: exact in every year (WMS's `9999-12-31…`
 * "no end" dates are past 2^53 µs, where the number would round the microseconds away).
 */
export function canonicalUtcText(text: string): string | undefined {
  const parts = instantParts(text);
  if (parts === undefined) return undefined;
  const iso = new Date(parts.secondsMs).toISOString();
  return `${iso.slice(0, iso.lastIndexOf('.'))}.${parts.micros}+00:00`;
}

/** Like parseInstant, but throws a clear error naming what the value is. */
export function requireInstant(text: string, what: string): number {
  const instant = parseInstant(text);
  if (instant === undefined) throw new TypeError(`${what} is not an RFC 3339 date-time`);
  return instant;
}

/** Is a later than b, as instants? */
export function isLater(a: string, b: string): boolean {
  return requireInstant(a, 'timestamp') > requireInstant(b, 'timestamp');
}

/** Whole-second UTC text for a query bound, e.g. `2025-05-31T21:00:01+00:00`; `mode` rounds down or up. */
export function formatQuerySeconds(micros: number, mode: 'floor' | 'ceil'): string {
  const seconds = mode === 'floor' ? Math.floor(micros / 1e6) : Math.ceil(micros / 1e6);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}+00:00`;
}

/** Full-precision UTC text (microseconds) for an instant, e.g. a signpost stored in state. */
export function formatInstant(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = micros - ms * 1000;
  const base = new Date(ms).toISOString().slice(0, 23);
  return `${base}${String(Math.round(rest)).padStart(3, '0')}+00:00`;
}
