import { type CatalogEntry, parseJsonExact, stringifyJson } from '../../../singer/index.js';
import { catalogEntry } from '../../../tap-oracle-wms/discover.js';
import { readEnvelope } from '../../../tap-oracle-wms/http/pagination.js';
import { pageTranscoder } from '../../../tap-oracle-wms/page-transcoder.js';
import { withDecimalForm } from '../../../tap-oracle-wms/singer-decimal.js';
import { recordPlan, recordTransform } from '../../../tap-oracle-wms/transform.js';
import { expect } from './helpers.js';

const describe_ = {
  fields: {
    id: { type: 'pk', required: true },
    mod_ts: { type: 'datetime' },
    order_dtl_id: { type: 'relation' },
    alloc_qty: { type: 'decimal' },
    note: { type: 'string' },
    is_picking_flg: { type: 'boolean' },
    order_dtl_set: { type: 'relation' },
    task_seq_nbr: { type: 'integer' },
    unselected: { type: 'string' },
  },
};

/** Rows of the plain shape the transcoder handles: every kind of value a record carries. */
const ROWS = [
  '{"id":1,"url":"https://h/1","mod_ts":"2025-05-31T21:00:01.831732-03:00","order_dtl_id":{"id":316225879,"key":"SO-1,1","url":"https://h/o"},"alloc_qty":"41","note":"Coração 倉庫 😀","is_picking_flg":true,"task_seq_nbr":36,"unselected":"x"}',
  // Big ids and long decimals stay exact; a null key, a missing key; decimals of every spelling.
  '{"id":98765432109876543,"mod_ts":null,"order_dtl_id":{"id":98765432109876544,"url":""},"alloc_qty":"12345678901234567.891","note":null,"is_picking_flg":false,"task_seq_nbr":-7}',
  '{"id":3,"order_dtl_id":{"id":5,"key":null},"alloc_qty":"-0.000000000000000000001","task_seq_nbr":1.50}',
  '{"id":4,"alloc_qty":"","task_seq_nbr":1e2,"note":"a,b:{c}[d]"}',
  '{"id":5,"alloc_qty":".5","task_seq_nbr":123456789012345678}',
  '{"id":6,"alloc_qty":"+5","task_seq_nbr":0}',
  '{"id":7,"alloc_qty":0.25,"task_seq_nbr":2.5e-3}',
  // A relation without an id is a plain object; a _set field keeps its nested value (exact numbers inside).
  '{"id":8,"order_dtl_id":{"key":"k","url":"u"},"order_dtl_set":{"result_count":2,"ids":[1,98765432109876543],"deep":[[{}],[]]}}',
  // Another field order, spaces between tokens, an empty-looking row.
  '{ "task_seq_nbr" : 9 , "id" : 9 , "note" : "spaced" , "order_dtl_id" : { "id" : 1 , "key" : "K" } , "alloc_qty" : " 7 " }',
  '{}',
];

const entryOf = (flatten: boolean): CatalogEntry => catalogEntry('allocation', describe_, [], flatten);
const selectedOf = (entry: CatalogEntry): string[] =>
  Object.keys(entry.schema.properties ?? {}).filter((name) => name !== 'unselected');

/** What the general path makes of a body: parseJsonExact, readEnvelope, recordTransform, stringifyJson. */
function general(body: string, entry: CatalogEntry, flatten: boolean, singerDecimal: boolean) {
  const page = readEnvelope(parseJsonExact(body), 'https://h/list');
  const transform = recordTransform(entry, selectedOf(entry), flatten, singerDecimal);
  return {
    recordTexts: page.results.map((row) => stringifyJson(transform(row))),
    probes: page.results.map((row) => ({ id: row.id, mod_ts: row.mod_ts })),
    nextPage: page.nextPage,
    resultCount: page.resultCount,
  };
}

function transcoded(body: string, entry: CatalogEntry, flatten: boolean, singerDecimal: boolean) {
  const transcode = pageTranscoder(recordPlan(entry, selectedOf(entry), flatten, singerDecimal), ['id', 'mod_ts']);
  const value = transcode(body);
  if (value === undefined) return undefined;
  const page = readEnvelope(value, 'https://h/list');
  return {
    recordTexts: page.recordTexts ?? [],
    probes: page.results.map((row) => ({ id: row.id, mod_ts: row.mod_ts })),
    nextPage: page.nextPage,
    resultCount: page.resultCount,
  };
}

const plans = [
  { flatten: true, singerDecimal: false },
  { flatten: false, singerDecimal: false },
  { flatten: true, singerDecimal: true },
];

