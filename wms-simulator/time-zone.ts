/**
 * Time-zone arithmetic for WMS timestamps: output is local wall time with the zone's offset at that
 * instant (DST-correct, from Intl), six fractional digits; naive input is read in a given zone.
 * Intl is far too slow to call once per rendered field: offsets are cached per UTC day when the day's first and last
 * 15-minute buckets agree (no change of offset that day: zones change at most once a day, on a quarter hour), and per
 * 15-minute bucket on the few days they differ. Rows spread over years would miss a per-bucket cache almost always.
 */
const BUCKET_MS = 15 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Per zone: day → the offset of the whole day, or a map of bucket → offset for a day with a change. */
const offsetCache = new Map<string, Map<number, number | Map<number, number>>>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

function computeOffsetMinutes(zone: string, epochMs: number): number {
  const parts = formatterFor(zone).formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60000);
}

/** Offset of `zone` from UTC, in minutes, at the instant `epochMs`. */
export function offsetMinutes(zone: string, epochMs: number): number {
  let byDay = offsetCache.get(zone);
  if (!byDay) {
    byDay = new Map();
    offsetCache.set(zone, byDay);
  }
  const day = Math.floor(epochMs / DAY_MS);
  let entry = byDay.get(day);
  if (entry === undefined) {
    const first = computeOffsetMinutes(zone, day * DAY_MS);
    const last = computeOffsetMinutes(zone, (day + 1) * DAY_MS - BUCKET_MS);
    entry = first === last ? first : new Map<number, number>();
    byDay.set(day, entry);
  }
  if (typeof entry === 'number') return entry;
  const bucket = Math.floor(epochMs / BUCKET_MS);
  let offset = entry.get(bucket);
  if (offset === undefined) {
    offset = computeOffsetMinutes(zone, bucket * BUCKET_MS);
    entry.set(bucket, offset);
  }
  return offset;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/**
 * Rendering a timestamp is the simulator's most frequent operation (several per row served), so the text is built
 * from cached pieces rather than through a Date and toISOString: the `YYYY-MM-DDT` prefix of each local day, the
 * two-digit and three-digit groups, and each offset's `+hh:mm`. Instants whose local year falls outside
 * 0000..9999 (where toISOString switches to six-digit years) and non-integer inputs keep the Date-based path, so
 * the text is the same for every input.
 */
const FAST_MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const FAST_MAX_MS = 253_402_300_800_000; // 10000-01-01T00:00:00Z
const DAY_S = 86_400;
/** Local day number (days since 1970-01-01 in wall time) → `YYYY-MM-DDT`; cleared when it grows large. */
const dayPrefixes = new Map<number, string>();
const DAY_PREFIX_LIMIT = 100_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => pad(i, 2));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => pad(i, 3));
/** Offset in minutes + OFFSET_BIAS → `+hh:mm` (offsets stay within ±24 h). */
const OFFSET_BIAS = 24 * 60;
const offsetTexts: (string | undefined)[] = [];

function dayPrefix(day: number): string {
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= DAY_PREFIX_LIMIT) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  return prefix;
}

function offsetText(minutes: number): string {
  const slot = minutes + OFFSET_BIAS;
  if (slot < 0 || slot > 2 * OFFSET_BIAS) return formatOffset(minutes);
  let text = offsetTexts[slot];
  if (text === undefined) {
    text = formatOffset(minutes);
    offsetTexts[slot] = text;
  }
  return text;
}

/** `2025-05-31T21:00:01.831732-03:00` for an instant in epoch microseconds. */
export function formatTimestamp(epochUs: number, zone: string): string {
  const ms = Math.floor(epochUs / 1000);
  const offset = offsetMinutes(zone, ms);
  const seconds = Math.floor(epochUs / 1e6);
  const localSeconds = seconds + offset * 60;
  const localMs = localSeconds * 1000;
  if (!Number.isSafeInteger(epochUs) || localMs < FAST_MIN_MS || localMs >= FAST_MAX_MS)
    return formatTimestampByDate(epochUs, seconds, offset);
  const day = Math.floor(localSeconds / DAY_S);
  const secondOfDay = localSeconds - day * DAY_S;
  const minuteOfDay = Math.floor(secondOfDay / 60);
  const micros = epochUs - seconds * 1e6;
  const milli = Math.floor(micros / 1000);
  return (
    dayPrefix(day) +
    TWO_DIGITS[Math.floor(minuteOfDay / 60)] +
    ':' +
    TWO_DIGITS[minuteOfDay % 60] +
    ':' +
    TWO_DIGITS[secondOfDay - minuteOfDay * 60] +
    '.' +
    THREE_DIGITS[milli] +
    THREE_DIGITS[micros - milli * 1000] +
    offsetText(offset)
  );
}

function formatTimestampByDate(epochUs: number, seconds: number, offset: number): string {
  const local = new Date(seconds * 1000 + offset * 60000).toISOString();
  return `${local.slice(0, 19)}.${pad(epochUs - seconds * 1e6, 6)}${formatOffset(offset)}`;
}

/** Wall-clock parts of an instant in a zone (for the year/month/day/week_day/hour/minute lookups). */
export function localParts(
  epochUs: number,
  zone: string,
): {
  year: number;
  month: number;
  day: number;
  weekDay: number;
  hour: number;
  minute: number;
} {
  const ms = Math.floor(epochUs / 1000);
  const d = new Date(ms + offsetMinutes(zone, ms) * 60000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    // Django's week_day: 1 = Sunday … 7 = Saturday.
    weekDay: d.getUTCDay() + 1,
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

export type ParsedTimestamp = { ok: true; epochUs: number } | { ok: false; reason: string };

/**
 * Parses a query-string date-time. Aware values are read as given; naive ones in `zone`
 * (WMS reads them in the API user's facility zone). `strictSeconds` rejects fractions.
 */
export function parseTimestamp(text: string, zone: string, strictSeconds = false): ParsedTimestamp {
  const m = TIMESTAMP.exec(text);
  if (!m) return { ok: false, reason: `'${text}' is not a valid date-time` };
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac, tz] = m;
  if (frac !== undefined && strictSeconds) return { ok: false, reason: 'sub-second precision is not accepted' };
  const wallMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(wallMs);
  if (
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return { ok: false, reason: `'${text}' is not a valid date-time` };
  }
  const micros = frac === undefined ? 0 : Number(frac.padEnd(6, '0'));
  let utcMs: number;
  if (tz === undefined) {
    // Two passes settle the offset for wall times near a DST change.
    const first = offsetMinutes(zone, wallMs);
    utcMs = wallMs - offsetMinutes(zone, wallMs - first * 60000) * 60000;
  } else if (tz === 'Z') {
    utcMs = wallMs;
  } else {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    utcMs = wallMs - sign * minutes * 60000;
  }
  return { ok: true, epochUs: utcMs * 1000 + micros };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}
