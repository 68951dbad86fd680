// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ExactNumber, isSafeNumberText, parseNumberText, stringifyJson } from '../../../singer/exact-number.js';
import { JsonTooDeepError, opensLongNumber, parseJsonExact } from '../../../singer/parse-json.js';

describe('singer/exact-number: parseJsonExact → stringifyJson round trip', () => {
  const exactTexts = [
    '{"id":9007199254740993}',
    '{"id":18446744073709551615,"neg":-9223372036854775808}',
    '{"amount":12345678901234567.891}',
    // No run of 16 digits without the dot: a prefilter looking only for /\d{16}/ sent these through a double.
    '{"amount":9999999999.99999999,"rate":123456.7890123456789}',
    '{"amount":0.12345678901234567890123}',
    '{"nested":{"list":[1,92233720368547758070,{"d":-12345678901234567.891}]}}',
    '{"id":9007199254740993,"name":"a \\"quoted\\" string","ok":true,"none":null,"small":1.5}',
  ];
  for (const text of exactTexts) {
    it(`is byte-exact for ${text}`, () => {
      assert.equal(stringifyJson(parseJsonExact(text)), text);
    });
  }

  it('keeps an id above 2^53 as an ExactNumber and normal numbers as numbers', () => {
    const value = parseJsonExact('{"id":9007199254740993,"qty":12.5,"n":42,"safe":9007199254740991}') as Record<
      string,
      unknown
    >;
    assert.ok(value.id instanceof ExactNumber);
    assert.equal(value.id.text, '9007199254740993');
    assert.equal(value.qty, 12.5);
    assert.equal(value.n, 42);
    assert.equal(value.safe, 9007199254740991);
  });

  it('takes the native fast path for lines without long digit runs (numbers come back as plain numbers)', () => {
    const value = parseJsonExact('{"a":123456789012345,"b":0.1,"ts":"2024-05-01T12:34:56.123456+02:00"}') as Record<
      string,
      unknown
    >;
    assert.equal(value.a, 123456789012345);
    assert.equal(value.b, 0.1);
  });

  it('treats a long digit run inside a string as a string (slow path is still correct)', () => {
    const text = '{"barcode":"12345678901234567890","qty":3}';
    const value = parseJsonExact(text) as Record<string, unknown>;
    assert.equal(value.barcode, '12345678901234567890');
    assert.equal(value.qty, 3);
    assert.equal(stringifyJson(value), text);
  });

  it('throws SyntaxError on invalid JSON on both paths', () => {
    assert.throws(() => parseJsonExact('{"a":1'), SyntaxError);
    assert.throws(() => parseJsonExact('{"a":12345678901234567890'), SyntaxError);
  });

  it('writes ExactNumber values built in code as bare literals', () => {
    assert.equal(
      stringifyJson({ v: new ExactNumber('-1.000000000000000001'), list: [new ExactNumber('1e400')] }),
      '{"v":-1.000000000000000001,"list":[1e400]}',
    );
  });

  it('leaves strings that merely look like markers alone', () => {
    assert.equal(stringifyJson({ s: 'u0000 123' }), '{"s":"u0000 123"}');
    // What the marker was before it took a per-process nonce: such a string came out as the number 123.
    const lookalike = { s: '\u0000\uE000123\u0000\uE000', n: new ExactNumber('12345678901234567890') };
    assert.equal(stringifyJson(lookalike), '{"s":"\\u0000\uE000123\\u0000\uE000","n":12345678901234567890}');
  });

  it('numbers no double holds take the exact path and come back as written', () => {
    for (const text of ['{"a":1e400}', '{"a":-1.5e-400}', '{"a":[1E+999,2]}']) {
      assert.equal(stringifyJson(parseJsonExact(text)), text);
    }
    // Short exponents stay on the fast path (Python writes 1e-05).
    assert.equal((parseJsonExact('{"a":1e-05}') as { a: unknown }).a, 1e-5);
  });
});

