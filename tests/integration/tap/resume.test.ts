import { expect } from 'chai';
import type { Catalog, TapState } from '../../../singer/index.js';
import { parseJsonExact } from '../../../singer/index.js';
import { validateSingerOutput } from '../../helpers/singer-validator.js';
import { startSim, type Sim } from './sim.js';
import {
  discoverCatalog,
  idsOf,
  runTap,
  scratchDir,
  selectStreams,
  sortedUnique,
  startTap,
  tapConfig,
} from './tap-harness.js';

/** Starts the tap, SIGKILLs it once `states` STATE lines are out, and returns the complete lines written so far. */
async function killAfterStates(options: Parameters<typeof startTap>[0], states: number): Promise<string[]> {
  const running = startTap(options);
  let text = '';
  let seen = 0;
  await new Promise<void>((resolve) => {
    running.subprocess.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      seen = (text.match(/"type":"STATE"/g) ?? []).length;
      if (seen >= states) resolve();
    });
    void running.result.then(() => resolve());
  });
  const result = await running.stop('SIGKILL');
  expect(result.signal, 'killed mid-stream, not finished').to.equal('SIGKILL');
  // A line cut by the kill is not output anyone would read (a target reads whole lines only).
  return text.split('\n').slice(0, -1);
}

describe('tap-oracle-wms resume after a kill mid-stream (real tap process SIGKILLed, in-process simulator with latency)', function () {
  this.timeout(180_000);
  let sim: Sim;
  let catalog: Catalog;
  const dir = scratchDir();
  before(async () => {
    sim = await startSim();
    catalog = await discoverCatalog(dir, tapConfig(sim.baseUrl));
  });
  after(async () => {
    await sim?.close();
  });
  beforeEach(() => sim.admin.reset());

  it('incremental: no id is missing; ids sent twice are only from the page in flight or the overlap window', async () => {
    const cat = selectStreams(catalog, ['order_dtl']);
    const overlapMinutes = 60;
    const config = tapConfig(sim.baseUrl, {
      start_date: '2024-01-01T00:00:00Z',
      page_size: 100,
      incremental_overlap_minutes: overlapMinutes,
      replication_lag_seconds: 0,
    });
    sim.admin.updateSettings({ latencyMsPerRow: 0.5 });
    const lines = await killAfterStates({ dir, config, catalog: cat }, 6);
    const first = validateSingerOutput(lines);
    expect(first.problems).to.deep.equal([]);
    const state = first.states.at(-1) as TapState;
    const bookmark = String(state.bookmarks.order_dtl.replication_key_value);
    sim.admin.updateSettings({ latencyMsPerRow: 0 });
    const second = await runTap({ dir, config, catalog: cat, state: parseJsonExact(JSON.stringify(state)) });
    expect(second.exitCode, second.stderr).to.equal(0);
    expect(second.report.problems).to.deep.equal([]);

    const firstIds = (first.records.order_dtl ?? []).map((r) => String(r.id));
    const all = sortedUnique([...firstIds, ...idsOf(second, 'order_dtl')]);
    expect(all.length, 'every row arrives').to.equal(sim.admin.rowCounts().order_dtl);
    expect(firstIds.length).to.be.lessThan(all.length);
    // Duplicates allowed: rows of the page in flight (written after the last STATE) and rows inside the overlap.
    const lastState = first.messages.map((m) => m.type).lastIndexOf('STATE');
    const unstated = new Set(
      first.messages.slice(lastState + 1).flatMap((m) => (m.type === 'RECORD' ? [String(m.record.id)] : [])),
    );
    expect(unstated.size, 'records written after the last STATE: at most one page').to.be.at.most(100);
    const overlapStart = Date.parse(bookmark) - overlapMinutes * 60_000 - 1000;
    const sentBefore = new Set(firstIds);
    let duplicates = 0;
    for (const record of second.report.records.order_dtl) {
      const id = String(record.id);
      if (!sentBefore.has(id)) continue;
      duplicates += 1;
      const inOverlap = Date.parse(String(record.mod_ts)) >= overlapStart;
      expect(
        inOverlap || unstated.has(id),
        `duplicate ${id} is neither in the overlap nor in the page in flight`,
      ).to.equal(true);
    }
    expect(duplicates).to.be.lessThan(firstIds.length);
  });

  it('partitioned full sync: resumed from the range bookmarks, no id missing, at most one page per range re-sent', async () => {
    const cat = selectStreams(catalog, ['allocation']);
    const pageSize = 100;
    const config = tapConfig(sim.baseUrl, {
      enable_incremental: false,
      page_size: pageSize,
      full_sync_partitions: 4,
      max_concurrent_requests: 4,
    });
    sim.admin.updateSettings({ latencyMsPerRow: 0.3 });
    const lines = await killAfterStates({ dir, config, catalog: cat }, 12);
    const first = validateSingerOutput(lines);
    expect(first.problems).to.deep.equal([]);
    const state = first.states.at(-1) as TapState;
    expect(state.bookmarks.allocation.partitions).to.have.length(4);
    sim.admin.updateSettings({ latencyMsPerRow: 0 });
    const second = await runTap({ dir, config, catalog: cat, state });
    expect(second.exitCode, second.stderr).to.equal(0);
    expect(second.stderr).to.match(/allocation: resuming a full sync \(\d of 4 id ranges left\)/);
    const firstIds = (first.records.allocation ?? []).map((r) => String(r.id));
    const secondIds = idsOf(second, 'allocation');
    const all = sortedUnique([...firstIds, ...secondIds]);
    expect(all.length, 'every row arrives').to.equal(sim.admin.rowCounts().allocation);
    const again = secondIds.filter((id) => firstIds.includes(id));
    expect(again.length, 're-sent rows').to.be.at.most(4 * pageSize);
    // The resumed run asks each open range for ids after its bookmark.
    const resumed = sim.admin
      .requests()
      .map((r) => new URLSearchParams(r.query))
      .filter((q) => q.has('id__gt'));
    expect(resumed.length).to.be.greaterThan(0);
    // No ranges left: only the instant the (first run's) snapshot began.
    expect(Object.keys(second.lastState?.bookmarks.allocation ?? {}).sort()).to.deep.equal([
      'replication_key',
      'replication_key_value',
    ]);
    expect(second.lastState?.bookmarks.allocation.replication_key_value).to.equal(
      (state.bookmarks.allocation.handoff as { replication_key_value?: string } | undefined)?.replication_key_value,
    );
  });

  it('SIGTERM stops after the current page with exit 130 and a resumable last STATE', async () => {
    const cat = selectStreams(catalog, ['allocation']);
    const config = tapConfig(sim.baseUrl, { enable_incremental: false, page_size: 100, full_sync_partitions: 1 });
    sim.admin.updateSettings({ latencyMsPerRow: 0.3 });
    const running = startTap({ dir, config, catalog: cat });
    await running.waitForLine('stdout', /"type":"STATE".*"replication_key_value"/);
    const result = await running.stop('SIGTERM');
    expect(result.exitCode).to.equal(130);
    const report = validateSingerOutput(result.stdoutLines);
    expect(report.problems).to.deep.equal([]);
    const last = report.states.at(-1) as TapState;
    const bookmark = Number(last.bookmarks.allocation.partitions![0].replication_key_value);
    const ids = (report.records.allocation ?? []).map((r) => Number(r.id));
    expect(Math.max(...ids)).to.equal(bookmark);
  });
});
