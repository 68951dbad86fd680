import { expect } from 'chai';
import type { Catalog, TapState } from '../../../singer/index.js';
import { parseJsonExact, stringifyJson } from '../../../singer/index.js';
import { validateSingerOutput } from '../../helpers/singer-validator.js';
import { startSim, type Sim } from './sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, startTap, tapConfig } from './tap-harness.js';

const STREAM = 'allocation';
/** Before the simulator's oldest allocation (its rows are dated from 2024-07-01 to mid-2025). */
const START_DATE = '2024-07-01T00:00:00Z';

/** Starts the tap, SIGKILLs it once `states` STATE lines are out, and returns the complete lines written so far. */
async function killAfterStates(options: Parameters<typeof startTap>[0], states: number): Promise<string[]> {
  const running = startTap(options);
  let text = '';
  await new Promise<void>((resolve) => {
    running.subprocess.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if ((text.match(/"type":"STATE"/g) ?? []).length >= states) resolve();
    });
    void running.result.then(() => resolve());
  });
  const result = await running.stop('SIGKILL');
  expect(result.signal, 'killed mid-run, not finished').to.equal('SIGKILL');
  return text.split('\n').slice(0, -1);
}

/** The last version of every record, by id, as exact JSON text. */
function byId(records: readonly Record<string, unknown>[]): Map<string, string> {
  return new Map(records.map((record) => [String(record.id), stringifyJson(record)]));
}

describe('tap-oracle-wms incremental sub-windows (real tap processes, in-process simulator with latency and 5xx faults)', function () {
  this.timeout(180_000);
  let sim: Sim;
  let catalog: Catalog;
  let reference: Map<string, string>;
  let referenceBookmark: unknown;
  const dir = scratchDir();
  const config = (extra: Record<string, unknown> = {}) =>
    tapConfig(sim.baseUrl, {
      start_date: START_DATE,
      page_size: 100,
      // No overlap: a resumed window starts exactly at the bookmark, so a bookmark that passed an unread row loses it.
      incremental_overlap_minutes: 0,
      replication_lag_seconds: 0,
      ...extra,
    });

  before(async () => {
    sim = await startSim();
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), [STREAM]);
    // The reference: one window, no faults.
    const plain = await runTap({ dir, config: config(), catalog });
    expect(plain.exitCode, plain.stderr).to.equal(0);
    reference = byId(plain.report.records[STREAM] ?? []);
    referenceBookmark = plain.lastState?.bookmarks[STREAM]?.replication_key_value;
    expect(reference.size).to.equal(sim.admin.rowCounts()[STREAM]);
  });
  after(async () => {
    await sim?.close();
  });
  afterEach(() => {
    sim.admin.setFaults('');
    sim.admin.updateSettings({ latencyMsPerRow: 0 });
  });

  it('8 sub-windows, 4 requests in flight, 5xx retried: every row exactly once, as the single window reads it, and the same final bookmark', async () => {
    sim.admin.clearRequests();
    sim.admin.setFaults(`${STREAM}:503@0.1`);
    sim.admin.updateSettings({ latencyMsPerRow: 0.2 });
    const run = await runTap({
      dir,
      config: config({ incremental_subwindows: 8, max_concurrent_requests: 4 }),
      catalog,
    });
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.report.problems).to.deep.equal([]);
    const records = run.report.records[STREAM] ?? [];
    expect(records.length, 'no row twice').to.equal(reference.size);
    expect(byId(records)).to.deep.equal(reference);
    expect(run.lastState?.bookmarks[STREAM]?.replication_key_value).to.equal(referenceBookmark);
    const windows = new Set(
      sim.admin
        .requests()
        .filter((r) => r.path.endsWith(`/entity/${STREAM}/`))
        .map((r) => new URLSearchParams(r.query).get('mod_ts__gte')),
    );
    expect(windows.size, 'eight distinct sub-windows were asked for').to.equal(8);
    expect(
      sim.admin.requests().some((r) => r.faults.length > 0),
      'faults were injected',
    ).to.equal(true);
  });

  it('SIGKILL mid-run, then a rerun from the last STATE: no row is lost, and every row ends as the single window reads it', async () => {
    sim.admin.setFaults(`${STREAM}:503@0.1`);
    sim.admin.updateSettings({ latencyMsPerRow: 0.5 });
    const cfg = config({ incremental_subwindows: 8, max_concurrent_requests: 4 });
    const lines = await killAfterStates({ dir, config: cfg, catalog }, 8);
    const first = validateSingerOutput(lines);
    expect(first.problems).to.deep.equal([]);
    const state = first.states.at(-1) as TapState;
    const bookmark = String(state.bookmarks[STREAM].replication_key_value);
    const firstRecords = first.records[STREAM] ?? [];
    expect(firstRecords.length, 'killed before the end').to.be.lessThan(reference.size);

    const second = await runTap({ dir, config: cfg, catalog, state: parseJsonExact(JSON.stringify(state)) });
    expect(second.exitCode, second.stderr).to.equal(0);
    expect(second.report.problems).to.deep.equal([]);
    // The rerun's window starts at the bookmark (no overlap): what the killed run read past it is read again.
    const merged = byId([...firstRecords, ...(second.report.records[STREAM] ?? [])]);
    expect(
      [...reference.keys()].filter((id) => !merged.has(id)),
      'rows lost',
    ).to.deep.equal([]);
    expect(merged).to.deep.equal(reference);
    expect(second.lastState?.bookmarks[STREAM]?.replication_key_value).to.equal(referenceBookmark);
    expect(String(referenceBookmark) >= bookmark).to.equal(true);
  });
});