describe('singer/parse-json: the quick check before JSON.parse never sends a long number through a double', () => {
  const exact = (text: string, path: (value: unknown) => unknown, want: string) => {
    const value = path(parseJsonExact(text));
    assert.ok(value instanceof ExactNumber, `${text}: an ExactNumber`);
    assert.equal(value.text, want);
  };
  const at = (value: unknown, ...keys: (string | number)[]) =>
    keys.reduce<unknown>((v, key) => (v as Record<string | number, unknown>)[key], value);

  it('finds a long number after JSON whitespace, in arrays, negative, with a dot, and a 20+ digit decimal', () => {
    exact('{"a": \t\r\n 12345678901234567}', (v) => at(v, 'a'), '12345678901234567');
    exact('{"a":[1,\n  -12345678901234567]}', (v) => at(v, 'a', 1), '-12345678901234567');
    exact('{"a":-1234567.000000000000001}', (v) => at(v, 'a'), '-1234567.000000000000001');
    exact('{"a":{"b":[[1234567890123.4567890123]]}}', (v) => at(v, 'a', 'b', 0, 0), '1234567890123.4567890123');
    exact('{"a":1e400,"b":"x"}', (v) => at(v, 'a'), '1e400');
    exact('{"a":1E-400}', (v) => at(v, 'a'), '1E-400');
    exact('{"a":2e+308}', (v) => at(v, 'a'), '2e+308');
  });

  it('a text that does not open with { takes the careful scan: a bare number, an array, leading whitespace', () => {
    exact('12345678901234567', (v) => v, '12345678901234567');
    exact('[12345678901234567]', (v) => at(v, 0), '12345678901234567');
    exact(' {"a":12345678901234567}', (v) => at(v, 'a'), '12345678901234567');
  });

  it('strings that look like long numbers stay strings, escapes and surrogate pairs included', () => {
    const text = '{"s":"x\\":12345678901234567","t":"1e999 😀 \\ud83d\\ude00","n":-0,"m":15.25}';
    const value = parseJsonExact(text) as Record<string, unknown>;
    assert.equal(value.s, 'x":12345678901234567');
    assert.equal(value.t, '1e999 😀 😀');
    assert.ok(Object.is(value.n, -0));
    assert.equal(value.m, 15.25);
  });

  it('opensLongNumber gives the verdict of the regex it replaced, on any text (a refactor guard)', () => {
    // The check before 2026-12-03: a value opening with 16 digit-or-dot characters after `:`, `,` or `[`.
    const replaced = /[:,[][ \t\n\r]*-?[\d.]{16}/;
    const same = (text: string) => assert.equal(opensLongNumber(text), replaced.test(text), JSON.stringify(text));
    const piece = fc.constantFrom('1', '23456', '7890123', '.', '-', ':', ',', '[', ' ', '\t', '\r\n', '"', 'e', '{');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => same(pieces.join(''))),
      { numRuns: 20_000 },
    );
    // One run of 14 to 18 digits anywhere in a line, after any context.
    const context = fc.string({ unit: fc.constantFrom(' ', 'a', ':', ',', '[', '-', '"', '\t', '5'), maxLength: 80 });
    const run = fc.integer({ min: 14, max: 18 }).map((n) => '1234567.890123456789'.slice(0, n));
    const line = fc.tuple(context, run, context).map(([before, digits, after]) => before + digits + after);
    fc.assert(fc.property(line, same), { numRuns: 20_000 });
    // It reads one position in 16: a run of exactly 16 (or 15) digits at every offset.
    for (let pad = 0; pad < 48; pad += 1) {
      for (const digits of ['1234567890123456', '123456789012345', '-1234567.89012345']) {
        same(`{"s":"${'x'.repeat(pad)}","n":${digits}}`);
        same(`{"s":"${'x'.repeat(pad)}","n":[ ${digits}]}`);
      }
    }
  });

  it('brackets in strings count toward the quick limit but never make a shallow text too deep', () => {
    const shallow = `{"s":"${'{['.repeat(1000)}","n":1}`;
    assert.deepEqual(parseJsonExact(shallow), { s: '{['.repeat(1000), n: 1 });
    assert.throws(() => parseJsonExact(`${'{"a":'.repeat(1001)}1${'}'.repeat(1001)}`), JsonTooDeepError);
    assert.throws(() => parseJsonExact(`{"a":${'['.repeat(1000)}${']'.repeat(1000)}}`), JsonTooDeepError);
  });
});

describe('singer/exact-number: number texts', () => {
  const table: [string, boolean][] = [
    ['0', true],
    ['-12.5', true],
    ['123456789012345', true],
    ['9007199254740991', true],
    ['9007199254740992', false],
    ['9007199254740993', false],
    ['0.000000000000000001', true],
    ['1234567890.1234567', false],
    ['9999999999.99999999', false],
    ['12345678901234567.891', false],
    // Few digits, but no double holds them: Infinity (written back as null), 0, a rounded subnormal, 0 for -0.
    ['1e400', false],
    ['-1E+400', false],
    ['1.5e-400', false],
    ['1.5e-320', false],
    ['-0', false],
    ['-0.0', false],
    ['0.0', true],
    ['1e300', true],
    ['2.5e-300', true],
  ];
  for (const [text, safe] of table) {
    it(`isSafeNumberText(${text}) is ${safe}`, () => {
      assert.equal(isSafeNumberText(text), safe);
      const parsed = parseNumberText(text);
      if (safe) assert.equal(parsed, Number(text));
      else assert.equal((parsed as ExactNumber).text, text);
    });
  }

  it('ExactNumber rejects text that is not a JSON number literal', () => {
    for (const bad of ['', '1.', '01', '+1', '1,5', 'NaN', '0x10', '1 '])
      assert.throws(() => new ExactNumber(bad), TypeError, bad);
    assert.equal(new ExactNumber('12').isInteger, true);
    assert.equal(new ExactNumber('1.2').isInteger, false);
    assert.equal(new ExactNumber('1e3').isInteger, false);
  });
});
