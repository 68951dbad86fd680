import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { runBin } from '../../helpers/run-bin.js';
import { tempDir } from '../../helpers/temp-dirs.js';
import { startSim, type Sim } from './sim.js';
import { runTap, scratchDir, tapConfig, writeJson } from './tap-harness.js';

const ENTITIES = ['allocation', 'order_hdr'];

describe('tap-oracle-wms catalog cache: discovery once, not every run (real tap process against the in-process wms-simulator)', function () {
  this.timeout(120_000);
  let sim: Sim;
  const dir = scratchDir();
  const cacheDir = tempDir('tap-catalog-cache-');
  const describes = (): number => sim.admin.requests().filter((r) => r.path.includes('/describe/')).length;
  const discoverWith = async (extra: Record<string, unknown>): Promise<string> => {
    const config = writeJson(dir, 'config.json', tapConfig(sim.baseUrl, { entities: ENTITIES, ...extra }));
    const result = await runBin('tap-oracle-wms', ['--config', config, '--discover']);
    expect(result.exitCode, result.stderr).to.equal(0);
    return result.stdout;
  };

  before(async () => {
    sim = await startSim({ rows: { allocation: 30, order_hdr: 10 } });
  });
  after(async () => {
    await sim?.close();
  });

  it('the first --discover describes every entity and saves the catalog; the next one answers from the cache with no describe', async () => {
    sim.admin.clearRequests();
    const first = await discoverWith({ catalog_cache_dir: cacheDir });
    expect(describes()).to.equal(ENTITIES.length);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.json'))).to.have.length(1);

    sim.admin.clearRequests();
    const second = await discoverWith({ catalog_cache_dir: cacheDir });
    expect(sim.admin.requests(), 'no request at all').to.deep.equal([]);
    expect(second).to.equal(first);
  });

  it('a sync without --catalog uses the cached catalog too', async () => {
    sim.admin.clearRequests();
    const run = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, {
        entities: ENTITIES,
        catalog_cache_dir: cacheDir,
        start_date: '2000-01-01T00:00:00Z',
      }),
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(describes()).to.equal(0);
    expect(run.report.counts.allocation).to.equal(30);
  });

  it('catalog_cache_max_age_hours 0 rediscovers and rewrites the cache; other settings that change discovery get their own file', async () => {
    sim.admin.clearRequests();
    await discoverWith({ catalog_cache_dir: cacheDir, catalog_cache_max_age_hours: 0 });
    expect(describes()).to.equal(ENTITIES.length);
    sim.admin.clearRequests();
    await discoverWith({ catalog_cache_dir: cacheDir });
    expect(describes(), 'the rewritten cache is used').to.equal(0);

    await discoverWith({ catalog_cache_dir: cacheDir, flatten_relations: false });
    expect(describes()).to.equal(ENTITIES.length);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.json'))).to.have.length(2);
  });

  it('an unreadable cache file is discovered over, with a warning; without catalog_cache_dir every run describes', async () => {
    for (const file of readdirSync(cacheDir)) writeFileSync(path.join(cacheDir, file), '{not json');
    sim.admin.clearRequests();
    const config = writeJson(
      dir,
      'config.json',
      tapConfig(sim.baseUrl, { entities: ENTITIES, catalog_cache_dir: cacheDir }),
    );
    const result = await runBin('tap-oracle-wms', ['--config', config, '--discover']);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stderr).to.match(/Ignoring the unreadable catalog cache/);
    expect(describes()).to.equal(ENTITIES.length);

    sim.admin.clearRequests();
    await discoverWith({});
    await discoverWith({});
    expect(describes()).to.equal(2 * ENTITIES.length);
  });
});
