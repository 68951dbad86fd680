import {
  canonicalUtcText,
  formatInstant,
  formatQuerySeconds,
  isLater,
  parseInstant,
} from '../../../tap-oracle-wms/instant.js';
import { expect } from './helpers.js';

describe('tap instants (RFC 3339 with microseconds; pure)', () => {
  it('compares instants across offsets, not strings (DST changes the offset)', () => {
    // 01:30-04:00 (EDT) is 05:30Z; 01:10-05:00 (EST, after the fall-back) is 06:10Z: later, though it sorts first.
    expect(isLater('2024-11-03T01:10:00.000000-05:00', '2024-11-03T01:30:00.000000-04:00')).to.equal(true);
    expect('2024-11-03T01:10:00.000000-05:00' < '2024-11-03T01:30:00.000000-04:00').to.equal(true);
  });

  it('keeps microseconds (a millisecond Date would tie these)', () => {
    const a = parseInstant('2025-05-31T21:00:01.831732-03:00') as number;
    const b = parseInstant('2025-05-31T21:00:01.831733-03:00') as number;
    expect(b - a).to.equal(1);
    expect(parseInstant('2025-06-01T00:00:01.831732Z')).to.equal(a);
  });

  it('rejects non-timestamps', () => {
    expect(parseInstant('yesterday')).to.equal(undefined);
    expect(parseInstant('2025-13-01')).to.equal(undefined);
  });

  it('formats whole-second UTC query bounds, flooring the lower and ceiling the upper', () => {
    const t = parseInstant('2025-05-31T21:00:01.831732-03:00') as number;
    expect(formatQuerySeconds(t, 'floor')).to.equal('2025-06-01T00:00:01+00:00');
    expect(formatQuerySeconds(t, 'ceil')).to.equal('2025-06-01T00:00:02+00:00');
    const whole = parseInstant('2025-06-01T00:00:05Z') as number;
    expect(formatQuerySeconds(whole, 'ceil')).to.equal('2025-06-01T00:00:05+00:00');
  });

  it('formats an instant with microseconds and round-trips', () => {
    const t = parseInstant('2025-05-31T21:00:01.000007-03:00') as number;
    expect(formatInstant(t)).to.equal('2025-06-01T00:00:01.000007+00:00');
    expect(parseInstant(formatInstant(t))).to.equal(t);
  });

  it('canonical UTC text: as parsing and printing back up to 2255, and exact in later years (9999-12-31 "no end")', () => {
    let seed = 11;
    const next = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n;
    const two = (n: number) => String(n).padStart(2, '0');
    for (let i = 0; i < 2000; i += 1) {
      const zone = ['Z', '+05:30', '-03:00', '+14:00', '-1200', ''][next(6)];
      const text = `${1970 + next(280)}-${two(1 + next(12))}-${two(1 + next(28))}T${two(next(24))}:${two(next(60))}:${two(next(60))}.${String(next(1_000_000)).padStart(6, '0')}${zone}`;
      expect(canonicalUtcText(text)).to.equal(formatInstant(parseInstant(text)!), text);
    }
    expect(canonicalUtcText('9999-12-31T22:59:59.999999-01:00')).to.equal('9999-12-31T23:59:59.999999+00:00');
    expect(canonicalUtcText('2300-01-01T05:30:00.000001+05:30')).to.equal('2300-01-01T00:00:00.000001+00:00');
    expect(canonicalUtcText('2024-06-23T23:25:00.8129957Z')).to.equal('2024-06-23T23:25:00.812995+00:00');
    expect(canonicalUtcText('yesterday')).to.equal(undefined);
  });
});