describe('tap page transcoder (a page body straight to record texts, as the general path writes them; pure)', () => {
  const bodies = {
    'a sequenced envelope': `{"next_page":"https://h/list?page=2","previous_page":null,"results":[${ROWS.join(',')}]}`,
    'a paged envelope (results first)': `{"results":[${ROWS.join(',')}],"result_count":12,"page_count":2,"page_nbr":1,"next_page":null}`,
    'a bare array with spaces': ` [ ${ROWS.join(' , ')} ] `,
    'no rows': '{"results":[],"next_page":null}',
  };
  for (const [what, body] of Object.entries(bodies))
    for (const { flatten, singerDecimal } of plans)
      it(`${what}, flatten ${flatten}, singer decimal ${singerDecimal}: the same bytes, probes and links`, () => {
        const entry = entryOf(flatten);
        const shaped = singerDecimal ? { ...entry, schema: withDecimalForm(entry.schema, true) } : entry;
        const got = transcoded(body, shaped, flatten, singerDecimal);
        expect(got, 'transcoded').not.to.equal(undefined);
        expect(got).to.deep.equal(general(body, shaped, flatten, singerDecimal));
      });

  it('the values a reader can check: exact ids and decimals, relation columns, shortest numbers', () => {
    const got = transcoded(`{"results":[${ROWS.join(',')}]}`, entryOf(true), true, false)!;
    expect(got.recordTexts[1]).to.contain('{"id":98765432109876543,');
    expect(got.recordTexts[1]).to.contain('"order_dtl_id":98765432109876544,"order_dtl_key":null,');
    expect(got.recordTexts[1]).to.contain('"alloc_qty":12345678901234567.891,');
    expect(got.recordTexts[2]).to.contain('"alloc_qty":-1e-21,"task_seq_nbr":1.5}');
    expect(got.recordTexts[4]).to.contain('"task_seq_nbr":123456789012345678}');
    expect(got.recordTexts[0]).not.to.contain('unselected');
    expect(String((got.probes[1].id as { text: string }).text)).to.equal('98765432109876543');
  });

  const generalOnly = {
    'an escape in a string': '{"results":[{"id":1,"note":"a\\"b"}]}',
    'an escaped slash': '{"results":[{"id":1,"note":"a\\/b"}]}',
    'a newline between tokens': '{"results":[\n{"id":1}]}',
    'a lone surrogate': '{"results":[{"id":1,"note":"\ud800"}]}',
    'a duplicate key': '{"results":[{"id":1,"note":"a","note":"b"}]}',
    'a duplicate results list': '{"results":[{"id":1}],"results":[]}',
    'a numeric key': '{"results":[{"id":1,"7":"x"}]}',
    'a __proto__ key': '{"results":[{"id":1,"__proto__":"x"}]}',
    'a negative zero': '{"results":[{"id":1,"task_seq_nbr":-0}]}',
    'a decimal that is no number': '{"results":[{"id":1,"alloc_qty":"abc"}]}',
    'a relation key that is a number': '{"results":[{"id":1,"order_dtl_id":{"id":2,"key":3}}]}',
    'an id that is an object': '{"results":[{"id":{"id":1}}]}',
    'a result that is no object': '{"results":[1]}',
    'no results list': '{"next_page":null}',
    'results that are no list': '{"results":{}}',
    'a column written twice (relation and field)': '{"results":[{"order_dtl_id":{"id":1},"order_dtl_key":"k"}]}',
    'a truncated body': '{"results":[{"id":1}',
    'a trailing comma': '{"results":[{"id":1},]}',
    'a leading zero': '{"results":[{"id":01}]}',
    'a bare word': '{"results":[{"id":nul}]}',
    'text after the body': '{"results":[]} x',
    'an unquoted key': '{"results":[{id:1}]}',
    'nesting deeper than the limit': `{"results":[{"order_dtl_set":${'['.repeat(1001)}${']'.repeat(1001)}}]}`,
  };
  for (const [what, body] of Object.entries(generalOnly))
    it(`leaves ${what} to the general path`, () => {
      expect(transcoded(body, entryOf(true), true, false)).to.equal(undefined);
    });

  it('a row after a left-alone page is read again from its own text (no state carried over)', () => {
    const transcode = pageTranscoder(recordPlan(entryOf(true), selectedOf(entryOf(true)), true), ['id']);
    expect(transcode('{"results":[{"id":1,"note":"a","note":"b"}]}')).to.equal(undefined);
    expect(transcode('{"results":[{"id":1,"note":"a"}]}')?.recordTexts).to.deep.equal(['{"id":1,"note":"a"}']);
  });
});
