// Property-based fuzzing (issue 15): the Singer reader, the name conformer of both dialects and the key encoder.
// Bounded and seeded so CI is deterministic; a failure prints the seed and the shrunk counterexample.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { ProtocolError } from '../../../singer/errors.js';
import { readNumberedMessages } from '../../../singer/reader.js';
import { conformIdentifier, type NamingRules } from '../../../target-oracle/names.js';
import { keyEncoder } from '../../../target-oracle/row-key.js';
import type { TableSpec } from '../../../target-oracle/dialect.js';
import type { LogicalType } from '../../../target-oracle/logical-type.js';
import { assertReadmeRows, NOT_APPLICABLE } from '../../reliability/campaign-table.js';

const RUNS = { numRuns: 200, seed: 15 };

/** Reads one line (no newline inside) through the real reader: its messages, or the error it threw. */
async function readLine(bytes: Buffer): Promise<{ messages: { line: number }[]; error?: unknown }> {
  const messages: { line: number }[] = [];
  try {
    for await (const numbered of readNumberedMessages(Readable.from([bytes]))) messages.push(numbered);
    return { messages };
  } catch (error) {
    return { messages, error };
  }
}

const message = fc.oneof(
  fc.record({ type: fc.constant('RECORD'), stream: fc.string(), record: fc.dictionary(fc.string(), fc.jsonValue()) }),
  fc.record({
    type: fc.constant('SCHEMA'),
    stream: fc.string(),
    schema: fc.jsonValue(),
    key_properties: fc.array(fc.string()),
  }),
  fc.record({ type: fc.constant('STATE'), value: fc.jsonValue() }),
  fc.record({ type: fc.constantFrom('ACTIVATE_VERSION', 'BATCH', 'record', ''), stream: fc.jsonValue() }),
);

/** Lines: messages (valid or not), any JSON, any text, cut or spliced messages, and raw bytes (invalid UTF-8). */
const line: fc.Arbitrary<Buffer> = fc
  .oneof(
    message.map((m) => JSON.stringify(m)),
    fc.json(),
    fc.string({ unit: 'binary' }),
    fc.tuple(message, fc.nat(), fc.string()).map(([m, at, junk]) => {
      const text = JSON.stringify(m);
      const cut = at % (text.length + 1);
      return text.slice(0, cut) + junk + text.slice(cut);
    }),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  )
  .map((text) => Buffer.from(text.replace(/\n/g, ' '), 'utf8'));

const rawBytes: fc.Arbitrary<Buffer> = fc
  .uint8Array({ maxLength: 200 })
  .map((bytes) => Buffer.from(bytes.map((b) => (b === 0x0a ? 0x20 : b))));

describe('property-based fuzzing (fast-check, 200 seeded runs each)', () => {
  /** What each property fuzzed, once it held: the README Reliability row is computed from it. */
  const held: string[] = [];

  it('Singer reader: any line is one message on line 1, blank, or a ProtocolError naming line 1 (never another exception)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(line, rawBytes), async (bytes) => {
        const { messages, error } = await readLine(bytes);
        if (error === undefined) {
          assert.ok(messages.length <= 1);
          for (const m of messages) assert.equal(m.line, 1);
        } else {
          assert.ok(error instanceof ProtocolError, `not a ProtocolError: ${String(error)}`);
          assert.equal(error.location.line, 1);
          assert.match(error.message, /line 1\b/);
          assert.equal(messages.length, 0);
        }
      }),
      RUNS,
    );
    held.push('the Singer reader (any line, any bytes)');
  });

  const dialects: [string, NamingRules][] = [
    ['oracle', { case: 'upper', maxBytes: 128 }],
    ['postgres', { case: 'lower', maxBytes: 63 }],
  ];
  // Letters whose case mapping is not a letter alone (İ → i + U+0307, ǰ → J + U+030C) or is longer (ß → SS,
  // ŉ → ʼN, ﬁ → FI): a conformer that replaced characters before folding case was not idempotent for İ and ǰ.
  const caseTraps = fc
    .array(fc.oneof(fc.constantFrom('İ', 'ǰ', 'ß', 'ŉ', 'ﬁ', 'ΐ', 'I', '\u0307'), fc.string({ maxLength: 3 })), {
      maxLength: 40,
    })
    .map((parts) => parts.join(''));
  const names = fc.oneof(
    caseTraps,
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ maxLength: 10 }),
  );
  for (const [dialect, rules] of dialects) {
    it(`name conformer (${dialect}): a non-empty identifier of letters, digits, _ $ # within ${rules.maxBytes} bytes; idempotent`, () => {
      fc.assert(
        fc.property(names, (name) => {
          const once = conformIdentifier(name, rules);
          assert.match(once, /^[\p{L}\p{N}_$#]+$/u);
          assert.ok(Buffer.byteLength(once, 'utf8') <= rules.maxBytes);
          assert.equal(conformIdentifier(once, rules), once);
        }),
        RUNS,
      );
      held.push(`the name conformer (${dialect})`);
    });
  }

  it('key encoder: injective over key tuples (different tuples, different keys)', () => {
    const types: LogicalType[] = [{ kind: 'string' }, { kind: 'string' }, { kind: 'json' }];
    const table: TableSpec = {
      schema: 's',
      name: 't',
      columns: types.map((type, i) => ({ name: `K${i}`, property: `k${i}`, type })),
      keyColumns: ['K0', 'K1', 'K2'],
    } as unknown as TableSpec;
    const encode = keyEncoder(table);
    const cell = fc.oneof(fc.constant(null), fc.string({ maxLength: 6 }), fc.constantFrom('~', ':', '1:', '0:', ''));
    const tuple = fc.tuple(cell, cell, cell);
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        if (JSON.stringify(a) !== JSON.stringify(b)) assert.notEqual(encode(a), encode(b));
        else assert.equal(encode(a), encode(b));
      }),
      RUNS,
    );
    held.push('the composite key encoder');
  });

  it('the README Reliability table says what this fuzzing tried', function () {
    // Every other test of this suite is a property; with some filtered out (--grep) the figures would be partial.
    if (held.length !== this.test!.parent!.tests.length - 1) this.skip();
    assertReadmeRows([
      {
        category: 'property-based fuzzing (fast-check)',
        tried: `${held.length} properties, ${RUNS.numRuns} seeded runs each (seed ${RUNS.seed}): ${held.join(', ')}`,
        happened:
          'every property held: one message or a ProtocolError naming the line, never another exception; conformed names valid, within the byte limit and idempotent; different key tuples never encode alike',
        lost: NOT_APPLICABLE,
        duplicated: NOT_APPLICABLE,
      },
    ]);
  });
});
