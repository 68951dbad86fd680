// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { ProtocolError } from '../../../singer/errors.js';
import { ExactNumber, stringifyJson } from '../../../singer/exact-number.js';
import {
  readMessageBatches,
  readMessages,
  readNumberedMessages,
  type ReplacedCharacters,
} from '../../../singer/reader.js';
import type { RecordMessage, SingerMessage } from '../../../singer/messages.js';

function chunks(...parts: (string | Buffer)[]): Readable {
  return Readable.from(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
}

async function readAll(input: Readable): Promise<SingerMessage[]> {
  const out: SingerMessage[] = [];
  for await (const message of readMessages(input)) out.push(message);
  return out;
}

async function readError(text: string): Promise<ProtocolError> {
  try {
    await readAll(chunks(text));
  } catch (error) {
    assert.ok(error instanceof ProtocolError, String(error));
    return error;
  }
  throw new Error('expected a ProtocolError');
}

const SCHEMA =
  '{"type":"SCHEMA","stream":"s","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":["id"]}';
const SECRET_VALUE = 'Jane-Doe-555-0101';

describe('singer/reader: readMessages line handling', () => {
  it('reads CRLF lines, a last line without newline, and skips blank and whitespace-only lines', async () => {
    const text = `${SCHEMA}\r\n\r\n   \n\t\r\n{"type":"RECORD","stream":"s","record":{"id":1}}\r\n{"type":"STATE","value":{"a":1}}`;
    const messages = await readAll(chunks(text));
    assert.deepEqual(
      messages.map((m) => m.type),
      ['SCHEMA', 'RECORD', 'STATE'],
    );
    // STATE values keep every number as written (ExactNumber): compared as the text they are passed on as.
    assert.equal(stringifyJson(messages[2]), '{"type":"STATE","value":{"a":1}}');
  });

  it('counts blank lines in line numbers', async () => {
    const lines: number[] = [];
    for await (const item of readNumberedMessages(chunks(`${SCHEMA}\n\n\n{"type":"STATE","value":1}\n`)))
      lines.push(item.line);
    assert.deepEqual(lines, [1, 4]);
  });

  it('reassembles lines split across chunks, including a UTF-8 character split between two chunks', async () => {
    const line = Buffer.from('{"type":"RECORD","stream":"s","record":{"name":"Zürich €"}}\n', 'utf8');
    const euro = line.indexOf(0xe2); // first byte of €
    const parts = [
      line.subarray(0, 5),
      line.subarray(5, euro + 1),
      line.subarray(euro + 1, euro + 2),
      line.subarray(euro + 2),
    ];
    const messages = await readAll(chunks(...parts));
    assert.deepEqual(messages, [{ type: 'RECORD', stream: 's', record: { name: 'Zürich €' } }]);
  });

  it('reads a line of many MB delivered in 64 KiB chunks', async () => {
    const big = 'x'.repeat(12 * 1024 * 1024);
    const line = Buffer.from(`{"type":"RECORD","stream":"s","record":{"blob":"${big}"}}\n{"type":"STATE","value":2}\n`);
    const parts: Buffer[] = [];
    for (let at = 0; at < line.length; at += 65536) parts.push(line.subarray(at, at + 65536));
    const messages = await readAll(chunks(...parts));
    assert.equal(messages.length, 2);
    assert.equal((messages[0] as unknown as { record: { blob: string } }).record.blob.length, big.length);
    assert.equal(stringifyJson(messages[1]), '{"type":"STATE","value":2}');
  });

  it('accepts string chunks (a stream with setEncoding)', async () => {
    const input = new PassThrough();
    input.setEncoding('utf8');
    input.end(`${SCHEMA}\n`);
    assert.equal((await readAll(input))[0].type, 'SCHEMA');
  });

  it('matches the type case-insensitively and outputs it upper-case', async () => {
    const text = [
      '{"type":"schema","stream":"s","schema":{"properties":{}},"key_properties":[]}',
      '{"type":"Record","stream":"s","record":{"id":1}}',
      '{"type":"state","value":{}}',
      '{"type":"activate_version","stream":"s","version":17}',
      '{"type":"Batch","stream":"s","encoding":{"format":"jsonl"},"manifest":["file:///tmp/a.jsonl"]}',
    ].join('\n');
    assert.deepEqual(
      (await readAll(chunks(text))).map((m) => m.type),
      ['SCHEMA', 'RECORD', 'STATE', 'ACTIVATE_VERSION', 'BATCH'],
    );
  });

  it('takes SCHEMA key_properties from inside the schema when the message has none (SDK fixture pk_updates)', async () => {
    const [message] = await readAll(
      chunks('{"type":"SCHEMA","stream":"s","schema":{"properties":{"id":{}},"key_properties":["id"]}}'),
    );
    assert.equal(message.type, 'SCHEMA');
    assert.deepEqual((message as { key_properties: string[] }).key_properties, ['id']);
  });

  it('keeps big ids exact in records', async () => {
    const [message] = await readAll(chunks('{"type":"RECORD","stream":"s","record":{"id":9007199254740993}}'));
    const id = (message as unknown as { record: { id: unknown } }).record.id;
    assert.ok(id instanceof ExactNumber);
    assert.equal(String(id), '9007199254740993');
  });

  it('stops pulling from its input when the consumer is slow (bounded read-ahead)', async () => {
    const line = `${'{"type":"STATE","value":"' + 'v'.repeat(1000)}"}\n`;
    let produced = 0;
    const input = new Readable({
      highWaterMark: 16 * 1024,
      read() {
        if (produced >= 20_000) return void this.push(null);
        produced += 1;
        this.push(line);
      },
    });
    const iterator = readMessages(input);
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Without backpressure the whole 20 MB input would have been pulled in while we waited.
    assert.ok(produced < 500, `pulled ${produced} lines`);
    await iterator.return(undefined);
  });
});

describe('singer/reader: readMessageBatches (a chunk at a time)', () => {
  const state = (n: number): string => `{"type":"STATE","value":"s${n}"}`;

  it('hands out the complete lines of each chunk as one batch, in order, with their line numbers', async () => {
    // The third line is split between the chunks: it belongs to the batch of the chunk that completes it.
    const input = chunks(`${state(1)}\n\n${state(2)}\n{"type":"STA`, `TE","value":"s3"}\n${state(4)}\n`);
    const batches: [number, unknown][][] = [];
    for await (const batch of readMessageBatches(input))
      batches.push(batch.map(({ message, line }) => [line, (message as { value: unknown }).value]));
    assert.deepEqual(batches, [
      [
        [1, 's1'],
        [3, 's2'],
      ],
      [
        [4, 's3'],
        [5, 's4'],
      ],
    ]);
  });

  it('a bad line ends the batch before it: the messages before it come out first, then its ProtocolError', async () => {
    const input = chunks(`${state(1)}\n${state(2)}\nnot json\n${state(4)}\n`);
    const iterator = readMessageBatches(input);
    const first = await iterator.next();
    assert.deepEqual(first.done ? [] : first.value.map(({ line }) => line), [1, 2]);
    await assert.rejects(
      iterator.next(),
      (error: unknown) => error instanceof ProtocolError && error.location.line === 3,
    );
  });
});

describe('singer/reader: malformed lines name the line and never the values', () => {
  const cases: { name: string; line: string; problem: RegExp }[] = [
    {
      name: 'invalid JSON',
      line: `{"type":"RECORD","stream":"s","record":{"name":"${SECRET_VALUE}"}`,
      problem: /^Invalid JSON \(line 2\)$/,
    },
    { name: 'not an object', line: `["${SECRET_VALUE}"]`, problem: /must be a JSON object \(line 2\)/ },
    {
      name: 'missing type',
      line: `{"stream":"s","record":{"name":"${SECRET_VALUE}"}}`,
      problem: /missing 'type' \(line 2\)/,
    },
    {
      name: 'unknown type',
      line: `{"type":"RECORDZ","stream":"s","record":{"name":"${SECRET_VALUE}"}}`,
      problem: /Unknown message type 'RECORDZ' \(line 2\)/,
    },
    {
      name: 'RECORD missing stream',
      line: `{"type":"RECORD","record":{"name":"${SECRET_VALUE}"}}`,
      problem: /RECORD is missing 'stream' \(line 2\)/,
    },
    {
      name: 'RECORD with empty stream',
      line: `{"type":"RECORD","stream":"","record":{"name":"${SECRET_VALUE}"}}`,
      problem: /RECORD is missing 'stream' \(line 2/,
    },
    {
      name: 'RECORD missing record',
      line: '{"type":"RECORD","stream":"s"}',
      problem: /RECORD is missing 'record' \(line 2, stream 's'\)/,
    },
    {
      name: 'RECORD with a non-object record',
      line: `{"type":"RECORD","stream":"s","record":["${SECRET_VALUE}"]}`,
      problem: /RECORD is missing 'record' \(line 2, stream 's'\)/,
    },
    {
      name: 'RECORD with a bad time_extracted',
      line: `{"type":"RECORD","stream":"s","record":{"name":"${SECRET_VALUE}"},"time_extracted":5}`,
      problem: /RECORD has invalid 'time_extracted' \(line 2/,
    },
    {
      name: 'SCHEMA missing stream',
      line: '{"type":"SCHEMA","schema":{"properties":{}},"key_properties":[]}',
      problem: /SCHEMA is missing 'stream' \(line 2\)/,
    },
    {
      name: 'SCHEMA missing schema',
      line: '{"type":"SCHEMA","stream":"s","key_properties":[]}',
      problem: /SCHEMA is missing 'schema' \(line 2, stream 's'\)/,
    },
    {
      name: 'SCHEMA missing properties',
      line: '{"type":"SCHEMA","stream":"s","schema":{"type":"object"},"key_properties":[]}',
      problem: /SCHEMA schema is missing 'properties' \(line 2/,
    },
    {
      name: 'SCHEMA with non-string key_properties',
      line: '{"type":"SCHEMA","stream":"s","schema":{"properties":{}},"key_properties":[1]}',
      problem: /invalid 'key_properties' \(line 2/,
    },
    { name: 'STATE missing value', line: '{"type":"STATE"}', problem: /STATE is missing 'value' \(line 2\)/ },
    {
      name: 'ACTIVATE_VERSION missing version',
      line: '{"type":"ACTIVATE_VERSION","stream":"s"}',
      problem: /ACTIVATE_VERSION is missing 'version' \(line 2/,
    },
    {
      name: 'BATCH missing manifest',
      line: '{"type":"BATCH","stream":"s","encoding":{"format":"jsonl"}}',
      problem: /BATCH is missing 'manifest' \(line 2/,
    },
  ];
  for (const { name, line, problem } of cases) {
    it(name, async () => {
      const error = await readError(`${SCHEMA}\n${line}\n{"type":"STATE","value":1}\n`);
      assert.match(error.message, problem);
      assert.equal(error.location.line, 2);
      assert.ok(!error.message.includes(SECRET_VALUE));
      assert.equal(error.exitCode, 3);
    });
  }

  it('counts CRLF and blank lines when naming the line', async () => {
    const error = await readError(`${SCHEMA}\r\n\r\n\r\n{"type":"RECORD","stream":"s"}\r\n`);
    assert.equal(error.location.line, 4);
  });

  it('reports an invalid last line without a newline', async () => {
    const error = await readError(`${SCHEMA}\n{"type":"STATE","value":`);
    assert.equal(error.message, 'Invalid JSON (line 2)');
  });

  it('yields the messages before the bad line', async () => {
    const seen: string[] = [];
    try {
      for await (const message of readMessages(chunks(`${SCHEMA}\n{"type":"STATE","value":1}\nnot json\n`)))
        seen.push(message.type);
    } catch {
      // expected
    }
    assert.deepEqual(seen, ['SCHEMA', 'STATE']);
  });
});

describe('singer/reader: hostile input (issue 15 item 9)', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('8,000 levels of nesting: a ProtocolError (exit 3) naming the line, not a stack overflow', async () => {
    for (const line of [
      `{"type":"RECORD","stream":"s","record":{"id":1,"v":${nested(8000)}}}`,
      `{"type":"STATE","value":${nested(8000)}}`,
      // The exact parser's path (a long number) recursed too.
      `{"type":"RECORD","stream":"s","record":{"id":12345678901234567890,"v":${nested(8000)}}}`,
    ]) {
      const error = await readError(`${SCHEMA}\n${line}\n`);
      assert.equal(error.message, 'JSON nested deeper than 1000 levels (line 2)');
      assert.equal(error.exitCode, 3);
    }
  });

  it('1,000 levels are read, and brackets inside strings do not count', async () => {
    // The message and its record are two levels.
    const value = nested(998);
    const brackets = '['.repeat(5000);
    const messages = await readAll(
      chunks(`${SCHEMA}\n{"type":"RECORD","stream":"s","record":{"id":1,"v":${value},"s":"${brackets}"}}\n`),
    );
    assert.equal(messages.length, 2);
  });

  it('strings are skipped up to their real closing quote: escaped quotes and backslashes before it', async () => {
    // `\"` does not close a string, `\\"` does: brackets and long digit runs inside strings count for nothing,
    // nesting and long numbers right after a string still do.
    const deep = nested(8000);
    const inside = `"a\\"${'['.repeat(2000)}12345678901234567890\\\\\\"b"`;
    const ok = await readAll(chunks(`${SCHEMA}\n{"type":"RECORD","stream":"s","record":{"id":1,"s":${inside}}}\n`));
    assert.equal((ok[1] as RecordMessage).record.s, `a"${'['.repeat(2000)}12345678901234567890\\"b`);
    for (const string of ['"a\\\\"', '"\\\\\\\\"', '""', '"\\""']) {
      const error = await readError(`${SCHEMA}\n{"type":"RECORD","stream":"s","record":{"s":${string},"v":${deep}}}\n`);
      assert.equal(error.message, 'JSON nested deeper than 1000 levels (line 2)', string);
    }
    const exact = await readAll(
      chunks(`${SCHEMA}\n{"type":"RECORD","stream":"s","record":{"s":"x\\\\","id":12345678901234567890}}\n`),
    );
    assert.ok((exact[1] as RecordMessage).record.id instanceof ExactNumber);
  });

  it('STATE values are passed on exactly: 1e400, -0, 1.0, long numbers, digit strings, marker look-alikes', async () => {
    const value =
      '{"huge":1e400,"tiny":1.5e-400,"negzero":-0,"one":1.0,"big":123456789012345678901234567890,' +
      '"digits":"12345678901234567890","short":"123","marker":"\\u0000\uE000123\\u0000\uE000","list":[1,2.50,true,null]}';
    const [message] = await readAll(chunks(`{"type":"STATE","value":${value}}\n`));
    assert.equal(stringifyJson((message as { value: unknown }).value), value);
  });

  it('a STATE whose object repeats a key is a protocol error naming the line', async () => {
    const error = await readError('{"type":"STATE","value":{"a":1,"a":2}}\n');
    assert.equal(error.message, 'STATE has an object with a duplicate key (line 1)');
  });

  async function replacedIn(input: Buffer | string) {
    const replaced: ReplacedCharacters[] = [];
    const messages: SingerMessage[] = [];
    for await (const { message } of readNumberedMessages(chunks(input), { onReplaced: (r) => replaced.push(r) }))
      messages.push(message);
    return { replaced, messages };
  }

  it('counts invalid UTF-8 sequences per line (they become U+FFFD); a real U+FFFD is not counted', async () => {
    const line = Buffer.concat([
      Buffer.from('{"type":"RECORD","stream":"s","record":{"id":1,"name":"a'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('b\uFFFDc'),
      Buffer.from([0xc3]),
      Buffer.from('"}}\n'),
    ]);
    const { replaced, messages } = await replacedIn(Buffer.concat([Buffer.from(`${SCHEMA}\n`), line]));
    assert.deepEqual(replaced, [{ line: 2, invalidUtf8: 3, loneSurrogates: 0 }]);
    assert.equal((messages[1] as unknown as { record: { name: string } }).record.name, 'a\uFFFD\uFFFDb\uFFFDc\uFFFD');
  });

  it('replaces lone surrogates (JSON escapes) in values and names by U+FFFD and counts them; pairs are kept', async () => {
    const text =
      `${SCHEMA}\n` +
      '{"type":"RECORD","stream":"s","record":{"id":1,"k\\udc00":"a\\ud800b","pair":"\\ud83d\\ude00","n":[{"x":"\\udfff"}]}}\n' +
      '{"type":"RECORD","stream":"s","record":{"id":2,"plain":"\\\\ud800 is an escaped backslash"}}\n';
    const { replaced, messages } = await replacedIn(text);
    assert.deepEqual(replaced, [{ line: 2, invalidUtf8: 0, loneSurrogates: 3 }]);
    assert.deepEqual((messages[1] as { record: unknown }).record, {
      id: 1,
      'k\uFFFD': 'a\uFFFDb',
      pair: '\u{1F600}',
      n: [{ x: '\uFFFD' }],
    });
    assert.equal(
      (messages[2] as unknown as { record: { plain: string } }).record.plain,
      '\\ud800 is an escaped backslash',
    );
  });
});
