import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { startSim, type Sim } from './sim.js';
import { runTap, scratchDir, tapConfig } from './tap-harness.js';

const ROWS = { allocation: 300, order_hdr: 120 };
const NOTICE =
  /^WARNING (\w+): no bookmark and no start_date: this first run reads only the last 1440 minutes \(mod_ts (\S+) to (\S+)\) of the (\d+) rows the WMS holds for this stream\. To load history instead, set start_date .* or initial_sync to full .*initial_lookback_minutes/;

/**
 * Issue 19 item 3: a first incremental run with no state and no start_date reads only the lookback window. On the
 * simulator's tenant (every mod_ts older than a day) that is zero rows: the tap says so before reading, once per
 * stream, with the table's size, and its last line names the windows it read.
 */
describe('tap-oracle-wms first run without state or start_date (real tap processes, simulator)', function () {
  this.timeout(120_000);
  let sim: Sim;
  const dir = scratchDir();
  const config = (extra: Record<string, unknown> = {}) =>
    tapConfig(sim.baseUrl, { entities: ['allocation', 'order_hdr'], ...extra });

  before(async () => {
    sim = await startSim({ rows: ROWS });
  });
  after(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says, once per stream, which window it reads, the table size and the settings that load history; the summary of an empty run names the windows', async () => {
    const first = await runTap({ dir, config: config() });
    expect(first.exitCode, first.stderr).to.equal(0);
    expect(first.report.problems).to.deep.equal([]);
    expect(first.report.messages.filter((m) => m.type === 'RECORD')).to.deep.equal([]);
    const lines = first.stderr.split('\n');
    const notices = lines.map((line) => NOTICE.exec(line)).filter((m): m is RegExpExecArray => m !== null);
    expect(notices.map((m) => m[1]).sort(), first.stderr).to.deep.equal(['allocation', 'order_hdr']);
    for (const [, stream, , , size] of notices)
      expect(Number(size), stream).to.equal(ROWS[stream as keyof typeof ROWS]);
    const windows = Object.fromEntries(notices.map(([, stream, from, to]) => [stream, `mod_ts ${from} to ${to}`]));
    const last = lines.filter((line) => line.startsWith('INFO ') && !line.includes('METRIC')).at(-1);
    expect(last).to.equal(
      `INFO Read 0 rows from 2 streams: nothing in the windows read (${['allocation', 'order_hdr']
        .map((s) => `${s}: ${windows[s]}`)
        .join('; ')})`,
    );

    // With the bookmarks it left, the next run starts from them: no notice.
    const next = await runTap({ dir, config: config(), state: first.lastState });
    expect(next.exitCode, next.stderr).to.equal(0);
    expect(next.stderr).to.not.match(/no bookmark and no start_date/);

    // With start_date, history loads and nothing is announced; the summary counts the rows read.
    const history = await runTap({ dir, config: config({ start_date: '2000-01-01T00:00:00Z' }) });
    expect(history.exitCode, history.stderr).to.equal(0);
    expect(history.stderr).to.not.match(/no bookmark and no start_date/);
    expect(history.report.counts).to.deep.equal(ROWS);
    expect(history.stderr).to.match(/^INFO Read 420 rows from 2 streams \(allocation 300, order_hdr 120\)$/m);
  });
});
