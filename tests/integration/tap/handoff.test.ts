import { expect } from 'chai';
import type { TapState } from '../../../singer/index.js';
import { validateSingerOutput } from '../../helpers/singer-validator.js';
import { startSim, type Sim } from './sim.js';
import { runTap, scratchDir, startTap, tapConfig } from './tap-harness.js';

const ROWS = 1200;
// No lag: the second run's window then reaches the changes made just before it started.
const LAG_SECONDS = 0;
const OVERLAP_MINUTES = 15;

/** Microsecond-precise WMS/RFC 3339 text as epoch milliseconds (Date.parse wants at most milliseconds). */
const ms = (text: string): number => Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));

describe('tap-oracle-wms full → incremental handoff: initial_sync full (real tap processes, in-process simulator with latency, rows changed during the full sync)', function () {
  this.timeout(180_000);
  let sim: Sim;
  const dir = scratchDir();
  const config = (extra: Record<string, unknown> = {}) =>
    tapConfig(sim.baseUrl, {
      entities: ['allocation'],
      initial_sync: 'full',
      page_size: 100,
      max_concurrent_requests: 2,
      replication_lag_seconds: LAG_SECONDS,
      ...extra,
    });

  before(async () => {
    sim = await startSim({ rows: { allocation: ROWS } });
  });
  after(async () => {
    await sim?.close();
  });

  it('the first run is a full sync; the next incremental window starts at its start signpost and brings every change made while it ran', async () => {
    sim.admin.updateSettings({ latencyMsPerRow: 1 });
    const started = Date.now();
    const running = startTap({ dir, config: config() });
    // Once the first id range has a bookmark, its first rows are out: change one of them, one row of the last range
    // (read or not yet), and add a row. None of this may be lost.
    await running.waitForLine('stdout', /"type":"STATE".*"partitions".*"replication_key":"id"/, 60_000);
    const firstStateSeen = Date.now();
    const rows = await listRows(sim);
    const low = rows[0].id;
    const high = rows[rows.length - 1].id;
    sim.admin.update('allocation', low, { alloc_qty: '11.250' });
    sim.admin.update('allocation', high, { alloc_qty: '22.500' });
    // A new allocation needs its required relations: borrowed from an existing row that has them.
    const template = rows.find((row) => row.from_inventory_id !== null)!;
    const inserted = sim.admin.insert('allocation', {
      order_dtl_id: template.order_dtl_id!.id,
      from_inventory_id: template.from_inventory_id!.id,
      alloc_qty: '33.750',
    });
    const result = await running.result;
    sim.admin.updateSettings({ latencyMsPerRow: 0 });
    expect(result.exitCode, result.stderr).to.equal(0);
    const report = validateSingerOutput(result.stdoutLines);
    expect(report.problems).to.deep.equal([]);
    expect(report.counts.allocation).to.be.at.least(ROWS);
    expect(
      sim.admin.requests().filter((r) => r.path.endsWith('/entity/allocation/') && r.query.includes('mod_ts__gte')),
      'no mod_ts window in the full sync',
    ).to.deep.equal([]);

    // The state hands over a plain incremental bookmark: the signpost of the full sync's start, no ranges left.
    const state = report.states.at(-1) as TapState;
    expect(Object.keys(state.bookmarks.allocation).sort()).to.deep.equal(['replication_key', 'replication_key_value']);
    expect(state.bookmarks.allocation.replication_key).to.equal('mod_ts');
    const signpost = ms(state.bookmarks.allocation.replication_key_value as string);
    // Fixed when the sync started: after this test started the process, before its first STATE was seen.
    expect(signpost).to.be.within(started - LAG_SECONDS * 1000 - 1000, firstStateSeen - LAG_SECONDS * 1000);
    sim.admin.clearRequests();
    const next = await runTap({ dir, config: config(), state });
    expect(next.exitCode, next.stderr).to.equal(0);
    const lower = sim.admin
      .requests()
      .filter((r) => r.path.endsWith('/entity/allocation/'))
      .map((r) => new URLSearchParams(r.query).get('mod_ts__gte'))
      .filter((v): v is string => v !== null);
    expect(lower.length).to.be.greaterThan(0);
    expect(new Set(lower.map(ms))).to.deep.equal(
      new Set([Math.floor(signpost / 1000) * 1000 - OVERLAP_MINUTES * 60_000]),
    );
    const byId = new Map((next.report.records.allocation ?? []).map((r) => [Number(r.id), String(r.alloc_qty)]));
    expect([byId.get(low), byId.get(high), byId.get(inserted)]).to.deep.equal(['11.25', '22.5', '33.75']);
  });
});

interface Row {
  id: number;
  order_dtl_id: { id: number } | null;
  from_inventory_id: { id: number } | null;
}

async function listRows(sim: Sim): Promise<Row[]> {
  const response = await fetch(
    `${sim.baseUrl}/wms/lgfapi/v10/entity/allocation/?page_size=1250&ordering=id&fields=id,order_dtl_id,from_inventory_id`,
    { headers: { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` } },
  );
  return ((await response.json()) as { results: Row[] }).results;
}
