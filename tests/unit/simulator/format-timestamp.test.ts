import assert from 'node:assert/strict';
import { formatOffset, formatTimestamp, offsetMinutes } from '../../../wms-simulator/time-zone.js';

/**
 * formatTimestamp builds its text from cached pieces for speed; this checks it against two references over many
 * instants: an independent one built on Intl.DateTimeFormat (wall time and the zone's own offset name), and the
 * Date/toISOString algorithm the simulator used before, which also covers local mean time offsets with seconds
 * (before ~1945 in some zones), where the simulator renders the offset rounded to whole minutes and Intl does not.
 */
function previous(epochUs: number, zone: string): string {
  const offset = offsetMinutes(zone, Math.floor(epochUs / 1000));
  const seconds = Math.floor(epochUs / 1e6);
  const local = new Date(seconds * 1000 + offset * 60000).toISOString();
  return `${local.slice(0, 19)}.${String(epochUs - seconds * 1e6).padStart(6, '0')}${formatOffset(offset)}`;
}

const formats = new Map<string, Intl.DateTimeFormat>();
/** Intl's text, or null where the zone's offset then had seconds (local mean time). */
function reference(epochUs: number, zone: string): string | null {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formats.set(zone, format);
  }
  const seconds = Math.floor(epochUs / 1e6);
  const parts = format.formatToParts(new Date(seconds * 1000));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  // Intl counts years BC from 1 (1 BC is ISO year 0).
  const era = get('era');
  const year = era === 'BC' || era === 'B' ? 1 - Number(get('year')) : Number(get('year'));
  const name = get('timeZoneName');
  const offset = name === 'GMT' ? '+00:00' : name.slice(3);
  if (offset.length > 6) return null;
  const micros = String(epochUs - seconds * 1e6).padStart(6, '0');
  return `${String(year).padStart(4, '0')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}.${micros}${offset}`;
}

const ZONES = ['America/New_York', 'America/Sao_Paulo', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
const us = (iso: string) => Date.parse(iso) * 1000;

let intlChecks = 0;
function check(epochUs: number, zone: string): void {
  const text = formatTimestamp(epochUs, zone);
  assert.equal(text, previous(epochUs, zone), `${zone} at ${epochUs} µs (previous algorithm)`);
  const intl = reference(epochUs, zone);
  if (intl === null) return;
  intlChecks++;
  assert.equal(text, intl, `${zone} at ${epochUs} µs (Intl)`);
}

describe('wms-simulator formatTimestamp against an Intl reference', () => {
  it('matches around DST changes, every 7.5 minutes over two days, at µs edges', () => {
    const changes = [
      '2025-03-09T07:00:00Z', // New York spring forward
      '2025-11-02T06:00:00Z', // New York fall back
      '2025-03-30T01:00:00Z', // London
      '2025-10-26T01:00:00Z',
      '2025-04-05T15:00:00Z', // Lord Howe, half an hour
      '2025-10-04T15:30:00Z',
      '2018-11-04T03:00:00Z', // Sao Paulo, while it still changed
      '2019-02-17T02:00:00Z',
      '1945-08-14T23:00:00Z', // New York's war time ends
    ];
    const step = 7.5 * 60 * 1e6;
    for (const at of changes) {
      const change = us(at);
      for (let t = change - 2 * 86_400e6; t < change + 2 * 86_400e6; t += step) {
        for (const zone of ZONES) {
          for (const edge of [0, 1, 999_999, -1, 500_000]) check(t + edge, zone);
        }
      }
    }
  });

  it('matches at random instants from 1900 to 2100, before 1970 included', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const from = us('1900-01-01T00:00:00Z');
    const span = us('2100-01-01T00:00:00Z') - from;
    for (let i = 0; i < 3000; i++) {
      const t = from + Math.floor(next() * span);
      for (const zone of ZONES) check(t, zone);
    }
  });

  it('matches at day, year and epoch boundaries and at the far ends of four-digit years', () => {
    const instants = [
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00Z',
      '1999-12-31T23:59:59Z',
      '2000-01-01T00:00:00Z',
      '2024-02-29T12:00:00Z',
      '1600-03-01T00:00:00Z',
      '0100-01-01T12:00:00Z',
      '9999-12-31T12:00:00Z',
    ].map(us);
    for (const t of instants) {
      for (const delta of [-1_000_001, -1, 0, 1, 999_999, 1_000_000]) {
        for (const zone of ZONES) check(t + delta, zone);
      }
    }
  });

  it('was checked against Intl for nearly every instant', () => {
    assert.ok(intlChecks > 100_000, `${intlChecks}`);
  });

  it('keeps the Date-based text outside four-digit years (as toISOString writes them)', () => {
    const t = us('9999-12-31T23:00:00Z');
    assert.equal(formatTimestamp(t, 'Asia/Kolkata'), '+010000-01-01T04:30.000000+05:30');
    assert.equal(formatTimestamp(t, 'UTC'), '9999-12-31T23:00:00.000000+00:00');
  });
});
