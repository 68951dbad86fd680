import assert from 'node:assert/strict';
import { compareDecimal, normalizeDecimal } from '../../../wms-simulator/decimal.js';
import { formatTimestamp, localParts, parseTimestamp } from '../../../wms-simulator/time-zone.js';

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
