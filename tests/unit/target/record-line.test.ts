import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import {
  createLogger,
  parseRecordLine,
  readMessageBatches,
  readRecordBatches,
  type NumberedMessage,
} from '../../../singer/index.js';
import type { PostgresSession } from '../../../target-oracle/dialects/postgres/postgres-session.js';
import { PostgresDialect } from '../../../target-oracle/dialects/postgres/postgres-dialect.js';
import { logicalType } from '../../../target-oracle/logical-type.js';
import { RecordMetadata } from '../../../target-oracle/record-metadata.js';
import { compileRecordLineDecoder, isCanonicalTimestamp } from '../../../target-oracle/record-line.js';
import { parseTargetConfig } from '../../../target-oracle/settings.js';
import { designStream, StreamSink } from '../../../target-oracle/stream-sink.js';
import { canonicalTimestamp, type Cell } from '../../../target-oracle/values.js';

/**
 * The plain-line path (readRecordBatches + StreamSink.addLine) against the general one (readMessageBatches +
 * parseMessage + StreamSink.add) on the same input: the same rows, the same errors, the same warnings. A case that
 * the plain path declines is still compared (its fallback must match too); `fast` counts the lines it took.
 */

const SCHEMA = {
  type: 'SCHEMA',
  stream: 'allocation',
  key_properties: ['id'],
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      qty: { type: ['number', 'null'] },
      code: { type: ['string', 'null'], maxLength: 8 },
      note: { type: ['string', 'null'] },
      ts: { type: ['string', 'null'], format: 'date-time' },
      day: { type: ['string', 'null'], format: 'date' },
      flag: { type: ['boolean', 'null'] },
      count: { type: ['integer', 'null'] },
    },
  },
};

interface Outcome {
  rows: Cell[][];
  error?: string;
  warnings: string[];
}

function logCapture(): { lines: string[]; out: Writable } {
  const lines: string[] = [];
  const out = new Writable({
    write: (chunk, _encoding, done) => {
      lines.push(...String(chunk).trim().split('\n'));
      done();
    },
  });
  return { lines, out };
}

const config = (overrides: Record<string, unknown> = {}) =>
  parseTargetConfig({
    dialect: 'postgres',
    host: 'db',
    user: 'u',
    password: 'p',
    database: 'd',
    default_target_schema: 's',
    ...overrides,
  });

/** Loads `input` (one chunk) into a sink, through the plain path or the general one. */
async function load(
  input: string,
  plain: boolean,
  overrides: Record<string, unknown> = {},
): Promise<Outcome & { fast: number }> {
  const cfg = config(overrides);
  const dialect = new PostgresDialect({} as PostgresSession);
  const { lines, out } = logCapture();
  const logger = createLogger({ name: 'target-oracle', env: {}, out });
  const metadata = new RecordMetadata(1_700_000_000_000);
  const now = () => 1_700_000_000_000;
  let sink: StreamSink | undefined;
  let fast = 0;
  const onMessage = ({ message, line }: NumberedMessage) => {
    if (message.type === 'SCHEMA') {
      const design = designStream(message, line, cfg, dialect);
      sink = new StreamSink(design, design.desired, cfg);
    } else if (message.type === 'RECORD') {
      // As run-target.ts: one sink per stream.
      if (sink?.stream !== message.stream) throw new Error(`RECORD before its SCHEMA (line ${line})`);
      sink.add(message, line, now(), metadata, logger);
    }
  };
  const rows: Cell[][] = [];
  try {
    const source = Readable.from([input]);
    const batches = plain ? readRecordBatches(source) : readMessageBatches(source);
    for await (const batch of batches)
      for (const item of batch) {
        if (item.message !== undefined) onMessage(item);
        else if (sink?.stream === item.stream && sink.addLine(item, now)) fast += 1;
        else onMessage(parseRecordLine(item));
      }
  } catch (error) {
    return { rows: sink ? sink.take().rows : rows, error: (error as Error).message, warnings: lines, fast };
  }
  return { rows: sink ? sink.take().rows : rows, warnings: lines, fast };
}

const recordLine = (record: string, after = '') => `{"type":"RECORD","stream":"allocation","record":${record}${after}}`;

