import { expect } from 'chai';
import type { Catalog } from '../../../singer/index.js';
import { startSim, type Sim } from './sim.js';
import {
  dataLines,
  discoverCatalog,
  runTap,
  scratchDir,
  selectStreams,
  tapConfig,
  type TapRun,
} from './tap-harness.js';

/** Records of a run as sorted JSON lines per stream (STATE and time_extracted aside): "identical output". */
function data(run: TapRun): Record<string, string[]> {
  return { item: dataLines(run, 'item').sort(), order_hdr: dataLines(run, 'order_hdr').sort() };
}

// Transient faults (the first requests of a scope fail): the run retries and the output is identical.
const TRANSIENT: [string, string][] = [
  ['429 with Retry-After', 'item:429(1)@2'],
  ['500', 'item:500@2-3'],
  ['502', 'order_hdr:502@1-2'],
  ['503', '*:503@3'],
  ['504', 'item:504@1'],
  ['HTML 502 gateway page', 'item:html502@2-3'],
  ['connection reset mid-body', 'order_hdr:reset(64)@2'],
  ['stall beyond request_timeout', 'item:stall(4000)@2'],
  ['one slow page (latency)', 'item:latency(300)@1'],
  ['entity list and describe fail once', 'entities:503@1,item/describe:500@1'],
  ['no-ordering: entity refuses ordering (unordered fallback)', 'item:no-ordering'],
  ['phantom last page (paged mode)', 'item:phantom'],
  ['random 10% of requests fail with 503', '*:503@0.1'],
];

// Permanent faults: the run fails with exit code 4 and a message that says what failed.
const PERMANENT: [string, string, RegExp][] = [
  [
    '503 on every request',
    'item:503',
    // The path as sent: the password (demo) equals the environment segment, and redaction must not mask the path.
    /CRITICAL GET \/demo\/wms\/lgfapi\/v10\/entity\/item\/\?\S* failed after 3 attempts: HTTP 503/,
  ],
  ['429 on every request', 'item:429(0)', /failed after 3 attempts: HTTP 429/],
  [
    'HTML gateway page on every request',
    'item:html502',
    /failed after 3 attempts: HTTP 502 \(HTML page instead of JSON \("502 Bad Gateway"\)\)/,
  ],
  ['connection reset on every request', 'item:reset(10)', /failed after 3 attempts: connection failed/],
  ['stall on every request', 'item:stall(3000)', /failed after 3 attempts: no answer within request_timeout/],
];

