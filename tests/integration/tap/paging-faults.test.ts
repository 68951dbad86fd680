import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../../../singer/index.js';
import { openBackend, runTarget, type TargetBackend } from '../../helpers/target-backend.js';
import { startSim, type Sim } from './sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig } from './tap-harness.js';

/**
 * Paging faults production connectors report from real tenants (a short page in mid-listing, a page_count that drops
 * mid-run so a listing ends early, real page latencies scaled down), through the real tap and target into
 * PostgreSQL: every id arrives exactly once.
 */
describe('tap → target through real tenants’ paging faults (simulator, real processes, PostgreSQL)', function () {
  this.timeout(300_000);
  const dir = scratchDir();
  let sim: Sim;
  let db: TargetBackend;
  let catalog: Catalog;
  let allIds: string[];

  before(async function () {
    db = await openBackend(this, 'postgres', 'pagingfaults');
    sim = await startSim();
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['allocation']);
    // The ids a fault-free run sends (generated ids are sparse).
    const baseline = await runTap({ dir, config: tapConfig(sim.baseUrl, { enable_incremental: false }), catalog });
    assert.equal(baseline.exitCode, 0, baseline.stderr);
    allIds = (baseline.report.records.allocation ?? []).map((record) => String(record.id));
    assert.equal(allIds.length, sim.admin.rowCounts().allocation);
  });
  after(async () => {
    await sim?.close();
    await db?.close();
  });

  // Probabilities are drawn from the simulator's seeded generator: the same requests fail on every run.
  const cases: [string, 'paged' | 'sequenced', string][] = [
    [
      'paged: short pages, page_count drops, real latencies ×0.0005',
      'paged',
      'allocation:short(37)@0.25,allocation:shrink@0.15,allocation:wms-latency(0.0005)',
    ],
    [
      'paged: a phantom last page (a stale page_count one too high links to a page that answers 500)',
      'paged',
      // One range of 5,000 rows in full pages of 200: the last page is full, so only its link can say it is not the last.
      'allocation:overcount,allocation:phantom',
    ],
    [
      'sequenced: short pages, real latencies ×0.0005',
      'sequenced',
      'allocation:short(37)@0.25,allocation:wms-latency(0.0005)',
    ],
  ];
  for (const [title, mode, faults] of cases) {
    it(title, async () => {
      sim.admin.reset();
      sim.admin.setFaults(faults);
      const config = tapConfig(sim.baseUrl, {
        enable_incremental: false,
        page_mode: mode,
        page_size: 200,
        full_sync_partitions: faults.includes('overcount') ? 1 : 3,
        max_retries: 2,
      });
      const tap = await runTap({ dir, config, catalog });
      assert.equal(tap.exitCode, 0, tap.stderr);
      const fired = sim.admin.requests().flatMap((entry) => entry.faults);
      for (const kind of faults.split(',').map((rule) => rule.replace(/[(@].*$/, '')))
        assert.ok(
          fired.some((rule) => rule.startsWith(kind)),
          `${kind} fired`,
        );

      // Nothing lost, nothing sent twice, in what the tap wrote ...
      const sent = (tap.report.records.allocation ?? []).map((record) => String(record.id));
      assert.equal(sent.length, allIds.length);
      assert.deepEqual([...sent].sort(), [...allIds].sort());
      // ... and in what PostgreSQL holds.
      const output = path.join(dir, `paging-${mode}.singer`);
      writeFileSync(output, tap.stdout);
      const target = await runTarget(db.config, { file: output });
      assert.equal(target.exitCode, 0, target.stderr);
      const loaded = await db.rows('allocation', 'id');
      assert.deepEqual(loaded.map((row) => row.id).sort(), [...allIds].sort());
    });
  }
});