/** Both paths on the SCHEMA and `lines`; returns how many lines the plain path decoded itself. */
async function same(lines: string[], overrides: Record<string, unknown> = {}, schema: object = SCHEMA) {
  const input = `${[JSON.stringify(schema), ...lines].join('\n')}\n`;
  const { fast: _none, ...general } = await load(input, false, overrides);
  const { fast, ...plain } = await load(input, true, overrides);
  assert.deepEqual(plain, general, `plain path diverges on:\n${lines.join('\n')}`);
  return { fast, general };
}

describe('target plain RECORD lines (record-line.ts) against the general path', () => {
  it('takes an ordinary line and makes the same cells', async () => {
    const line = recordLine(
      '{"id":1,"qty":12.5,"code":"AB","note":"x y","ts":"2024-06-30T23:59:59.123456+14:00","day":"2024-02-29","flag":true,"count":7}',
    );
    const { fast, general } = await same([line]);
    assert.equal(fast, 1);
    assert.deepEqual(general.rows, [
      ['1', '12.5', 'AB', 'x y', '2024-06-30T23:59:59.123456+14:00', '2024-02-29', 'true', '7'],
    ]);
  });

  const taken: [string, string][] = [
    ['nulls and missing fields', '{"id":2,"qty":null,"code":null}'],
    ['fields out of schema order', '{"flag":false,"count":-3,"id":3,"note":"n","qty":0}'],
    ['unicode', '{"id":4,"note":"Größe 😀 ü","code":"ÄÖÜ😀"}'],
    ['a code at its maxLength', '{"id":5,"code":"12345678"}'],
    ['20+ digit decimals', '{"id":6,"qty":12345678901234567890.123456789}'],
    ['a long negative decimal', '{"id":7,"qty":-0.12345678901234567890}'],
    ['a 16-digit decimal with trailing zeros', '{"id":8,"qty":1.500000000000000}'],
    ['trailing zeros', '{"id":9,"qty":1.50}'],
    ['zero with a fraction', '{"id":12,"qty":0.00}'],
    ['a small decimal', '{"id":13,"qty":0.000001}'],
    ['a 15-digit integer', '{"id":999999999999999,"count":-999999999999999}'],
    ['a long integer decimal', '{"id":14,"qty":123456789012345678901234567890}'],
    ['instants with offsets', '{"id":15,"ts":"2024-03-10T01:59:59.000001-05:00"}'],
    ['an instant the general parse normalises', '{"id":16,"ts":"2024-03-10T01:59:59Z"}'],
    ['a date written as a date-time', '{"id":17,"day":"2024-03-10T01:59:59Z"}'],
    ['an empty string', '{"id":18,"note":"","code":""}'],
  ];
  for (const [name, record] of taken) {
    it(`takes ${name}`, async () => {
      const { fast } = await same([recordLine(record)]);
      assert.equal(fast, 1, 'the plain path declined it');
    });
  }

  it('takes time_extracted and version after the record', async () => {
    const { fast } = await same([
      recordLine('{"id":1}', ',"time_extracted":"2024-01-01T00:00:00Z"'),
      recordLine('{"id":2}', ',"version":1700000000000'),
      recordLine('{"id":3}', ',"time_extracted":"x","version":1'),
    ]);
    assert.equal(fast, 3);
  });

  const declined: [string, string][] = [
    ['an escaped quote', recordLine('{"id":1,"note":"a\\"b"}')],
    ['a unicode escape', recordLine('{"id":1,"note":"\\u00e9"}')],
    ['a lone surrogate escape', recordLine('{"id":1,"note":"\\ud800"}')],
    ['an escaped NUL', recordLine('{"id":1,"note":"\\u0000"}')],
    ['a raw tab (invalid JSON)', recordLine('{"id":1,"note":"a\tb"}')],
    ['a raw NUL (invalid JSON)', recordLine('{"id":1,"note":"a\u0000b"}')],
    ['a raw control character in a key', recordLine('{"id":1,"no\u0001te":"x"}')],
    ['a backslash in a key', recordLine('{"id":1,"no\\u0074e":"x"}')],
    ['a raw tab between tokens', recordLine('{"id":1,\t"note":"x"}')],
    ['a raw tab in time_extracted', recordLine('{"id":1}', ',"time_extracted":"2024\t"')],
    ['an escape in time_extracted', recordLine('{"id":1}', ',"time_extracted":"\\u0032024-01-01T00:00:00Z"')],
    ['an escape in the stream name', '{"type":"RECORD","stream":"allo\\u0063ation","record":{"id":1}}'],
    ['a raw control character in the stream name', '{"type":"RECORD","stream":"allocation\u0001","record":{"id":1}}'],
    ['whitespace between tokens', recordLine('{"id": 1}')],
    ['a duplicate key', recordLine('{"id":1,"note":"a","note":"b"}')],
    ['a duplicate key (number)', recordLine('{"id":1,"id":2}')],
    ['a field without schema', recordLine('{"id":1,"extra":"x"}')],
    ['an _sdc_ field', recordLine('{"id":1,"_sdc_deleted_at":"2024-01-01T00:00:00Z"}')],
    ['a missing key', recordLine('{"note":"x"}')],
    ['a null key', recordLine('{"id":null}')],
    ['an exponent', recordLine('{"id":1,"qty":1e3}')],
    ['a long exponent', recordLine('{"id":1,"qty":1e400}')],
    ['an integer exponent', recordLine('{"id":1,"count":5e2}')],
    ['a whole number with a fraction in an integer column', recordLine('{"id":1,"count":1.0}')],
    ['a 16-digit integer', recordLine('{"id":1234567890123456}')],
    ['a 20-digit integer', recordLine('{"id":12345678901234567890}')],
    ['an integer negative zero', recordLine('{"id":1,"count":-0}')],
    ['a negative zero', recordLine('{"id":1,"qty":-0}')],
    ['a negative zero with a fraction', recordLine('{"id":1,"qty":-0.000}')],
    ['a negative zero beside a long number', recordLine('{"id":1,"qty":-0.0,"count":1234567890123456}')],
    ['a tiny decimal', recordLine('{"id":1,"qty":0.0000001}')],
    ['a leading zero (invalid JSON)', recordLine('{"id":1,"qty":01}')],
    ['a bare dot (invalid JSON)', recordLine('{"id":1,"qty":1.}')],
    ['a string too long', recordLine('{"id":1,"code":"123456789"}')],
    ['astral characters over maxLength in UTF-16 only', recordLine('{"id":1,"code":"😀😀😀😀😀"}')],
    ['a number in a string column', recordLine('{"id":1,"note":5}')],
    ['a string in an integer column', recordLine('{"id":"1"}')],
    ['a string in a number column', recordLine('{"id":1,"qty":"1.5"}')],
    ['a boolean as a number', recordLine('{"id":1,"flag":1}')],
    ['a bad instant', recordLine('{"id":1,"ts":"2024-02-30T00:00:00Z"}')],
    ['a bad date', recordLine('{"id":1,"day":"2023-02-29"}')],
    ['an object value', recordLine('{"id":1,"note":{"a":1}}')],
    ['an array value', recordLine('{"id":1,"note":[1]}')],
    ['a truncated line', '{"type":"RECORD","stream":"allocation","record":{"id":1,"note":"x}'],
    ['an unclosed record', '{"type":"RECORD","stream":"allocation","record":{"id":1}'],
    ['a duplicate type after the record', recordLine('{"id":1}', ',"type":"STATE","value":{}')],
    ['a second record', recordLine('{"id":1}', ',"record":{"id":2}')],
    ['an unknown key after the record', recordLine('{"id":1}', ',"other":1')],
    ['a null time_extracted', recordLine('{"id":1}', ',"time_extracted":null')],
    ['a bad version', recordLine('{"id":1}', ',"version":"x"')],
    ['a record before its schema', '{"type":"RECORD","stream":"other","record":{"id":1}}'],
    ['an empty stream', '{"type":"RECORD","stream":"","record":{"id":1}}'],
    ['a CRLF line end', `${recordLine('{"id":1}')}\r`],
    ['nulls in a key-less type', recordLine('{"id":1,"flag":nul}')],
    ['a misspelt literal', recordLine('{"id":1,"flag":tru}')],
  ];
  for (const [name, line] of declined) {
    it(`leaves ${name} to the general path, with the same outcome`, async () => {
      assert.equal((await same([line])).fast, 0, 'the plain path took the line it should decline');
      await same([recordLine('{"id":100}'), line, recordLine('{"id":101}')]);
    });
  }

  it('leaves a raw control character in a key the schema names to the general path (JSON refuses it raw)', async () => {
    const properties = { id: { type: 'integer' }, 'a\u0001b': { type: ['string', 'null'] } };
    const schema = { ...SCHEMA, schema: { type: 'object', properties } };
    const { fast, general } = await same([recordLine('{"id":1,"a\u0001b":"x"}')], {}, schema);
    assert.equal(fast, 0);
    assert.ok(general.error !== undefined, 'JSON.parse took a raw control character');
  });

  it('keeps the general validation when validate_records is off', async () => {
    for (const [, line] of declined) await same([line], { validate_records: false });
  });

  it('keeps the warning for a field without schema once per run', async () => {
    const { general } = await same([recordLine('{"id":1,"extra":1}'), recordLine('{"id":2,"extra":2}')]);
    assert.equal(general.warnings.filter((line) => line.includes("'extra'")).length, 1);
  });

  it('dedupes by key the same way', async () => {
    const { fast, general } = await same([
      recordLine('{"id":1,"note":"a"}'),
      recordLine('{"id":1,"note":"b"}'),
      recordLine('{"id":2,"note":"c"}'),
    ]);
    assert.equal(fast, 3);
    assert.deepEqual(
      general.rows.map((row) => row[3]),
      ['b', 'c'],
    );
  });

  it('stays off for schemas and settings beyond it, with the same outcome', async () => {
    const line = recordLine('{"id":1,"note":"x"}');
    const variants: [string, object, Record<string, unknown>][] = [
      ['record metadata', SCHEMA, { add_record_metadata: true }],
      ['a required list', { ...SCHEMA, schema: { ...SCHEMA.schema, required: ['note'] } }, {}],
      [
        'an additionalProperties schema',
        { ...SCHEMA, schema: { ...SCHEMA.schema, additionalProperties: { type: 'string' } } },
        {},
      ],
      [
        'a minLength',
        {
          ...SCHEMA,
          schema: { type: 'object', properties: { id: { type: 'integer' }, note: { minLength: 2, type: 'string' } } },
        },
        {},
      ],
      [
        'an enum',
        { ...SCHEMA, schema: { type: 'object', properties: { id: { type: 'integer' }, note: { enum: ['y'] } } } },
        {},
      ],
      [
        'a bounded number',
        {
          ...SCHEMA,
          schema: { type: 'object', properties: { id: { type: 'integer' }, note: { type: 'number', minimum: 0 } } },
        },
        {},
      ],
      [
        'a bound that is not a number',
        { ...SCHEMA, schema: { type: 'object', properties: { id: { type: 'integer', minimum: '0' } } } },
        {},
      ],
      [
        'an object property',
        { ...SCHEMA, schema: { type: 'object', properties: { id: { type: 'integer' }, note: { type: 'object' } } } },
        {},
      ],
    ];
    for (const [name, schema, overrides] of variants) {
      const { fast } = await same([line], overrides, schema);
      assert.equal(fast, 0, name);
    }
  });

  it('takes the schemas the tap discovers: additionalProperties false, bounded integers', async () => {
    const schema = {
      ...SCHEMA,
      schema: {
        ...SCHEMA.schema,
        additionalProperties: false,
        properties: { ...SCHEMA.schema.properties, count: { type: ['integer', 'null'], minimum: -5, maximum: 99 } },
      },
    };
    const taken = ['-5', '0', '99', 'null'].map((count, index) =>
      recordLine(`{"id":${index + 1},"count":${count},"note":"x"}`),
    );
    const { fast, general } = await same(taken, {}, schema);
    assert.equal(fast, 4);
    assert.deepEqual(
      general.rows.map((row) => row[7]),
      ['-5', '0', '99', null],
    );
    // Outside the bounds, or a field the schema lacks: left to the general path, which refuses them the same way.
    for (const line of [
      recordLine('{"id":9,"count":-6}'),
      recordLine('{"id":9,"count":100}'),
      recordLine('{"id":9,"count":123456789012345}'),
      recordLine('{"id":9,"extra":1}'),
    ]) {
      const outcome = await same([line], {}, schema);
      assert.equal(outcome.fast, 0, line);
      assert.ok(outcome.general.error !== undefined, `the general path accepted ${line}`);
    }
    // additionalProperties true: an unknown field is still the general path's to handle (no error there).
    const open = { ...schema, schema: { ...schema.schema, additionalProperties: true } };
    const { fast: openFast, general: openGeneral } = await same([recordLine('{"id":9,"extra":1}')], {}, open);
    assert.equal(openFast, 0);
    assert.equal(openGeneral.error, undefined);
  });

  it('makes the cells of random numbers and instants as the general path does', async () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const digits = (n: number) => Array.from({ length: n }, () => String(random(10))).join('');
    const lines: string[] = [];
    for (let id = 1; id <= 600; id += 1) {
      const int = random(4) === 0 ? '0' : `${1 + random(9)}${digits(random(18))}`;
      const fraction =
        random(3) === 0 ? '' : `.${'0'.repeat(random(4) === 0 ? random(9) : 0)}${digits(1 + random(22))}`;
      const qty = `${random(4) === 0 ? '-' : ''}${int}${fraction}`;
      const pad = (n: number, width = 2) => String(n).padStart(width, '0');
      const ts = `${pad(random(3000), 4)}-${pad(random(14))}-${pad(random(33))}T${pad(random(25))}:${pad(random(61))}:${pad(random(61))}.${digits(6)}${random(2) ? '+' : '-'}${pad(random(17))}:${pad(random(61))}`;
      lines.push(recordLine(`{"id":${id},"qty":${qty},"ts":"${ts}"}`));
    }
    // One general-path error ends a load: each line is compared on its own.
    let fast = 0;
    for (const line of lines) fast += (await same([line])).fast;
    assert.ok(fast > 100, `only ${fast} lines took the plain path`);
  });
});

