import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { type CatalogEntry, stringifyJson } from '../../../../singer/index.js';
import { csvRecordJson } from '../../../../tap-oracle-wms/data-extract/csv-record-json.js';
import { csvRecords, fileRowOf } from '../../../../tap-oracle-wms/data-extract/csv-rows.js';
import { FileFormatError } from '../../../../tap-oracle-wms/data-extract/file-row.js';
import { rowCoercer } from '../../../../tap-oracle-wms/data-extract/row-coercion.js';
import { recordTransform } from '../../../../tap-oracle-wms/transform.js';

const ENTRY: CatalogEntry = {
  tap_stream_id: 'allocation',
  stream: 'allocation',
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      note: { type: ['string', 'null'] },
      qty: { type: ['number', 'null'] },
      exact: { type: ['string', 'null'], format: 'x-singer.decimal' },
      mod_ts: { type: ['string', 'null'], format: 'date-time' },
      is_done_flg: { type: ['boolean', 'null'] },
      wave_id: { type: ['integer', 'null'] },
      wave_key: { type: ['string', 'null'] },
      task_id: { type: ['integer', 'null'] },
      task_key: { type: ['string', 'null'] },
      uom_id: { type: ['string', 'null'] },
      uom_key: { type: ['string', 'null'] },
      hidden_qty: { type: ['integer', 'null'] },
    },
  },
};
const ALL = Object.keys(ENTRY.schema.properties ?? {});
const SELECTED = ALL.filter((name) => name !== 'hidden_qty');

/**
 * Relations whose `_key` goes (its `_id` and itself null: an unquoted empty field, or a blank integer id) or stays (a
 * quoted "" key is no null), repeated columns, a column the schema lacks, an unselected one, leading zeros, `-0`,
 * ids past 2^53, decimals of 20+ digits and lenient spellings, `Z` and offset instants, boolean spellings, escapes.
 */
const CSV =
  'id,note,qty,exact,mod_ts,is_done_flg,wave_id,wave_key,task_key,task_id,uom_id,uom_key,extra,note,hidden_qty\n' +
  '1,"say \\"hi\\"",12345678901234567890.123456789,0.10,2024-06-23T23:25:00.812995Z,true,,,,,,,x,second,7\n' +
  '0042,"",-0.5,+5,2024-06-23T23:25:00.8Z,Y,  ,"",,"",,"",,,\n' +
  '-0,"line\none",.5,5.,2024-06-23T20:25:00.812995-03:00,no,9007199254740993,W1,T1,1,"",,"",,\n' +
  '9007199254740993,ünï €,"","",,,"","",,007,U,"",,"",-0012\n' +
  '12345678901234567890,"",1e3,-.5,"",0,-00,k,,-007,,,,x,\n';

function chunked(text: string, size: number): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let index = 0; index < bytes.length; index += size) chunks.push(bytes.subarray(index, index + size));
  return Readable.from(chunks);
}

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** The record JSON the file-row path gives: FileRow → rowCoercer → the REST transform → stringifyJson. */
async function fileRowPath(csv: string, selected: readonly string[], singerDecimal: boolean): Promise<string[]> {
  const coerce = rowCoercer(ENTRY);
  const transform = recordTransform(ENTRY, selected, true, singerDecimal);
  const rows = await all(csvRecords(chunked(csv, 1 << 16), fileRowOf));
  return rows.map((row) => stringifyJson(transform(coerce(row))));
}

async function planned(csv: string, selected: readonly string[], singerDecimal: boolean, size = 1 << 16) {
  const plan = csvRecordJson(ENTRY, selected, singerDecimal);
  return all(
    csvRecords(chunked(csv, size), (header) => {
      const record = plan(header);
      assert.ok(record, 'a plan for this header');
      return record;
    }),
  );
}

describe('Data Extract CSV → RECORD JSON text straight from the fields (the same bytes as the file-row path)', () => {
  for (const singerDecimal of [false, true])
    for (const selected of [SELECTED, ALL, ['id', 'wave_key', 'task_key', 'uom_key']])
      it(`use_singer_decimal ${singerDecimal}, ${selected.length} selected properties`, async () => {
        const expected = await fileRowPath(CSV, selected, singerDecimal);
        assert.equal(expected.length, 5);
        for (const size of [3, 1 << 16]) assert.deepEqual(await planned(CSV, selected, singerDecimal, size), expected);
      });

  it('what the rows become, spelled out', async () => {
    const [first, second] = await planned(CSV, SELECTED, false);
    assert.equal(
      first,
      '{"id":1,"note":"second","qty":12345678901234567890.123456789,"exact":0.1,"mod_ts":"2024-06-23T23:25:00.812995+00:00","is_done_flg":true,"wave_id":null,"task_id":null,"uom_id":null}',
    );
    assert.equal(
      second,
      '{"id":42,"note":null,"qty":-0.5,"exact":5,"mod_ts":"2024-06-23T23:25:00.800000+00:00","is_done_flg":true,"wave_id":null,"wave_key":"","task_id":null,"uom_id":null,"uom_key":""}',
    );
  });

  it('a bad cell fails as the file-row path fails, an unselected column too, naming the field and the line', async () => {
    const header = 'id,note,hidden_qty,mod_ts,is_done_flg,qty\n';
    for (const [row, field] of [
      ['1,a,x1,,,', 'hidden_qty'],
      ['1,a,,yesterday,,', 'mod_ts'],
      ['1,a,,,maybe,', 'is_done_flg'],
      ['1,a,,,,1.2.3', 'qty'],
      ['1.5,a,,,,', 'id'],
    ]) {
      const csv = `${header}2,b,,,,\n${row}\n`;
      const failure = async (rows: Promise<unknown>) =>
        rows.then(
          () => assert.fail('no error'),
          (error) => error,
        );
      const expected = (await failure(fileRowPath(csv, SELECTED, false))) as FileFormatError;
      const actual = (await failure(planned(csv, SELECTED, false))) as FileFormatError;
      assert.ok(actual instanceof FileFormatError, field);
      assert.equal(actual.message, expected.message);
      assert.match(actual.message, new RegExp(`field '${field}'`));
      assert.equal(actual.line, 3);
    }
  });

  it('no plan for a header with an object column or a name an object would reorder: those files take the file-row path', () => {
    const entry: CatalogEntry = {
      ...ENTRY,
      schema: { type: 'object', properties: { id: { type: 'integer' }, order_dtl_set: { type: ['array', 'null'] } } },
    };
    assert.equal(csvRecordJson(entry, ['id', 'order_dtl_set'], false)(['id', 'order_dtl_set']), undefined);
    assert.equal(csvRecordJson(entry, ['id'], false)(['id', 'order_dtl_set']), undefined);
    assert.ok(csvRecordJson(entry, ['id'], false)(['id', 'note']));
    assert.equal(csvRecordJson(ENTRY, ['id'], false)(['id', '__proto__']), undefined);
    assert.equal(csvRecordJson(ENTRY, ['id'], false)(['id', '12']), undefined);
  });
});
