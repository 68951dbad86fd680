import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type CatalogEntry, parseJsonExact, SourceError, stringifyJson } from '../../../singer/index.js';
import { catalogEntry } from '../../../tap-oracle-wms/discover.js';
import { recordTransform } from '../../../tap-oracle-wms/transform.js';
import { repoRoot } from '../../helpers/repo-root.js';
import { validateSingerOutput } from '../../helpers/singer-validator.js';
import { expect } from './helpers.js';

interface Fixture {
  describe: Record<string, unknown>;
  rows: Record<string, unknown>[];
}

const fixture = parseJsonExact(
  readFileSync(path.join(repoRoot, 'tests/fixtures/wms/order-hdr-real-shapes.json'), 'utf8'),
) as Fixture;

/** The problems the Singer validator finds in SCHEMA + the transformed RECORDs (what a target would reject). */
function problemsOf(entry: CatalogEntry, rows: readonly Record<string, unknown>[], flatten = true): string[] {
  const transform = recordTransform(entry, Object.keys(entry.schema.properties ?? {}), flatten);
  const lines = [
    stringifyJson({ type: 'SCHEMA', stream: entry.stream, schema: entry.schema, key_properties: ['id'] }),
    ...rows.map((row) => stringifyJson({ type: 'RECORD', stream: entry.stream, record: transform(row) })),
  ];
  return validateSingerOutput(lines).problems;
}

function failure(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('tap discovery and transform against real WMS shapes (pure; fixtures written from the reference facts)', () => {
  it('a _set field holding [] (as a real order_hdr does) validates, and [] is passed on unchanged', () => {
    const entry = catalogEntry('order_hdr', fixture.describe, [], true);
    expect(problemsOf(entry, fixture.rows)).to.deep.equal([]);
    const record = recordTransform(entry, ['id', 'order_instructions_set'], true)(fixture.rows[0]);
    expect(record.order_instructions_set).to.deep.equal([]);
  });

  it('a field describe marks required may be null in a real row: only the key is non-nullable', () => {
    const entry = catalogEntry('order_hdr', fixture.describe, [], true);
    const properties = entry.schema.properties ?? {};
    expect(properties.id).to.deep.equal({ type: 'integer' });
    expect(properties.orig_sale_price).to.deep.equal({ type: ['number', 'null'] });
    expect(properties.order_nbr).to.deep.equal({ type: ['string', 'null'], maxLength: 30 });
    expect(properties.order_type_id).to.deep.equal({ type: ['integer', 'null'] });
    expect(properties.status_id).to.deep.equal({ type: ['integer', 'null'] });
  });

  it('relation keys and urls that are "" flatten and validate; the record url is declared with or without samples', () => {
    for (const samples of [[], fixture.rows]) {
      const entry = catalogEntry('order_hdr', fixture.describe, samples, true);
      expect(Object.keys(entry.schema.properties ?? {}).slice(0, 2)).to.deep.equal(['id', 'url']);
      expect(entry.schema.properties?.url).to.deep.equal({ type: ['string', 'null'] });
    }
    const entry = catalogEntry('order_hdr', fixture.describe, fixture.rows, true);
    const record = recordTransform(entry, Object.keys(entry.schema.properties ?? {}), true)(fixture.rows[0]);
    expect([record.order_type_id, record.order_type_key, record.url]).to.deep.equal([
      3,
      '',
      'https://wms.example:443/prod/wms/lgfapi/v10/entity/order_hdr/900001',
    ]);
    expect(problemsOf(entry, fixture.rows)).to.deep.equal([]);
    expect(
      problemsOf(catalogEntry('order_hdr', fixture.describe, fixture.rows, false), fixture.rows, false),
    ).to.deep.equal([]);
  });

  it('unknown describe literals: relations and ids are recognised from the sampled values, the rows validate', () => {
    const describe_ = {
      fields: {
        id: { type: 'AutoKey' },
        mod_ts: { type: 'datetime' },
        facility_id: { type: 'Linked' },
        order_type_id: { type: 'Linked' },
        status_id: { type: 'Linked' },
        total_orig_ord_qty: { type: 'Numeric(18,4)' },
        orig_sku_count: { type: 'Whole' },
        orig_sale_price: { type: 'Numeric(18,4)' },
        order_nbr: { type: 'Txt' },
        order_dtl_set: { type: 'Children' },
        order_lock_set: { type: 'Children' },
        order_instructions_set: { type: 'Children' },
      },
    };
    const warnings: string[] = [];
    const entry = catalogEntry('order_hdr', describe_, fixture.rows, true, (text) => warnings.push(text));
    const properties = entry.schema.properties ?? {};
    expect(properties.id).to.deep.equal({ type: 'integer' });
    expect([properties.facility_id, properties.facility_key]).to.deep.equal([
      { type: ['integer', 'null'] },
      { type: ['string', 'null'] },
    ]);
    expect(properties.order_type_key).to.deep.equal({ type: ['string', 'null'] });
    expect(properties.orig_sku_count).to.deep.equal({ type: ['integer', 'null'] });
    expect(problemsOf(entry, fixture.rows)).to.deep.equal([]);
    expect(warnings.join('\n')).to.match(
      /^order_hdr: typed from the sampled rows instead of describe: .*facility_id \(describe type 'Linked' is unknown → relation\)/,
    );
  });

  it('a relation described with a scalar literal is typed by its sampled {id,key,url} values, with a warning', () => {
    const describe_ = { fields: { id: { type: 'pk' }, facility_id: { type: 'integer' } } };
    const warnings: string[] = [];
    const entry = catalogEntry('order_hdr', describe_, fixture.rows, true, (text) => warnings.push(text));
    expect(entry.schema.properties?.facility_key).to.deep.equal({ type: ['string', 'null'] });
    expect(problemsOf(entry, fixture.rows)).to.deep.equal([]);
    expect(warnings).to.have.length(1);
  });

  it('sampled values with no one shape fail discovery naming the entity and the field (never the values)', () => {
    const describe_ = { fields: { id: { type: 'pk' }, code: { type: 'Mystery' } } };
    const rows = [
      { id: 1, code: { id: 4, key: 'SECRET-A', url: '' } },
      { id: 2, code: 'SECRET-B' },
    ];
    const error = failure(() => catalogEntry('item', describe_, rows, true));
    expect(error).to.be.instanceOf(SourceError);
    expect(error.message).to.match(/item\.code/);
    expect(error.message).to.not.match(/SECRET/);
  });

  it('an id that is not an integer in the sampled rows fails discovery naming the entity and field', () => {
    const error = failure(() => catalogEntry('item', { fields: { id: { type: 'pk' } } }, [{ id: 'A-1' }], true));
    expect(error).to.be.instanceOf(SourceError);
    expect(error.message).to.match(/item\.id/);
  });
});