describe('target isCanonicalTimestamp', () => {
  it('agrees with canonicalTimestamp returning its input unchanged', () => {
    const texts = [
      '2024-06-30T23:59:59.123456+14:00',
      '2024-02-29T00:00:00.000000+00:00',
      '2023-02-29T00:00:00.000000+00:00',
      '1900-02-29T00:00:00.000000+00:00',
      '2000-02-29T00:00:00.000000-15:59',
      '0000-01-01T00:00:00.000000+00:00',
      '2024-13-01T00:00:00.000000+00:00',
      '2024-04-31T00:00:00.000000+00:00',
      '2024-01-00T00:00:00.000000+00:00',
      '2024-01-01T24:00:00.000000+00:00',
      '2024-01-01T00:60:00.000000+00:00',
      '2024-01-01T00:00:60.000000+00:00',
      '2024-01-01T00:00:00.000000+16:00',
      '2024-01-01T00:00:00.000000+00:60',
      '2024-01-01t00:00:00.000000+00:00',
      '2024-01-01T00:00:00,000000+00:00',
      '2024-01-01T00:00:00.00000a+00:00',
      '2024-01-01T00:00:00.000000Z',
      '2024-01-01T00:00:00.000000 00:00',
    ];
    for (const text of texts) {
      const padded = `"${text}"`;
      assert.equal(isCanonicalTimestamp(padded, 1, padded.length - 1), canonicalTimestamp(text) === text, text);
    }
  });

  it('a decoder is not made for schemas with unsupported columns', () => {
    const columns = [{ property: 'id', type: logicalType({ type: 'integer' }), range: undefined }];
    assert.equal(
      compileRecordLineDecoder({ properties: { id: { type: 'integer' } } }, columns, ['id'], true),
      undefined,
    );
    assert.equal(
      compileRecordLineDecoder({ properties: { x: { type: 'integer' } } }, columns, ['x'], false),
      undefined,
    );
    assert.notEqual(
      compileRecordLineDecoder({ properties: { id: { type: 'integer' } } }, columns, ['id'], false),
      undefined,
    );
  });
});
