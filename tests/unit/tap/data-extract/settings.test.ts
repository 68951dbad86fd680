import { ConfigError, validateConfig } from '../../../../singer/index.js';
import { configProblems, meltanoJobProblems } from '../../../../tap-oracle-wms/config-problems.js';
import { windowFilter } from '../../../../tap-oracle-wms/data-extract/export-sync.js';
import { entityPrefix, openObjectStore } from '../../../../tap-oracle-wms/data-extract/open-store.js';
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
    expect(() => config({ data_extract: {} })).to.throw(/'data_extract\.directory' is required/);
    expect(() => config({ data_extract: { directory: '/x', format: 'xml' } })).to.throw(/format/);
    expect(() => config({ data_extract: { directory: '/x', bucket_name: 'b' } })).to.throw(
      /'data_extract' must NOT have additional properties/,
    );
  });

  it('a bucket, region or endpoint without store s3 is refused by naming store, not the directory of the default', () => {
    const problems = (dataExtract: Record<string, unknown>): readonly string[] => {
      try {
        config({ data_extract: dataExtract });
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    };
    expect(problems({ bucket: 'exports', region: 'us-east-1' })).to.deep.equal(["'data_extract.store' is required"]);
    expect(problems({ endpoint: 'http://127.0.0.1:9000' })).to.deep.equal(["'data_extract.store' is required"]);
    expect(problems({ store: 'local', directory: '/x', bucket: 'exports' })).to.deep.equal([
      "'data_extract.store' must be s3",
    ]);
    // The rules each store has stay as they were, one line per missing setting (no if/then summary line).
    expect(problems({})).to.deep.equal(["'data_extract.directory' is required"]);
    expect(problems({ store: 's3', region: 'us-east-1' })).to.deep.equal(["'data_extract.bucket' is required"]);
  });

  it('store s3 needs its bucket and region, named by their path; the access key is two secret settings', () => {
    expect(() => config({ data_extract: { store: 's3' } })).to.throw(
      /'data_extract\.bucket' is required[\s\S]*'data_extract\.region' is required/,
    );
    const keyed = config({
      data_extract: { store: 's3', bucket: 'exports', region: 'eu-frankfurt-1' },
      data_extract_access_key_id: 'AKIAFAKEFAKEFAKE0001',
      data_extract_secret_access_key: 'fake-secret-not-real-0001',
    });
    expect(keyed.data_extract).to.deep.include({ store: 's3', force_path_style: false });
    expect(TAP_SETTINGS.properties.data_extract_access_key_id.secret).to.equal(true);
    expect(TAP_SETTINGS.properties.data_extract_secret_access_key.secret).to.equal(true);
    expect(configProblems(keyed)).to.deep.equal([]);
  });

  it('openObjectStore: store s3 is an S3 bucket at the endpoint given, store local a directory', () => {
    const s3 = config({
      data_extract: {
        store: 's3',
        bucket: 'exports',
        region: 'eu-frankfurt-1',
        endpoint: 'https://ns.compat.objectstorage.eu-frankfurt-1.oraclecloud.com',
        force_path_style: true,
      },
    });
    expect(openObjectStore(s3.data_extract!, s3).description).to.equal(
      "S3 bucket 'exports' at https://ns.compat.objectstorage.eu-frankfurt-1.oraclecloud.com",
    );
    const aws = config({ data_extract: { store: 's3', bucket: 'exports', region: 'us-east-1' } });
    expect(openObjectStore(aws.data_extract!, aws).description).to.equal("S3 bucket 'exports' at AWS S3 (us-east-1)");
    const local = config({ data_extract: { directory: '/exports' } });
    expect(openObjectStore(local.data_extract!, local).description).to.match(/local directory/);
  });

  it('an access key is refused without its secret, and with a store other than s3', () => {
    const s3 = { store: 's3', bucket: 'exports', region: 'eu-frankfurt-1' };
    expect(
      configProblems(config({ data_extract: s3, data_extract_secret_access_key: 'fake-secret-not-real-0001' })),
    ).to.deep.equal([
      "'data_extract_access_key_id' and 'data_extract_secret_access_key' go together (or neither: the AWS SDK's default chain)",
    ]);
    expect(configProblems(config({ data_extract_access_key_id: 'AKIAFAKEFAKEFAKE0001' }))).to.deep.equal([
      "'data_extract_access_key_id' and 'data_extract_secret_access_key' are only used with data_extract store s3",
    ]);
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

  it("is refused for a generated Meltano project's incremental extractor (inherited from tap-oracle-wms), naming the full one", () => {
    const withExtract = config({ data_extract: { directory: '/exports' } });
    const incremental = { MELTANO_EXTRACTOR_NAME: 'tap-oracle-wms--order_hdr-incremental' };
    expect(meltanoJobProblems(withExtract, incremental)).to.deep.equal([
      "'data_extract' is set for tap-oracle-wms--order_hdr-incremental, an incremental job's extractor, which would load Data Extract files instead of reading the changes: set it on tap-oracle-wms--order_hdr-full only (set on tap-oracle-wms or as TAP_ORACLE_WMS_DATA_EXTRACT, every job inherits it)",
    ]);
    // The full job's extractor, any other extractor, no Meltano, or no data_extract: nothing to refuse.
    expect(meltanoJobProblems(withExtract, { MELTANO_EXTRACTOR_NAME: 'tap-oracle-wms--order_hdr-full' })).to.deep.equal(
      [],
    );
    expect(meltanoJobProblems(withExtract, { MELTANO_EXTRACTOR_NAME: 'tap-oracle-wms' })).to.deep.equal([]);
    expect(meltanoJobProblems(withExtract, {})).to.deep.equal([]);
    expect(meltanoJobProblems(config(), incremental)).to.deep.equal([]);
  });

  it('trigger: defaults, its endpoint name required, the window sent as UTC filters ending in Z', () => {
    expect(() => config({ data_extract: { directory: '/x', trigger: {} } })).to.throw(
      /'data_extract\.trigger\.endpoint_name' is required/,
    );
    const trigger = config({ data_extract: { directory: '/x', trigger: { endpoint_name: 'wms-exports' } } })
      .data_extract!.trigger!;
    expect(trigger).to.deep.equal({
      endpoint_name: 'wms-exports',
      object_store_path: '',
      file_size_in_mb: 10,
      compressed: true,
      window_field: 'mod_ts',
      poll_initial_seconds: 5,
      poll_max_seconds: 60,
      timeout_seconds: 21600,
    });
    expect(windowFilter(trigger)).to.deep.equal({});
    expect(
      windowFilter({
        ...trigger,
        window_field: 'create_ts',
        window_start: '2026-11-01T02:00:00.5+02:00',
        window_end: '2026-12-01T00:00:00Z',
      }),
    ).to.deep.equal({
      create_ts__gte: '2026-11-01T00:00:00.500000Z',
      create_ts__lt: '2026-12-01T00:00:00.000000Z',
    });
    expect(() =>
      config({ data_extract: { directory: '/x', trigger: { endpoint_name: 'e', file_size_in_mb: 5 } } }),
    ).to.throw(/file_size_in_mb/);
  });

  it('trigger: refused with export_started_at (it knows its own start) and with an empty window', () => {
    const problems = configProblems(
      config({
        data_extract: {
          directory: '/x',
          export_started_at: '2026-11-01T00:00:00Z',
          trigger: { endpoint_name: 'e', window_start: '2026-12-01T00:00:00Z', window_end: '2026-12-01T00:00:00Z' },
        },
      }),
    );
    expect(problems).to.deep.equal([
      "'data_extract.export_started_at' cannot be combined with 'data_extract.trigger': the trigger knows when its export started",
      "'data_extract.trigger' window is empty: window_start is not before window_end",
    ]);
  });
});
