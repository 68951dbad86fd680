import assert from 'node:assert/strict';
import { compareDecimal, normalizeDecimal } from '../../../wms-simulator/decimal.js';
import { formatTimestamp, localParts, offsetMinutes, parseTimestamp } from '../../../wms-simulator/time-zone.js';

const us = (iso: string) => Date.parse(iso) * 1000;

describe('wms-simulator time zones and decimals', () => {
  it('formats µs instants with the zone offset at that instant (DST-correct)', () => {
    assert.equal(
      formatTimestamp(us('2025-07-01T12:00:00Z') + 123456, 'America/New_York'),
      '2025-07-01T08:00:00.123456-04:00',
    );
    assert.equal(
      formatTimestamp(us('2025-01-15T12:00:00Z') + 7, 'America/New_York'),
      '2025-01-15T07:00:00.000007-05:00',
    );
    assert.equal(formatTimestamp(us('2025-01-15T12:00:00Z'), 'Asia/Kolkata'), '2025-01-15T17:30:00.000000+05:30');
    assert.equal(
      formatTimestamp(us('2025-05-31T21:00:01.831Z') + 732 - 0, 'America/Sao_Paulo'),
      '2025-05-31T18:00:01.831732-03:00',
    );
  });

  it('the hour around a DST change is rendered with the right offset on each side', () => {
    // 2025-03-09 07:00Z is 02:00 EST → 03:00 EDT.
    assert.ok(formatTimestamp(us('2025-03-09T06:59:59Z'), 'America/New_York').endsWith('01:59:59.000000-05:00'));
    assert.ok(formatTimestamp(us('2025-03-09T07:00:00Z'), 'America/New_York').endsWith('03:00:00.000000-04:00'));
  });

  it('every quarter hour around offset changes, and instants over years, get the offset Intl names', () => {
    // The reference is Intl's own offset name (GMT-04:00), not the arithmetic the cache is built on.
    const formats = new Map<string, Intl.DateTimeFormat>();
    const named = (zone: string, ms: number): number => {
      let format = formats.get(zone);
      if (!format) {
        format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
        formats.set(zone, format);
      }
      const name = format.formatToParts(new Date(ms)).find((part) => part.type === 'timeZoneName')!.value;
      const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name)!;
      return match[1] === undefined ? 0 : (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
    };
    const quarter = 15 * 60 * 1000;
    // New York and London change by an hour, Lord Howe by half an hour, Sao Paulo stopped changing in 2019.
    const changes: [string, string][] = [
      ['America/New_York', '2025-03-09T07:00:00Z'],
      ['America/New_York', '2025-11-02T06:00:00Z'],
      ['Europe/London', '2025-03-30T01:00:00Z'],
      ['Australia/Lord_Howe', '2025-04-05T15:00:00Z'],
      ['America/Sao_Paulo', '2019-02-17T02:00:00Z'],
    ];
    for (const [zone, at] of changes) {
      const change = Date.parse(at);
      for (let ms = change - 2 * 86_400_000; ms < change + 2 * 86_400_000; ms += quarter)
        assert.equal(
          offsetMinutes(zone, ms + 61_123),
          named(zone, ms + 61_123),
          `${zone} at ${new Date(ms).toISOString()}`,
        );
    }
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (const zone of ['America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Europe/Berlin']) {
      for (let i = 0; i < 500; i += 1) {
        const ms = Date.parse('2023-01-01T00:00:00Z') + Math.floor(next() * 3 * 365 * 86_400_000);
        assert.equal(offsetMinutes(zone, ms), named(zone, ms), `${zone} at ${new Date(ms).toISOString()}`);
      }
    }
  });

  it('parses aware values as given and naive ones in the given zone', () => {
    const ok = (r: ReturnType<typeof parseTimestamp>) => (r.ok ? r.epochUs : NaN);
    assert.equal(ok(parseTimestamp('2025-01-01T00:00:00Z', 'Asia/Kolkata')), us('2025-01-01T00:00:00Z'));
    assert.equal(ok(parseTimestamp('2025-01-01T00:00:00+05:30', 'UTC')), us('2024-12-31T18:30:00Z'));
    assert.equal(ok(parseTimestamp('2025-01-01T00:00:00', 'America/Sao_Paulo')), us('2025-01-01T03:00:00Z'));
    assert.equal(ok(parseTimestamp('2025-07-01T00:00:00', 'America/New_York')), us('2025-07-01T04:00:00Z'));
    assert.equal(ok(parseTimestamp('2025-01-01 00:00:00.5', 'UTC')), us('2025-01-01T00:00:00Z') + 500000);
    assert.equal(ok(parseTimestamp('2025-01-01', 'UTC')), us('2025-01-01T00:00:00Z'));
  });

  it('rejects invalid date-times, and fractions under strict seconds', () => {
    for (const bad of ['yesterday', '2025-02-30T00:00:00Z', '2025-01-01T25:00:00Z', '2025-01-01T00:00:00 00:00']) {
      assert.equal(parseTimestamp(bad, 'UTC').ok, false, bad);
    }
    assert.equal(parseTimestamp('2025-01-01T00:00:00.1Z', 'UTC', true).ok, false);
    assert.equal(parseTimestamp('2025-01-01T00:00:00Z', 'UTC', true).ok, true);
  });

  it('local parts use Django week_day numbering (1 = Sunday)', () => {
    assert.equal(localParts(us('2025-06-01T12:00:00Z'), 'UTC').weekDay, 1);
    assert.equal(localParts(us('2025-06-07T12:00:00Z'), 'UTC').weekDay, 7);
    assert.equal(localParts(us('2025-06-01T02:00:00Z'), 'America/Sao_Paulo').day, 31);
  });

  it('compares decimals exactly, beyond double precision', () => {
    assert.equal(compareDecimal('12345678901234567.891', '12345678901234567.89'), 1);
    assert.equal(compareDecimal('-1.50', '-1.5'), 0);
    assert.equal(compareDecimal('-2', '1'), -1);
    assert.equal(compareDecimal('0.375', '0.4'), -1);
    assert.equal(compareDecimal('100', '99.999'), 1);
    assert.equal(normalizeDecimal('+007.2500'), '7.25');
    assert.equal(normalizeDecimal('-0.0'), '0');
  });
});
