import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TableSpec } from '../../../target-oracle/dialect.js';
import { canonicalNumber } from '../../../target-oracle/number-text.js';
import { keyCellProblem, keyEncoder } from '../../../target-oracle/row-key.js';
import { StreamBuffer } from '../../../target-oracle/stream-buffer.js';
import type { Cell } from '../../../target-oracle/values.js';

/** Bounded so the suite stays fast on a loaded machine; the seed makes a failure reproducible. */
const RUNS = { numRuns: 500, seed: 15006 };

function table(types: TableSpec['columns'][number]['type'][]): TableSpec {
  return {
    stream: 's',
    name: 'T',
    keyColumns: types.map((_, i) => `K${i}`),
    columns: types.map((type, i) => ({ property: `k${i}`, name: `K${i}`, type })),
  };
}

describe('row key (dedupe key of a row: injective, equal where the database sees one key)', () => {
  const twoStrings = keyEncoder(table([{ kind: 'string' }, { kind: 'string' }]));

  it('("x\\u0001y","z") and ("x","y\\u0001z") are two keys, and the buffer keeps both rows', () => {
    assert.notEqual(twoStrings(['x\u0001y', 'z']), twoStrings(['x', 'y\u0001z']));
    const buffer = new StreamBuffer(table([{ kind: 'string' }, { kind: 'string' }]));
    buffer.add(['x\u0001y', 'z'], 1);
    buffer.add(['x', 'y\u0001z'], 2);
    assert.equal(buffer.take().rows.length, 2);
  });

  it('NULL and the text "null" are two keys; so are "" and NULL', () => {
    const one = keyEncoder(table([{ kind: 'string' }]));
    assert.notEqual(one([null]), one(['null']));
    assert.notEqual(one([null]), one(['']));
    assert.notEqual(one(['~']), one([null]));
  });

  it('property: different string keys never meet (any characters, separators and digits included)', () => {
    const cell = fc.oneof(
      fc.constant(null),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('~', ':', '1:', '0:'),
    );
    fc.assert(
      fc.property(
        fc.array(cell, { minLength: 3, maxLength: 3 }),
        fc.array(cell, { minLength: 3, maxLength: 3 }),
        (a, b) => {
          const encode = keyEncoder(table([{ kind: 'string' }, { kind: 'string' }, { kind: 'string' }]));
          const same = a.every((v, i) => v === b[i]);
          return (encode(a) === encode(b)) === same;
        },
      ),
      RUNS,
    );
  });

  it('property: one key column, any text or NULL, never meets another (texts starting with ~ included)', () => {
    const encode = keyEncoder(table([{ kind: 'string' }]));
    const cell = fc.oneof(
      fc.constant(null),
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.constantFrom('~', '~~', ''),
    );
    fc.assert(
      fc.property(cell, cell, (a, b) => (encode([a]) === encode([b])) === (a === b)),
      RUNS,
    );
  });

  it('timestamps are keyed by instant: the same instant with two offsets is one key (decided: dedupe by instant)', () => {
    const ts = keyEncoder(table([{ kind: 'integer' }, { kind: 'timestamp' }]));
    assert.equal(ts(['1', '2024-03-10T01:00:00.000001+00:00']), ts(['1', '2024-03-09T22:00:00.000001-03:00']));
    assert.notEqual(ts(['1', '2024-03-10T01:00:00.000001+00:00']), ts(['1', '2024-03-10T01:00:00.000002+00:00']));
    assert.notEqual(ts(['1', '0001-01-01T00:00:00.000000+00:00']), ts(['1', '1901-01-01T00:00:00.000000+00:00']));
  });

  it('property: timestamps meet exactly when their instants are equal', () => {
    const encode = keyEncoder(table([{ kind: 'timestamp' }]));
    const stamp = fc.record({
      ms: fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_000 }),
      micros: fc.integer({ min: 0, max: 999 }),
      offset: fc.integer({ min: -15 * 60, max: 15 * 60 }),
    });
    const text = ({ ms, micros, offset }: { ms: number; micros: number; offset: number }): string | undefined => {
      const local = new Date(ms + offset * 60_000);
      const year = local.getUTCFullYear();
      if (year < 1 || year > 9999) return undefined;
      const iso = local.toISOString().replace(/^\+0*(\d{4})/, '$1');
      const sign = offset < 0 ? '-' : '+';
      const abs = Math.abs(offset);
      const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}${zone}`;
    };
    fc.assert(
      fc.property(stamp, stamp, (a, b) => {
        const ta = text(a);
        const tb = text(b);
        fc.pre(ta !== undefined && tb !== undefined);
        const sameInstant = a.ms === b.ms && a.micros === b.micros;
        const shifted = text({ ...a, offset: b.offset });
        if (shifted !== undefined) assert.equal(encode([shifted]), encode([ta]));
        return (encode([ta]) === encode([tb])) === sameInstant;
      }),
      RUNS,
    );
  });

  it('numbers are keyed by value: 1, 1.0 and 1e0 are one key; 1 and 10 are two', () => {
    const n = keyEncoder(table([{ kind: 'decimal' }]));
    assert.equal(n(['1']), n(['1.0']));
    assert.equal(n(['1']), n(['1e0']));
    assert.equal(n(['-0.50']), n(['-.5']));
    assert.notEqual(n(['1']), n(['10']));
    assert.notEqual(n(['0.1']), n(['1']));
  });

  it('property: canonical numbers equal the value (checked with BigInt on scaled digits)', () => {
    const scaled = (text: string, scale: number): bigint => {
      const [int, frac = ''] = text.replace('-', '').split('.');
      const value = BigInt(int + frac.padEnd(scale, '0'));
      return text.startsWith('-') ? -value : value;
    };
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 5 }),
        (value, scale, zeros) => {
          // value / 10^scale written with `zeros` trailing zeros, once plain and once with an exponent.
          const digits = (value < 0n ? -value : value).toString().padStart(scale + 1, '0');
          const plain = `${value < 0n ? '-' : ''}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}${'0'.repeat(zeros)}`;
          const exp = `${value < 0n ? '-' : ''}${digits}${'0'.repeat(zeros)}e-${scale + zeros}`;
          const a = canonicalNumber(plain)!;
          const b = canonicalNumber(exp)!;
          assert.equal(a.text, b.text);
          assert.equal(scaled(a.text, 12), value * 10n ** BigInt(12 - scale));
        },
      ),
      RUNS,
    );
  });

  it('a NUL character in a key value is a problem; NULL and ordinary text are not', () => {
    assert.match(keyCellProblem('a\u0000') ?? '', /NUL/);
    assert.equal(keyCellProblem('a'), undefined);
    assert.equal(keyCellProblem(null as Cell), undefined);
  });
});
