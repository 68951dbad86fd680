import { expect } from 'chai';
import type { Catalog } from '../../../singer/index.js';
import { parseMetricLine } from '../../../singer/index.js';
import { startSim, type Sim } from './sim.js';
import {
  dataLines,
  discoverCatalog,
  idsOf,
  runTap,
  scratchDir,
  selectStreams,
  sortedUnique,
  tapConfig,
  writeJson,
} from './tap-harness.js';

const STREAMS = ['allocation', 'item', 'order_hdr', 'order_status', 'uom'];
const WMS_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}[+-]\d{2}:\d{2}$/;

describe('tap-oracle-wms sync (real tap process against the in-process wms-simulator over HTTP)', function () {
  this.timeout(180_000);
  let sim: Sim;
  let catalog: Catalog;
  const dir = scratchDir();
  before(async () => {
    sim = await startSim();
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), STREAMS);
  });
  after(async () => {
    await sim?.close();
  });
  beforeEach(() => sim.admin.reset());

  it('full sync: every row of every selected stream, valid Singer, exact values, metrics and progress', async () => {
    const run = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, { enable_incremental: false, page_size: 400 }),
      catalog,
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.report.problems).to.deep.equal([]);
    const counts = sim.admin.rowCounts();
    for (const stream of STREAMS) {
      expect(sortedUnique(idsOf(run, stream)).length, stream).to.equal(counts[stream] ?? 0);
      expect(idsOf(run, stream).length, `${stream} duplicates`).to.equal(counts[stream] ?? 0);
    }
    const allocation = run.report.records.allocation[0];
    expect(allocation.mod_ts).to.match(WMS_TIMESTAMP);
    expect(allocation.alloc_qty).to.satisfy(
      (v: unknown) => typeof v === 'number' || v?.constructor?.name === 'ExactNumber',
    );
    expect(allocation).to.have.property('order_dtl_id').that.is.a('number');
    expect(allocation).to.not.have.property('order_dtl_id_id');
    const types = run.report.messages.map((m) => m.type);
    expect(types.filter((t) => t === 'STATE').length).to.be.greaterThan(5);
    const metrics = run.stderr
      .split('\n')
      .map(parseMetricLine)
      .filter((m) => m !== undefined);
    expect(
      metrics.some(
        (m) =>
          m.metric === 'http_request_duration' &&
          m.tags.endpoint === 'entity/allocation' &&
          m.tags.http_status_code === 200,
      ),
    ).to.equal(true);
    const recordCount = metrics
      .filter((m) => m.metric === 'record_count' && m.tags.stream === 'allocation')
      .reduce((sum, m) => sum + m.value, 0);
    expect(recordCount).to.equal(counts.allocation);
    expect(run.stderr).to.match(/allocation: \d+ rows read in [\d.]+ s \(\d+ rows\/s\), done/);
    expect(run.stderr).to.not.contain('demo:demo').and.not.contain(Buffer.from('demo:demo').toString('base64'));
    // Complete full syncs leave no id ranges behind, only the instant each snapshot began (the handoff to an
    // incremental job), for every stream with a replication key.
    for (const bookmark of Object.values(run.lastState?.bookmarks ?? {}))
      expect(Object.keys(bookmark).sort()).to.deep.equal(['replication_key', 'replication_key_value']);
    expect(run.lastState?.bookmarks.allocation?.replication_key).to.equal('mod_ts');
  });

  it('selection: by catalog (stream deselected), by field (deselected property gone; automatic id/mod_ts kept)', async () => {
    const cat = selectStreams(catalog, ['order_hdr', 'uom']);
    cat.streams.find((s) => s.stream === 'uom')!.metadata![0].metadata.selected = false;
    const hdr = cat.streams.find((s) => s.stream === 'order_hdr')!;
    for (const m of hdr.metadata!)
      if (m.breadcrumb.length === 2 && !['order_nbr', 'id', 'mod_ts'].includes(m.breadcrumb[1]))
        m.metadata.selected = false;
    hdr.metadata!.find((m) => m.breadcrumb[1] === 'mod_ts')!.metadata.selected = false;
    const run = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, { start_date: '2024-01-01T00:00:00Z' }),
      catalog: cat,
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.report.problems).to.deep.equal([]);
    expect(Object.keys(run.report.counts)).to.deep.equal(['order_hdr']);
    const schema = run.report.messages.find((m) => m.type === 'SCHEMA') as { schema: { properties: object } };
    expect(Object.keys(schema.schema.properties)).to.deep.equal(['id', 'mod_ts', 'order_nbr']);
    expect(Object.keys(run.report.records.order_hdr[0])).to.have.members(['id', 'mod_ts', 'order_nbr']);
  });

  it('incremental: window [start_date, signpost), final bookmark = max mod_ts; a second run re-reads only the overlap and catches updates', async () => {
    const cat = selectStreams(catalog, ['order_hdr']);
    // Lag 0: the update below is stamped with the simulator's (real) now, which must be inside the next window.
    const config = tapConfig(sim.baseUrl, {
      start_date: '2024-01-01T00:00:00Z',
      incremental_overlap_minutes: 60 * 24 * 30,
      page_size: 250,
      replication_lag_seconds: 0,
    });
    const first = await runTap({ dir, config, catalog: cat });
    expect(first.exitCode, first.stderr).to.equal(0);
    expect(first.report.problems).to.deep.equal([]);
    const all = idsOf(first, 'order_hdr');
    expect(all.length).to.equal(sim.admin.rowCounts().order_hdr);
    const bookmark = first.lastState!.bookmarks.order_hdr;
    expect(bookmark.replication_key).to.equal('mod_ts');
    const maxMod = first.report.records.order_hdr
      .map((r) => Date.parse(String(r.mod_ts)))
      .reduce((a, b) => Math.max(a, b));
    expect(Date.parse(String(bookmark.replication_key_value))).to.equal(maxMod);
    const request = sim.admin
      .requests()
      .find((r) => r.path.endsWith('/entity/order_hdr/') && r.query.includes('mod_ts__gte'))!;
    const query = new URLSearchParams(request.query);
    expect(query.get('mod_ts__gte')).to.equal('2024-01-01T00:00:00+00:00');
    expect(query.get('ordering')).to.equal('mod_ts,id');
    expect(request.query).to.contain('%2B00%3A00');

    const updatedId = Number(all[3]);
    sim.admin.update('order_hdr', updatedId, {});
    const second = await runTap({ dir, config, catalog: cat, state: first.lastState });
    expect(second.exitCode, second.stderr).to.equal(0);
    const ids = idsOf(second, 'order_hdr');
    expect(ids).to.include(String(updatedId));
    // Only rows within the overlap before the old bookmark (plus the update) come back.
    const cutoff = maxMod - 30 * 24 * 3600 * 1000 - 1000;
    for (const record of second.report.records.order_hdr)
      expect(Date.parse(String(record.mod_ts))).to.be.at.least(cutoff);
    expect(ids.length).to.be.lessThan(all.length);
  });

  it('late rows: a row committed with a back-dated mod_ts inside the overlap is caught by the next run', async () => {
    const cat = selectStreams(catalog, ['order_hdr']);
    const config = tapConfig(sim.baseUrl, { start_date: '2024-01-01T00:00:00Z', incremental_overlap_minutes: 30 });
    const first = await runTap({ dir, config, catalog: cat });
    expect(first.exitCode, first.stderr).to.equal(0);
    const bookmark = String(first.lastState!.bookmarks.order_hdr.replication_key_value);
    const lateTs = new Date(Date.parse(bookmark) - 10 * 60_000).toISOString().replace('Z', '+00:00');
    const ids = idsOf(first, 'order_hdr');
    const oldId = Number(ids[0]);
    sim.admin.update('order_hdr', oldId, { mod_ts: lateTs });
    const second = await runTap({ dir, config, catalog: cat, state: first.lastState });
    expect(second.exitCode, second.stderr).to.equal(0);
    expect(idsOf(second, 'order_hdr')).to.include(String(oldId));
  });

  it('partitioned full sync returns exactly the id set of a single partition; ranges come from ordering=id/-id page_size=1', async () => {
    const cat = selectStreams(catalog, ['allocation']);
    const single = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, { enable_incremental: false, full_sync_partitions: 1, page_size: 500 }),
      catalog: cat,
    });
    sim.admin.clearRequests();
    const parted = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, {
        enable_incremental: false,
        full_sync_partitions: 6,
        max_concurrent_requests: 6,
        page_size: 500,
      }),
      catalog: cat,
    });
    expect(single.exitCode, single.stderr).to.equal(0);
    expect(parted.exitCode, parted.stderr).to.equal(0);
    expect(parted.report.problems).to.deep.equal([]);
    expect(sortedUnique(idsOf(parted, 'allocation'))).to.deep.equal(sortedUnique(idsOf(single, 'allocation')));
    expect(idsOf(parted, 'allocation').length).to.equal(idsOf(single, 'allocation').length);
    const queries = sim.admin.requests().map((r) => new URLSearchParams(r.query));
    expect(queries.some((q) => q.get('ordering') === 'id' && q.get('page_size') === '1')).to.equal(true);
    expect(queries.some((q) => q.get('ordering') === '-id' && q.get('page_size') === '1')).to.equal(true);
    const started = parted.report.states.find(
      (s) => (s as { bookmarks: Record<string, { partitions?: unknown[] }> }).bookmarks.allocation?.partitions,
    ) as {
      bookmarks: { allocation: { partitions: unknown[] } };
    };
    expect(started.bookmarks.allocation.partitions).to.have.length(6);
  });

  it('ACTIVATE_VERSION around a full sync when emit_activate_version is on', async () => {
    const run = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, { emit_activate_version: true }),
      catalog: selectStreams(catalog, ['order_status']),
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    const types = run.report.messages.map((m) => m.type);
    expect(types[0]).to.equal('SCHEMA');
    expect(types.indexOf('ACTIVATE_VERSION')).to.be.lessThan(types.indexOf('RECORD'));
    expect(types.lastIndexOf('ACTIVATE_VERSION')).to.be.greaterThan(types.lastIndexOf('RECORD'));
  });

  it('404 on an empty list is no rows (not an error)', async () => {
    const cat = selectStreams(catalog, ['order_hdr']);
    const run = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, {
        entity_filters: { order_hdr: { order_nbr: 'NO-SUCH-ORDER' } },
        enable_incremental: false,
      }),
      catalog: cat,
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.report.counts.order_hdr ?? 0).to.equal(0);
    expect(sim.admin.requests().some((r) => r.path.endsWith('/entity/order_hdr/') && r.status === 404)).to.equal(true);
  });

  it('company/facility scope filters narrow order_hdr by facility_id__code', async () => {
    const cat = selectStreams(catalog, ['order_hdr']);
    const all = await runTap({ dir, config: tapConfig(sim.baseUrl, { enable_incremental: false }), catalog: cat });
    expect(all.exitCode, all.stderr).to.equal(0);
    expect(Object.keys(all.report.records.order_hdr?.[0] ?? {}), all.stderr.slice(0, 3000)).to.include('facility_key');
    const code = String(
      all.report.records.order_hdr.find((r) => typeof r.facility_key === 'string' && r.facility_key !== '')!
        .facility_key,
    );
    const narrowed = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, { enable_incremental: false, facility_code: code }),
      catalog: cat,
    });
    expect(narrowed.exitCode, narrowed.stderr).to.equal(0);
    expect(narrowed.report.counts.order_hdr, `${code}: ${narrowed.stderr}`).to.be.a('number');
    const expected = all.report.records.order_hdr.filter((r) => r.facility_key === code).length;
    expect(narrowed.report.counts.order_hdr).to.equal(expected).and.to.be.lessThan(all.report.counts.order_hdr);
  });

  it('OAuth2 password grant against {base_url}/api/oauth2/token/ gives the same records as basic auth', async () => {
    const cat = selectStreams(catalog, ['uom', 'order_status']);
    const basic = await runTap({ dir, config: tapConfig(sim.baseUrl), catalog: cat });
    const oauth = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, {
        auth_method: 'oauth2_password',
        oauth_client_id: 'demo-client',
        oauth_client_secret: 'demo-secret',
      }),
      catalog: cat,
    });
    expect(oauth.exitCode, oauth.stderr).to.equal(0);
    expect(dataLines(oauth, 'uom')).to.deep.equal(dataLines(basic, 'uom'));
    expect(
      sim.admin
        .requests()
        .some((r) => r.method === 'POST' && r.path.endsWith('/api/oauth2/token/') && r.status === 200),
    ).to.equal(true);
    expect(oauth.stderr).to.not.contain('demo-secret');
  });

  it('OAuth2 client_credentials against oauth_token_url', async () => {
    const run = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, {
        auth_method: 'oauth2_client_credentials',
        oauth_client_id: 'demo-client',
        oauth_client_secret: 'demo-secret',
        oauth_token_url: `${sim.baseUrl}/api/oauth2/token/`,
        username: undefined,
        password: undefined,
        start_date: '2024-01-01T00:00:00Z',
      }),
      catalog: selectStreams(catalog, ['uom']),
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.report.counts.uom).to.equal(sim.admin.rowCounts().uom);
  });

  it('bad credentials: exit 4 with a clear message; no permission: exit 4 (403); bad config: exit 2', async () => {
    const cat = selectStreams(catalog, ['uom']);
    const wrong = await runTap({ dir, config: tapConfig(sim.baseUrl, { password: 'not-the-password' }), catalog: cat });
    expect(wrong.exitCode).to.equal(4);
    expect(wrong.stderr).to.match(/CRITICAL .*HTTP 401.*authentication failed/);
    expect(wrong.stderr).to.not.contain('not-the-password');
    const noread = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, { username: 'noread', password: 'noread' }),
      catalog: cat,
    });
    expect(noread.exitCode).to.equal(4);
    expect(noread.stderr).to.match(/HTTP 403.*permission/);
    const bad = await runTap({
      dir,
      config: { base_url: sim.baseUrl, auth_method: 'oauth2_password', page_size: 5000 },
      catalog: cat,
    });
    expect(bad.exitCode).to.equal(2);
    expect(bad.stderr)
      .to.match(/page_size/)
      .and.match(/username/);
    expect(bad.stdout).to.equal('');
  });

  it('--test writes one record per stream and exits 0; --test=schema only SCHEMA; --about and --version print', async () => {
    const cat = selectStreams(catalog, ['uom', 'item']);
    const test = await runTap({ dir, config: tapConfig(sim.baseUrl), catalog: cat, args: ['--test'] });
    expect(test.exitCode, test.stderr).to.equal(0);
    expect(test.report.counts).to.deep.equal({ item: 1, uom: 1 });
    expect(test.report.states).to.have.length(0);
    const schema = await runTap({ dir, config: tapConfig(sim.baseUrl), catalog: cat, args: ['--test=schema'] });
    expect(schema.report.messages.map((m) => m.type)).to.deep.equal(['SCHEMA', 'SCHEMA']);
    // --properties (legacy) and --config ENV (TAP_ORACLE_WMS_* variables) work too.
    const legacy = await runTap({
      dir,
      config: { page_size: 3 },
      args: ['--config', 'ENV', '--properties', writeJson(dir, 'properties.json', selectStreams(catalog, ['uom']))],
      env: {
        TAP_ORACLE_WMS_BASE_URL: sim.baseUrl,
        TAP_ORACLE_WMS_USERNAME: 'demo',
        TAP_ORACLE_WMS_PASSWORD: 'demo',
        TAP_ORACLE_WMS_ENABLE_INCREMENTAL: 'false',
      },
    });
    expect(legacy.exitCode, legacy.stderr).to.equal(0);
    expect(legacy.report.counts).to.deep.equal({ uom: sim.admin.rowCounts().uom });
    expect(sim.admin.requests().some((r) => new URLSearchParams(r.query).get('page_size') === '3')).to.equal(true);
    const about = await runTap({ dir, config: tapConfig(sim.baseUrl), args: ['--about', '--format', 'json'] });
    const info = JSON.parse(about.stdout) as {
      capabilities: string[];
      settings: { properties: Record<string, { secret?: boolean }> };
    };
    expect(info.capabilities).to.deep.equal([
      'catalog',
      'discover',
      'state',
      'about',
      'test',
      'activate-version',
      'structured-logging',
    ]);
    expect(info.settings.properties.password.secret).to.equal(true);
    expect(about.stdout).to.not.contain('"demo"');
  });

  it('page_size halving: two stalled requests beyond request_timeout halve page_size (inside the opaque next_page link), and the sync completes', async () => {
    const cat = selectStreams(catalog, ['item']);
    // Requests 2 and 3 are the second page, i.e. a server-made next_page URL with a cursor.
    sim.admin.setFaults('item:stall(5000)@2-3');
    const run = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, {
        enable_incremental: false,
        request_timeout: 1,
        page_size: 200,
        full_sync_partitions: 1,
      }),
      catalog: cat,
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.stderr).to.match(/page_size 200 → 100/);
    expect(sortedUnique(idsOf(run, 'item')).length).to.equal(sim.admin.rowCounts().item);
    expect(idsOf(run, 'item').length, 'no duplicates').to.equal(sim.admin.rowCounts().item);
    const halved = sim.admin.requests().find((r) => new URLSearchParams(r.query).get('page_size') === '100')!;
    expect(new URLSearchParams(halved.query).has('cursor')).to.equal(true);
    const sizes = sim.admin
      .requests()
      .filter((r) => r.path.endsWith('/entity/item/') || r.path.endsWith('/entity/item'))
      .map((r) => new URLSearchParams(r.query).get('page_size'));
    expect(sizes).to.include('100');
  });
});
