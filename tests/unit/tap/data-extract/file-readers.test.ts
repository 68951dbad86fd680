import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ExactNumber, stringifyJson } from '../../../../singer/index.js';
import { csvRows } from '../../../../tap-oracle-wms/data-extract/csv-rows.js';
import { decodedBody } from '../../../../tap-oracle-wms/data-extract/decoded-body.js';
import { FileFormatError, type FileRow } from '../../../../tap-oracle-wms/data-extract/file-row.js';
import { jsonRows } from '../../../../tap-oracle-wms/data-extract/json-rows.js';
import { expect } from '../helpers.js';

/** The text cut into chunks of `size` bytes: every escape and multi-byte character split somewhere. */
function chunked(text: string | Buffer, size: number): Readable {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let index = 0; index < bytes.length; index += size) chunks.push(bytes.subarray(index, index + size));
  return Readable.from(chunks);
}

async function all(rows: AsyncIterable<FileRow>): Promise<FileRow[]> {
  const out: FileRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

async function failure(rows: AsyncIterable<FileRow>): Promise<unknown> {
  try {
    await all(rows);
  } catch (error) {
    return error;
  }
  throw new Error('no error');
}

const CSV =
  'id,note,empty,missing,qty\n' +
  '1,"say \\"hi\\", then ""bye""","",,12345678901234567890.123456789\n' +
  '2,"line one\nline two, with a comma","C:\\temp\\n",x,"0"\r\n' +
  '3,"ünïcödé € \\\\\\"",,"",-1\n' +
  '4,"ends in a backslash \\\\",,,\n';

describe('Data Extract CSV reader (RFC 4180 plus the \\" and \\\\ escapes; streamed)', () => {
  for (const size of [1, 2, 3, 7, 1 << 16])
    it(`reads escapes, line breaks, commas, empty vs null and long decimals in ${size}-byte chunks`, async () => {
      const rows = await all(csvRows(chunked(CSV, size)));
      expect(rows.map((row) => row.values)).to.deep.equal([
        { id: '1', note: 'say "hi", then "bye"', empty: '', missing: null, qty: '12345678901234567890.123456789' },
        { id: '2', note: 'line one\nline two, with a comma', empty: 'C:\\temp\\n', missing: 'x', qty: '0' },
        { id: '3', note: 'ünïcödé € \\"', empty: null, missing: '', qty: '-1' },
        { id: '4', note: 'ends in a backslash \\', empty: null, missing: null, qty: null },
      ]);
      expect(rows.map((row) => row.line)).to.deep.equal([2, 4, 5, 6]);
    });

  for (const size of [1, 2, 5, 1 << 16])
    it(`nulls around empty lines, CRLF, a repeated column name and a last line without its break (${size}-byte chunks)`, async () => {
      const text = '\ufeffid,a,b,a\r\n\r\n1,,,x\r\n\n2,"",x,\n\n3,y,,""\n4,"",,';
      const rows = await all(csvRows(chunked(text, size)));
      expect(rows.map((row) => row.values)).to.deep.equal([
        { id: '1', a: 'x', b: null },
        { id: '2', a: null, b: 'x' },
        { id: '3', a: '', b: null },
        { id: '4', a: null, b: null },
      ]);
      expect(rows.map((row) => row.line)).to.deep.equal([3, 5, 7, 8]);
    });

  for (const size of [1, 2, 3, 1 << 16])
    it(`lines count as csv-parse counts them: CR and LF in quoted fields, a lone CR, a last CR (${size}-byte chunks)`, async () => {
      // The scanner gives each record's line (csv-parse's info.lines, which the reader no longer asks for).
      const text = 'id,note\r\n1,"a\r\nb"\r\n2,x\ry\r\n\r\n3,"c\nd\\\\"\n4,z\r';
      const rows = await all(csvRows(chunked(text, size)));
      expect(rows.map((row) => [row.line, row.values.note])).to.deep.equal([
        [4, 'a\r\nb'],
        [6, 'x\ry'],
        [9, 'c\nd\\'],
        [10, 'z\r'],
      ]);
    });

  it('a quote left open fails with the line and without the value', async () => {
    const error = await failure(csvRows(chunked('id,note\n1,"secret value\n', 4)));
    expect(error).to.be.instanceOf(FileFormatError);
    expect((error as Error).message).to.match(/not valid CSV \(CSV_QUOTE_NOT_CLOSED\)/);
    expect((error as Error).message).not.to.include('secret');
  });

  it('a record with more fields than the header fails with its line', async () => {
    const error = await failure(csvRows(chunked('id,note\n1,a\n2,b,secret\n', 5)));
    expect(error).to.be.instanceOf(FileFormatError);
    expect((error as FileFormatError).line).to.equal(3);
    expect((error as Error).message).not.to.include('secret');
  });
});

describe('Data Extract JSON reader (JSON lines or one array; exact numbers; streamed)', () => {
  const rows = [
    { id: 1, note: 'say "hi", then }{][', qty: '12345678901234567890.123456789', ts: '2025-05-31T21:00:01.831732Z' },
    { id: 2, note: 'line one\nline two, with a comma', qty: null, ts: null },
  ];
  const line1 =
    '{"id":1,"note":"say \\"hi\\", then }{][","qty":12345678901234567890.123456789,"ts":"2025-05-31T21:00:01.831732Z"}';
  const line2 = '{"id":2,"note":"line one\\nline two, with a comma","qty":null,"ts":null}';
  const check = (read: FileRow[]) => {
    expect(read).to.have.length(2);
    expect(read[0].values.qty).to.be.instanceOf(ExactNumber);
    expect(stringifyJson(read.map((row) => row.values))).to.equal(
      stringifyJson(rows).replace('"12345678901234567890.123456789"', '12345678901234567890.123456789'),
    );
  };
  for (const size of [1, 5, 1 << 16]) {
    it(`JSON lines in ${size}-byte chunks`, async () => {
      const read = await all(jsonRows(chunked(`${line1}\n${line2}\n`, size)));
      check(read);
      expect(read.map((row) => row.line)).to.deep.equal([1, 2]);
    });
    it(`a JSON array in ${size}-byte chunks`, async () => {
      check(await all(jsonRows(chunked(`[\n ${line1},\n ${line2}\n]\n`, size))));
    });
  }

  it('a file cut inside an object fails saying so, with the line the object starts on', async () => {
    const error = await failure(jsonRows(chunked(`${line1}\n${line2.slice(0, 20)}`, 7)));
    expect(error).to.be.instanceOf(FileFormatError);
    expect((error as Error).message).to.include('ends inside a JSON object');
    expect((error as FileFormatError).line).to.equal(2);
  });

  it('an array that is never closed, and something that is no object, fail', async () => {
    expect(((await failure(jsonRows(chunked(`[${line1},`, 7)))) as Error).message).to.include('before the JSON array');
    expect(((await failure(jsonRows(chunked('{"id":1}\n42\n', 7)))) as Error).message).to.include(
      'expected a JSON object',
    );
  });
});

describe('Data Extract gzip recognition (by the magic bytes, streamed)', () => {
  const text = `${'x'.repeat(100_000)}\nend`;
  it('gunzips gzip data and passes plain text through, in any chunking', async () => {
    for (const size of [1, 1000]) {
      for (const body of [gzipSync(text), Buffer.from(text)]) {
        const chunks: Buffer[] = [];
        for await (const chunk of decodedBody(chunked(body, size)) as AsyncIterable<Buffer>) chunks.push(chunk);
        expect(Buffer.concat(chunks).toString()).to.equal(text);
      }
    }
  });

  it("a truncated gzip stream fails with zlib's error", async () => {
    const zipped = gzipSync(text);
    const body = decodedBody(chunked(zipped.subarray(0, zipped.length - 10), 64));
    let error: unknown;
    try {
      for await (const _ of body as AsyncIterable<Buffer>);
    } catch (caught) {
      error = caught;
    }
    expect((error as NodeJS.ErrnoException).code).to.match(/^Z_/);
  });
});
