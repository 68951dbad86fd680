import { formatInstant, formatQuerySeconds, isLater, parseInstant } from '../../../tap-oracle-wms/instant.js';
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
});
