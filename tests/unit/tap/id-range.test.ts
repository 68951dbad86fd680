import { validateConfig } from '../../../singer/index.js';
import { catalogEntry } from '../../../tap-oracle-wms/discover.js';
import { streamFilters, withinIdRange } from '../../../tap-oracle-wms/query.js';
import { configProblems } from '../../../tap-oracle-wms/config-problems.js';
import { TAP_SETTINGS, type TapConfig } from '../../../tap-oracle-wms/settings.js';
import { expect } from './helpers.js';

function config(extra: Record<string, unknown> = {}): TapConfig {
  return validateConfig({ base_url: 'https://h/env', username: 'demo', password: 'demo', ...extra }, TAP_SETTINGS)
    .config;
}
const entry = catalogEntry('allocation', { fields: { id: { type: 'pk' } } }, [], true);

describe('tap id_range: one id range per process (pure)', () => {
  it('every request of the stream carries the range, over any entity filter on id', () => {
    const c = config({ id_range: { gte: 1000, lt: '2000' }, entity_filters: { allocation: { id__gte: 5 } } });
    const params = streamFilters('allocation', entry, c);
    expect([params.get('id__gte'), params.get('id__lt')]).to.deep.equal(['1000', '2000']);
    expect(streamFilters('allocation', entry, config({ id_range: { lt: 7 } })).has('id__gte')).to.equal(false);
  });

  it("a slice's own bounds are put back inside the range (an id range saved by a run with another range)", () => {
    const c = config({ id_range: { gte: 1000, lt: 2000 } });
    const wide = new URLSearchParams({ id__gte: '500', id__lt: '2500', ordering: 'id' });
    expect(withinIdRange(wide, c).toString()).to.equal('id__gte=1000&id__lt=2000&ordering=id');
    const inside = new URLSearchParams({ id__gte: '1200', id__lt: '1300' });
    expect(withinIdRange(inside, c).toString()).to.equal('id__gte=1200&id__lt=1300');
    expect(withinIdRange(new URLSearchParams({ id__gt: '1500' }), c).toString()).to.equal(
      'id__gt=1500&id__gte=1000&id__lt=2000',
    );
    // Ids beyond 2^53 compare exactly.
    const big = config({ id_range: { gte: '9007199254740993' } });
    expect(withinIdRange(new URLSearchParams({ id__gte: '9007199254740992' }), big).get('id__gte')).to.equal(
      '9007199254740993',
    );
    expect(withinIdRange(wide, config()).toString()).to.equal(wide.toString());
  });

  it('is refused with emit_activate_version (it would retire the other ranges) and when empty', () => {
    expect(configProblems(config({ id_range: { gte: 1, lt: 10 }, emit_activate_version: true }))).to.deep.equal([
      "'id_range' cannot be combined with 'emit_activate_version': ACTIVATE_VERSION would retire the rows of the other id ranges",
    ]);
    expect(configProblems(config({ id_range: { gte: 10, lt: 10 } }))).to.deep.equal([
      "'id_range' is empty: gte 10 is not below lt 10",
    ]);
    expect(configProblems(config({ id_range: { gte: 1, lt: 10 } }))).to.deep.equal([]);
    expect(() => config({ id_range: { gte: 'ten' } })).to.throw(/id_range/);
  });
});
