import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ExactNumber } from '../../../singer/index.js';
import { catalogEntry } from '../../../tap-oracle-wms/discover.js';
import { kindOfLiteral } from '../../../tap-oracle-wms/field-kind.js';
import { entitySchema, relationBase } from '../../../tap-oracle-wms/schema-mapping.js';
import { repoRoot } from '../../helpers/repo-root.js';
import { expect } from './helpers.js';

const describe_ = JSON.parse(
  readFileSync(path.join(repoRoot, 'tests/fixtures/wms/allocation-describe.json'), 'utf8'),
) as Record<string, unknown>;

describe('tap schema mapping from describe (pure, fixture describe)', () => {
  it('maps describe types to JSON Schema; only the key is non-nullable (describe required is not a guarantee)', () => {
    const { schema, incremental } = entitySchema('allocation', describe_, [], true);
    const p = schema.properties ?? {};
    expect(incremental).to.equal(true);
    expect(p.id).to.deep.equal({ type: 'integer' });
    expect(p.create_user).to.deep.equal({ type: ['string', 'null'], maxLength: 30 });
    expect(p.mod_ts).to.deep.equal({ type: ['string', 'null'], format: 'date-time' });
    expect(p.alloc_qty).to.deep.equal({ type: ['number', 'null'] });
    expect(p.packed_qty).to.deep.equal({ type: ['number', 'null'] });
    expect(p.task_seq_nbr).to.deep.equal({ type: ['integer', 'null'], minimum: -99999999999, maximum: 99999999999 });
    expect(p.is_picking_flg).to.deep.equal({ type: ['boolean', 'null'] });
    expect(p.pick_locn_str).to.deep.equal({ type: ['string', 'null'], maxLength: 100 });
    expect(p.picked_date).to.deep.equal({ type: ['string', 'null'], format: 'date' });
    expect(schema.additionalProperties).to.equal(false);
  });

  it('flattens relations to <base>_id integer + <base>_key string; a name ending in _id keeps it', () => {
    const p = entitySchema('allocation', describe_, [], true).schema.properties ?? {};
    expect(p.from_inventory_id).to.deep.equal({ type: ['integer', 'null'] });
    expect(p.from_inventory_key).to.deep.equal({ type: ['string', 'null'] });
    expect(p).to.not.have.property('from_inventory_id_id');
    expect(p.status_id).to.deep.equal({ type: ['integer', 'null'] });
    expect(relationBase('item')).to.equal('item');
  });

  it('keeps relations as objects when flatten_relations is false', () => {
    const p = entitySchema('allocation', describe_, [], false).schema.properties ?? {};
    expect(p.order_dtl_id.type).to.deep.equal(['object', 'null']);
    expect(p).to.not.have.property('order_dtl_key');
  });

  it('makes *_set fields an object, [] or null, whatever describe calls them', () => {
    const p = entitySchema('allocation', describe_, [], true).schema.properties ?? {};
    expect(p.order_dtl_set.type).to.deep.equal(['object', 'array', 'null']);
  });

  it('adds keys seen in records but missing from describe (url, facility_id), typed by value, nullable', () => {
    const samples = [
      {
        id: 1,
        url: 'https://h:443/e/x/1',
        facility_id: { id: 3, key: 'DC01', url: '' },
        extra_ts: '2025-01-01T00:00:00.000000-03:00',
        big: new ExactNumber('12345678901234567890'),
      },
    ];
    const p = entitySchema('allocation', describe_, samples, true).schema.properties ?? {};
    expect(p.url).to.deep.equal({ type: ['string', 'null'] });
    expect(p.facility_id).to.deep.equal({ type: ['integer', 'null'] });
    expect(p.facility_key).to.deep.equal({ type: ['string', 'null'] });
    expect(p.extra_ts).to.deep.equal({ type: ['string', 'null'], format: 'date-time' });
    expect(p.big).to.deep.equal({ type: ['integer', 'null'] });
    expect(
      entitySchema(
        'x',
        { fields: {} },
        [
          { id: 1, q: 1.5 },
          { id: 2, q: null },
        ],
        true,
      ).schema.properties?.q,
    ).to.deep.equal({ type: ['number', 'null'] });
  });

  it('a string longer than max_length or an integer outside min/max in the samples drops that bound', () => {
    const fields = {
      id: { type: 'pk' },
      code: { type: 'varchar', max_length: 3 },
      n: { type: 'integer', max_value: 9 },
    };
    const p = entitySchema('x', { fields }, [{ id: 1, code: 'ABCD', n: 10 }], true).schema.properties ?? {};
    expect([p.code, p.n]).to.deep.equal([{ type: ['string', 'null'] }, { type: ['integer', 'null'] }]);
    const q = entitySchema('x', { fields }, [{ id: 1, code: 'ÁÉÍ', n: 9 }], true).schema.properties ?? {};
    expect([q.code, q.n]).to.deep.equal([
      { type: ['string', 'null'], maxLength: 3 },
      { type: ['integer', 'null'], maximum: 9 },
    ]);
  });

  it('reads describe literals case-blind, Django field names included; unknown literals are undefined', () => {
    expect(
      ['pk', 'AutoField', 'ForeignKey', 'DecimalField', 'DateTimeField', 'CharField', 'Numeric(18,4)'].map(
        kindOfLiteral,
      ),
    ).to.deep.equal(['integer', 'integer', 'relation', 'decimal', 'datetime', 'string', 'decimal']);
    expect([kindOfLiteral('Linked'), kindOfLiteral(7), kindOfLiteral('field')]).to.deep.equal([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('catalog entry: key ["id"], mod_ts ⇒ INCREMENTAL with valid-replication-keys, automatic inclusion for key and replication key', () => {
    const entry = catalogEntry('allocation', describe_, [], true);
    expect(entry.key_properties).to.deep.equal(['id']);
    expect(entry.replication_method).to.equal('INCREMENTAL');
    expect(entry.replication_key).to.equal('mod_ts');
    const stream = entry.metadata?.find((m) => m.breadcrumb.length === 0)?.metadata;
    expect(stream?.['valid-replication-keys']).to.deep.equal(['mod_ts']);
    expect(stream?.['table-key-properties']).to.deep.equal(['id']);
    const inclusion = (name: string) => entry.metadata?.find((m) => m.breadcrumb[1] === name)?.metadata.inclusion;
    expect([inclusion('id'), inclusion('mod_ts'), inclusion('alloc_qty')]).to.deep.equal([
      'automatic',
      'automatic',
      'available',
    ]);
    expect(entry.metadata?.slice(1).map((m) => m.breadcrumb[1])).to.deep.equal(
      Object.keys(entry.schema.properties ?? {}),
    );
  });

  it('an entity without mod_ts is FULL_TABLE (forced)', () => {
    const entry = catalogEntry(
      'order_status',
      { fields: { id: { type: 'pk' }, description: { type: 'varchar', max_length: 40 } } },
      [],
      true,
    );
    expect(entry.replication_method).to.equal('FULL_TABLE');
    expect(entry.metadata?.[0].metadata['forced-replication-method']).to.equal('FULL_TABLE');
    expect(entry).to.not.have.property('replication_key');
  });
});