describe('tap-oracle-wms under every simulator fault switch (real tap process, in-process simulator, injected faults)', function () {
  this.timeout(300_000);
  let sim: Sim;
  let catalog: Catalog;
  let baseline: TapRun;
  const dir = scratchDir();
  const config = (sim: Sim, extra: Record<string, unknown> = {}) =>
    tapConfig(sim.baseUrl, {
      start_date: '2024-06-01T00:00:00Z',
      page_size: 150,
      request_timeout: 1.5,
      max_retries: 4,
      ...extra,
    });

  before(async () => {
    sim = await startSim();
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['item', 'order_hdr']);
    baseline = await runTap({ dir, config: config(sim), catalog });
    expect(baseline.exitCode, baseline.stderr).to.equal(0);
    expect(baseline.report.counts.item).to.equal(sim.admin.rowCounts().item);
    expect(baseline.report.counts.order_hdr).to.be.greaterThan(100);
  });
  after(async () => {
    await sim?.close();
  });
  beforeEach(() => sim.admin.reset());

  for (const [name, spec] of TRANSIENT) {
    it(`${name} (${spec}): completes with identical output`, async () => {
      sim.admin.setFaults(spec);
      const pageMode = spec.includes('phantom') ? { page_mode: 'paged' } : {};
      // The entity list and describes are only read by discovery.
      const run = spec.startsWith('entities')
        ? await runTap({ dir, config: config(sim) })
        : await runTap({ dir, config: config(sim, pageMode), catalog });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.report.problems).to.deep.equal([]);
      if (spec.startsWith('entities')) {
        expect(run.report.counts.item).to.equal(baseline.report.counts.item);
        return;
      }
      expect(data(run)).to.deep.equal(data(baseline));
      const log = sim.admin.requests();
      if (spec.includes('no-ordering')) {
        expect(log.some((r) => r.status === 400 && r.query.includes('ordering='))).to.equal(true);
        expect(run.stderr).to.match(/item: the WMS refused ordering=mod_ts,id; reading unordered/);
      } else if (spec.includes('phantom')) {
        // The tap stops at next_page: null, so it never asks for the phantom page after the last one.
        expect(
          log.some((r) => r.path.includes('/entity/item') && new URLSearchParams(r.query).get('page_mode') === 'paged'),
        ).to.equal(true);
        expect(log.filter((r) => r.status >= 500)).to.deep.equal([]);
      } else {
        expect(log.filter((r) => r.faults.length > 0).length, 'the fault fired').to.be.greaterThan(0);
      }
    });
  }

  for (const [name, spec, message] of PERMANENT) {
    it(`${name} (${spec}): exit code 4 and a clear message`, async () => {
      sim.admin.setFaults(spec);
      const run = await runTap({
        dir,
        config: config(sim, { max_retries: 2, request_timeout: 1 }),
        catalog: selectStreams(catalog, ['item']),
      });
      expect(run.exitCode, run.stderr).to.equal(4);
      expect(run.stderr).to.match(message);
      expect(run.report.problems).to.deep.equal([]);
    });
  }

  it('a 400 that is not about the ordering (a bad filter) fails at once: no ordering warning, no unordered retry', async () => {
    const run = await runTap({
      dir,
      config: config(sim, { entity_filters: { item: { no_such_field__gte: 1 } } }),
      catalog: selectStreams(catalog, ['item']),
    });
    expect(run.exitCode, run.stderr).to.equal(4);
    expect(run.stderr).to.match(/HTTP 400 \(VALIDATION_ERROR .*no_such_field__gte/);
    expect(run.stderr).to.not.match(/refused ordering/);
    const lists = sim.admin.requests().filter((r) => r.path.endsWith('/entity/item/'));
    expect(lists.map((r) => [r.status, new URLSearchParams(r.query).get('ordering')])).to.deep.equal([
      [400, 'mod_ts,id'],
    ]);
  });

  it('an expired OAuth token mid-run (401) is refreshed once and the run completes', async () => {
    sim.admin.updateSettings({ tokenTtlSeconds: 1 });
    const run = await runTap({
      dir,
      config: config(sim, {
        auth_method: 'oauth2_password',
        oauth_client_id: 'demo-client',
        oauth_client_secret: 'demo-secret',
        page_size: 50,
        rate_limit_per_second: 8,
      }),
      catalog: selectStreams(catalog, ['item']),
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(dataLines(run, 'item').sort()).to.deep.equal(dataLines(baseline, 'item').sort());
    const tokens = sim.admin.requests().filter((r) => r.path.endsWith('/api/oauth2/token/'));
    expect(tokens.length).to.be.greaterThan(1);
  });

  it('the token endpoint failing once (503) is retried', async () => {
    sim.admin.setFaults('token:503@1');
    const run = await runTap({
      dir,
      config: config(sim, {
        auth_method: 'oauth2_password',
        oauth_client_id: 'demo-client',
        oauth_client_secret: 'demo-secret',
      }),
      catalog: selectStreams(catalog, ['item']),
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.report.counts.item).to.equal(baseline.report.counts.item);
  });

  // Behaviour switches of the simulator (settings rather than faults): the output must not change.
  const SWITCHES: [string, Record<string, unknown>][] = [
    ['strict seconds in query timestamps', { strictSeconds: true }],
    ['empty list answered 200 [] instead of 404', { emptyList200: true }],
    ['fixed latency per request', { latencyMs: 20 }],
  ];
  for (const [name, settings] of SWITCHES) {
    it(`switch: ${name}: completes with identical output`, async () => {
      sim.admin.updateSettings(settings);
      const run = await runTap({ dir, config: config(sim), catalog });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(data(run)).to.deep.equal(data(baseline));
    });
  }

  it('switches: required as "Y"/"N" and the entity list as a JSON list give the same catalog as the defaults', async () => {
    const defaults = await discoverCatalog(dir, tapConfig(sim.baseUrl));
    sim.admin.updateSettings({ requiredStyle: 'yn', entityListStyle: 'list' });
    const switched = await discoverCatalog(dir, tapConfig(sim.baseUrl));
    expect(JSON.stringify(switched)).to.equal(JSON.stringify(defaults));
  });
});
