import assert from 'node:assert/strict';
import { utcInstantText } from '../../../../tap-oracle-wms/data-extract/utc-instant-text.js';
import { formatInstant, parseInstant } from '../../../../tap-oracle-wms/instant.js';

/** What the text gives parsed into an instant and printed back: the long way, which the short one must match. */
function longWay(text: string): string | undefined {
  const micros = parseInstant(text);
  return micros === undefined ? undefined : formatInstant(micros);
}

describe("Data Extract instants: the `…Z` text's short way gives the same characters as parsing and printing", () => {
  it('at the edges of every part: leap days, month and day ends, years Date.UTC reads as 19xx, rolled-over parts', () => {
    const texts = [
      '2024-06-23T23:25:00.812995Z',
      '2024-02-29T00:00:00.000000Z',
      '2023-02-29T00:00:00.000000Z',
      '2000-02-29T12:00:00.000001Z',
      '1900-02-29T12:00:00.000001Z',
      '2023-04-30T23:59:59.999999Z',
      '2023-04-31T00:00:00.000000Z',
      '2023-12-31T23:59:59.999999Z',
      '2023-13-01T00:00:00.000000Z',
      '2023-00-10T00:00:00.000000Z',
      '2023-01-00T00:00:00.000000Z',
      '2023-01-32T00:00:00.000000Z',
      '2023-01-01T24:00:00.000000Z',
      '2023-01-01T00:60:00.000000Z',
      '2016-12-31T23:59:60.000000Z',
      '0099-01-01T00:00:00.000000Z',
      '0100-01-01T00:00:00.000000Z',
      '1969-12-31T23:59:59.999999Z',
      '2024-06-23t23:25:00.812995Z',
      '2024-06-23T23:25:00.812995z',
      '2024-06-23 23:25:00.812995Z',
      '2024-06-23T23:25:00.8129950Z',
      '2024-06-23T23:25:00.81299Z',
      '2024-06-23T23:25:00Z',
      ' 2024-06-23T23:25:00.812995Z',
      '2024-06-23T23:25:00.812995-03:00',
      '2024-06-23T23:25:00.812995',
      '2024-06-2xT23:25:00.812995Z',
      'not a time',
    ];
    for (const text of texts) assert.equal(utcInstantText(text), longWay(text), text);
    assert.equal(utcInstantText('2024-06-23T23:25:00.812995Z'), '2024-06-23T23:25:00.812995+00:00');
    assert.equal(utcInstantText('2023-13-01T00:00:00.000000Z'), '2024-01-01T00:00:00.000000+00:00');
    assert.equal(utcInstantText('not a time'), undefined);
  });

  it('past 2255 (over 2^53 microseconds, where the long way rounds) the text keeps its exact microseconds', () => {
    assert.equal(utcInstantText('9999-12-31T23:59:59.999999Z'), '9999-12-31T23:59:59.999999+00:00');
    assert.equal(utcInstantText('2300-01-01T00:00:00.000001Z'), '2300-01-01T00:00:00.000001+00:00');
  });

  it('on every day of four years around a leap year, at varied times', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    for (const year of [1999, 2000, 2023, 2024]) {
      for (let month = 0; month <= 13; month += 1) {
        for (let day = 0; day <= 32; day += 1) {
          const time = `${two((day * 7) % 25)}:${two((day * 13) % 61)}:${two((month * 11) % 61)}`;
          const text = `${year}-${two(month)}-${two(day)}T${time}.${String(day * 30_103).padStart(6, '0')}Z`;
          assert.equal(utcInstantText(text), longWay(text), text);
        }
      }
    }
  });
});
