import { ExactNumber, parseJsonExact, SourceError, stringifyJson } from '../../../singer/index.js';
import { catalogEntry } from '../../../tap-oracle-wms/discover.js';
import { withDecimalForm } from '../../../tap-oracle-wms/singer-decimal.js';
import { recordTransform } from '../../../tap-oracle-wms/transform.js';
import { expect } from './helpers.js';

const describe_ = {
  fields: {
    id: { type: 'pk', required: true },
    mod_ts: { type: 'datetime' },
    order_dtl_id: { type: 'relation', required: true },
    status_id: { type: 'relation', required: true },
    alloc_qty: { type: 'decimal', required: true },
    is_picking_flg: { type: 'boolean' },
    picked_ts: { type: 'datetime' },
    order_dtl_set: { type: 'relation' },
  },
};
const entry = catalogEntry('allocation', describe_, [], true);
const all = Object.keys(entry.schema.properties ?? {});

describe('tap record transform (values exact; pure)', () => {
  it('flattens relations, keeps bare-integer relations, parses decimals exactly, passes timestamps through', () => {
    const raw = parseJsonExact(
      '{"id":98765432109876543,"mod_ts":"2025-05-31T21:00:01.831732-03:00","order_dtl_id":{"id":316225879,"key":"100002774185,1728581131","url":"https://h:443/x"},' +
        '"status_id":90,"alloc_qty":"12345678901234567.891","is_picking_flg":false,"picked_ts":null,"order_dtl_set":{"result_count":2,"url":"u"}}',
    ) as Record<string, unknown>;
    const out = recordTransform(entry, all, true)(raw);
    expect(stringifyJson(out)).to.equal(
      '{"id":98765432109876543,"mod_ts":"2025-05-31T21:00:01.831732-03:00","order_dtl_id":316225879,"order_dtl_key":"100002774185,1728581131",' +
        '"status_id":90,"alloc_qty":12345678901234567.891,"is_picking_flg":false,"picked_ts":null,"order_dtl_set":{"result_count":2,"url":"u"}}',
    );
    expect(out.alloc_qty).to.be.instanceOf(ExactNumber);
  });

  it('short decimals become plain numbers; blanks become null; junk is a clear error without the value', () => {
    const t = recordTransform(entry, all, true);
    expect(t({ id: 1, alloc_qty: '16' }).alloc_qty).to.equal(16);
    expect(t({ id: 1, alloc_qty: '0.5' }).alloc_qty).to.equal(0.5);
    expect(t({ id: 1, alloc_qty: '' }).alloc_qty).to.equal(null);
    let message = '';
    try {
      t({ id: 1, alloc_qty: 'SECRETJUNK' });
    } catch (error) {
      expect(error).to.be.instanceOf(SourceError);
      message = (error as Error).message;
    }
    expect(message).to.match(/alloc_qty/);
    expect(message).to.not.match(/SECRETJUNK/);
  });

  it('keeps only selected properties', () => {
    const out = recordTransform(
      entry,
      ['id', 'mod_ts', 'order_dtl_key'],
      true,
    )({ id: 1, mod_ts: null, alloc_qty: '3', order_dtl_id: { id: 5, key: 'K', url: '' } });
    expect(out).to.deep.equal({ id: 1, mod_ts: null, order_dtl_key: 'K' });
  });

  it('leaves relation objects alone when flatten_relations is false', () => {
    const flat = catalogEntry('allocation', describe_, [], false);
    const out = recordTransform(
      flat,
      Object.keys(flat.schema.properties ?? {}),
      false,
    )({ id: 1, order_dtl_id: { id: 5, key: 'K', url: '' } });
    expect(out.order_dtl_id).to.deep.equal({ id: 5, key: 'K', url: '' });
  });

  describe('use_singer_decimal (the Meltano SDK x-singer.decimal string format)', () => {
    it('decimal properties become strings in the x-singer.decimal format, nullability kept; other properties untouched', () => {
      const schema = withDecimalForm(
        {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            qty: { type: 'number' },
            rate: { type: ['number', 'null'] },
            name: { type: ['string', 'null'] },
          },
        },
        true,
      );
      expect(schema.properties).to.deep.equal({
        id: { type: 'integer' },
        qty: { type: 'string', format: 'x-singer.decimal' },
        rate: { type: ['string', 'null'], format: 'x-singer.decimal' },
        name: { type: ['string', 'null'] },
      });
      // A catalog discovered with the setting on still goes out as numbers once it is off.
      expect(withDecimalForm(schema, false).properties?.rate).to.deep.equal({ type: ['number', 'null'] });
    });

    it('decimal values go out as their exact text, from WMS strings or numbers alike, with either catalog form', () => {
      for (const form of [entry, { ...entry, schema: withDecimalForm(entry.schema, true) }]) {
        const t = recordTransform(form, all, true, true);
        expect(t({ id: 1, alloc_qty: '12345678901234567.891' }).alloc_qty).to.equal('12345678901234567.891');
        expect(t({ id: 1, alloc_qty: ' +.5 ' }).alloc_qty).to.equal('0.5');
        expect(t({ id: 1, alloc_qty: new ExactNumber('98765432109876543.21') }).alloc_qty).to.equal(
          '98765432109876543.21',
        );
        expect(t({ id: 1, alloc_qty: 7.25 }).alloc_qty).to.equal('7.25');
        expect(t({ id: 1, alloc_qty: '' }).alloc_qty).to.equal(null);
        expect(t({ id: 1, alloc_qty: null }).alloc_qty).to.equal(null);
        expect(() => t({ id: 1, alloc_qty: 'SECRETJUNK' })).to.throw(SourceError, /alloc_qty/);
      }
      // Off, a catalog in the string form still yields exact numbers.
      const off = recordTransform({ ...entry, schema: withDecimalForm(entry.schema, true) }, all, true, false);
      expect(off({ id: 1, alloc_qty: '12345678901234567.891' }).alloc_qty).to.be.instanceOf(ExactNumber);
    });
  });
});
