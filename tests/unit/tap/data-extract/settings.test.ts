import { validateConfig } from '../../../../singer/index.js';
import { configProblems } from '../../../../tap-oracle-wms/config-problems.js';
import { entityPrefix } from '../../../../tap-oracle-wms/data-extract/open-store.js';
import { TAP_SETTINGS, type TapConfig } from '../../../../tap-oracle-wms/settings.js';
import { expect } from '../helpers.js';

function config(extra: Record<string, unknown> = {}): TapConfig {
  return validateConfig({ base_url: 'https://h/env', username: 'demo', password: 'demo', ...extra }, TAP_SETTINGS)
    .config;
}

describe('tap data_extract settings (pure)', () => {
  it('defaults: a local store, CSV, files under <entity>/, 4 files read at once', () => {
    const settings = config({ data_extract: { directory: '/exports' } }).data_extract!;
    expect(settings).to.deep.include({ store: 'local', format: 'csv', prefix: '', entity_prefix: '{entity}/' });
    expect(settings.concurrent_files).to.equal(4);
    expect(entityPrefix(settings, 'order_hdr')).to.equal('order_hdr/');
    expect(entityPrefix({ ...settings, prefix: 'run-1/', entity_prefix: '{entity}_' }, 'item')).to.equal('run-1/item_');
  });

  it('a local store needs its directory; unknown keys and formats are refused', () => {
    expect(() => config({ data_extract: {} })).to.throw(/directory/);
    expect(() => config({ data_extract: { directory: '/x', format: 'xml' } })).to.throw(/format/);
    expect(() => config({ data_extract: { directory: '/x', bucket: 'b' } })).to.throw(
      /'data_extract' must NOT have additional properties/,
    );
  });

  it('is refused with settings a file load cannot honour: unflattened relations, id_range, scope and entity filters', () => {
    const files = { data_extract: { directory: '/x' } };
    expect(configProblems(config(files))).to.deep.equal([]);
    expect(configProblems(config({ ...files, flatten_relations: false }))).to.deep.equal([
      "'data_extract' needs 'flatten_relations' true: Data Extract files hold no relation objects",
    ]);
    expect(configProblems(config({ ...files, id_range: { gte: 1 } }))).to.deep.equal([
      "'data_extract' cannot be combined with 'id_range': a load reads whole files",
    ]);
    expect(
      configProblems(config({ ...files, facility_code: 'DC01', entity_filters: { order_hdr: { status_id__lt: 90 } } })),
    ).to.deep.equal([
      "'data_extract' cannot be combined with 'facility_code', 'entity_filters': the files hold what the export selected (filter the export instead)",
    ]);
  });
});
