import { validateConfig } from '../../../singer/index.js';
import { catalogEntry } from '../../../tap-oracle-wms/discover.js';
import { selectEntities } from '../../../tap-oracle-wms/entity-selection.js';
import { mergeParams, pagingParams, streamFilters } from '../../../tap-oracle-wms/query.js';
import { TAP_SETTINGS, type TapConfig } from '../../../tap-oracle-wms/settings.js';
import { expect } from './helpers.js';

function config(extra: Record<string, unknown> = {}): TapConfig {
  return validateConfig({ base_url: 'https://h/env', username: 'demo', password: 'demo', ...extra }, TAP_SETTINGS)
    .config;
}
const plain = (fields: Record<string, unknown>) => catalogEntry('x', { fields }, [], true);

describe('tap query building and entity selection (pure)', () => {
  it('applies defaults from the settings schema', () => {
    const c = config();
    expect([
      c.page_size,
      c.page_mode,
      c.max_concurrent_requests,
      c.api_version,
      c.auth_method,
      c.flatten_relations,
    ]).to.deep.equal([1000, 'sequenced', 4, 'v10', 'basic', true]);
  });

  it('narrows by company/facility through the built-in scope filters', () => {
    const c = config({ company_code: 'ACME', facility_code: 'DC01' });
    const entry = plain({ id: { type: 'pk' } });
    expect(streamFilters('order_dtl', entry, c).toString()).to.equal(
      'order_id__company_id__code=ACME&order_id__facility_id__code=DC01',
    );
    expect(streamFilters('allocation', entry, c).get('order_dtl_id__order_id__facility_id__code')).to.equal('DC01');
    expect(streamFilters('item', entry, c).toString()).to.equal('company_id__code=ACME');
    expect(streamFilters('location', entry, c).toString()).to.equal('facility_id__code=DC01');
  });

  it('falls back to the entity own facility_id/company_id relations; * sends nothing', () => {
    const withFacility = plain({ id: { type: 'pk' }, facility_id: { type: 'relation' } });
    expect(
      streamFilters('container', withFacility, config({ facility_code: 'DC01', company_code: 'ACME' })).toString(),
    ).to.equal('facility_id__code=DC01');
    expect(streamFilters('uom', plain({ id: { type: 'pk' } }), config({ facility_code: 'DC01' })).toString()).to.equal(
      '',
    );
    expect(streamFilters('order_hdr', withFacility, config()).toString()).to.equal('');
  });

  it('scope filters are configurable per entity (null disables) and several codes become __in', () => {
    const c = config({
      facility_code: 'DC01,DC02',
      scope_filters: { order_hdr: { facility: 'shipto_facility_id__code', company: null } },
    });
    expect(streamFilters('order_hdr', plain({ id: { type: 'pk' } }), c).toString()).to.equal(
      'shipto_facility_id__code__in=DC01%2CDC02',
    );
  });

  it('passes entity_filters through ("*" for all entities), entity-specific last', () => {
    const c = config({
      entity_filters: { '*': { status_id__lt: 99 }, allocation: { status_id__lt: 90, wave_id__isnull: false } },
    });
    expect(streamFilters('allocation', plain({}), c).toString()).to.equal('status_id__lt=90&wave_id__isnull=false');
    expect(mergeParams(new URLSearchParams('a=1&page_size=5'), pagingParams(c)).toString()).to.equal(
      'a=1&page_size=1000&page_mode=sequenced',
    );
  });

  it('selects entities by names and globs, minus excludes', () => {
    const names = ['allocation', 'inventory', 'inventory_history', 'order_dtl', 'order_hdr'];
    expect(selectEntities(names, ['order_*', 'allocation'], [])).to.deep.equal([
      'allocation',
      'order_dtl',
      'order_hdr',
    ]);
    expect(selectEntities(names, ['*'], ['*_history', 'order_d?l'])).to.deep.equal([
      'allocation',
      'inventory',
      'order_hdr',
    ]);
  });
});
