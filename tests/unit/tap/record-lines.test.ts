import { emptyState, parseJsonExact, stringifyJson } from '../../../singer/index.js';
import { catalogEntry } from '../../../tap-oracle-wms/discover.js';
import { SingerOutput } from '../../../tap-oracle-wms/output.js';
import { recordTransform } from '../../../tap-oracle-wms/transform.js';
import { expect, testWriter } from './helpers.js';

const describe_ = {
  fields: {
    id: { type: 'pk', required: true },
    mod_ts: { type: 'datetime' },
    order_dtl_id: { type: 'relation', required: true },
    alloc_qty: { type: 'decimal', required: true },
    note: { type: 'string' },
    is_picking_flg: { type: 'boolean' },
    order_dtl_set: { type: 'relation' },
  },
};
const entry = catalogEntry('allocation', describe_, [], true);
const transform = recordTransform(entry, Object.keys(entry.schema.properties ?? {}), true);

/** WMS rows as the wire gives them (parsed exactly): every edge a RECORD line has to carry unchanged. */
const WIRE_ROWS = [
  // Escapes: quote, backslash, control characters, NUL, the line and paragraph separators.
  '{"id":1,"note":"a \\"quoted\\" \\\\ back\\nslash\\t\\u0000\\u001f \\u2028\\u2029","alloc_qty":"1"}',
  // Unicode: accents, a CJK string, an astral character (a surrogate pair) and a lone surrogate.
  '{"id":2,"note":"Coração 倉庫 😀 \\ud800","alloc_qty":"0.5"}',
  // Exact decimals and ids past 2^53 stay raw digits; a long fraction; a negative; nulls.
  '{"id":98765432109876543,"alloc_qty":"12345678901234567.891","mod_ts":"2025-05-31T21:00:01.831732-03:00","note":null}',
  '{"id":3,"alloc_qty":"-0.000000000000000000001","is_picking_flg":false,"mod_ts":null}',
  // A relation flattened to <base>_id / <base>_key (a null key), and a _set field kept as its nested object.
  '{"id":4,"order_dtl_id":{"id":316225879,"key":null,"url":"https://h/x"},"alloc_qty":"2","order_dtl_set":{"result_count":2,"url":"u","ids":[1,98765432109876543]}}',
  // A blank decimal becomes null.
  '{"id":5,"alloc_qty":"","is_picking_flg":true}',
];

async function recordLines(stream: string, version?: number): Promise<{ lines: string[]; expected: string[] }> {
  const { writer, stdout } = testWriter();
  const output = new SingerOutput(writer, emptyState());
  const records = WIRE_ROWS.map((row) => transform(parseJsonExact(row) as Record<string, unknown>));
  const timeExtracted = '2026-12-03T17:41:55.682Z';
  await output.records(stream, records, timeExtracted, version);
  await output.end();
  // The reference: the whole message through the project's exact serializer, as the writer wrote it before.
  const expected = records.map((record) =>
    stringifyJson(
      version === undefined
        ? { type: 'RECORD', stream, record, time_extracted: timeExtracted }
        : { type: 'RECORD', stream, record, version, time_extracted: timeExtracted },
    ),
  );
  return { lines: stdout.text.split('\n').filter(Boolean), expected };
}

describe('tap RECORD lines (one envelope per page; bytes as the whole message serialized; pure)', () => {
  it('escapes, unicode, exact decimals, nulls, flattened relations and _set fields come out byte for byte', async () => {
    const { lines, expected } = await recordLines('allocation');
    expect(lines).to.deep.equal(expected);
    expect(lines[2]).to.contain('"id":98765432109876543,"alloc_qty":12345678901234567.891,');
    // One significant digit: a double holds it exactly, written in its shortest form.
    expect(lines[3]).to.contain('"alloc_qty":-1e-21,');
    expect(lines[4]).to.contain('"order_dtl_id":316225879,"order_dtl_key":null,');
    expect(lines[4]).to.contain('"order_dtl_set":{"result_count":2,"url":"u","ids":[1,98765432109876543]}');
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.to.throw();
  });

  it('a version (full table with activate-version) sits between record and time_extracted', async () => {
    const { lines, expected } = await recordLines('allocation', 1764783715682);
    expect(lines).to.deep.equal(expected);
    expect(lines[0]).to.match(/},"version":1764783715682,"time_extracted":"2026-12-03T17:41:55.682Z"}$/);
  });

  it('a stream name that needs escaping is escaped in the envelope', async () => {
    const { lines, expected } = await recordLines('odd "name" \\ 倉');
    expect(lines).to.deep.equal(expected);
    expect(lines[0].startsWith('{"type":"RECORD","stream":"odd \\"name\\" \\\\ 倉","record":{')).to.equal(true);
  });
});
