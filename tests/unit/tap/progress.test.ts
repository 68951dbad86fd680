import { eta, Progress, summarizeRead } from '../../../tap-oracle-wms/progress.js';
import { expect, testLogger } from './helpers.js';

/** A clock the test moves by hand: no wall-clock time in these tests. */
function manualClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const metricLines = (text: string): { metric: string; value: number }[] =>
  text
    .split('\n')
    .filter((line) => line.includes('METRIC: '))
    .map((line) => JSON.parse(line.slice(line.indexOf('METRIC: ') + 8)) as { metric: string; value: number });

describe('tap progress (issue 19 item 4: the live feed and the counts it reports)', () => {
  it('sends record_count at most 2 s after rows arrive (the progress line is never more than 2 s behind)', () => {
    const { logger, metrics, stderr } = testLogger();
    const clock = manualClock();
    const progress = new Progress('allocation', logger, metrics, clock.now);
    progress.add(100);
    clock.advance(1_999);
    progress.add(50);
    expect(metricLines(stderr.text), 'within 2 s of the start').to.deep.equal([]);
    clock.advance(1);
    progress.add(25);
    expect(metricLines(stderr.text).map(({ metric, value }) => [metric, value])).to.deep.equal([['record_count', 175]]);
    clock.advance(2_000);
    progress.add(5);
    progress.finish();
    expect(metricLines(stderr.text).map((m) => m.value)).to.deep.equal([175, 5, 0]);
    expect(stderr.text).to.match(/INFO allocation: 180 rows read in 4\.0 s \(45 rows\/s\), done/);
  });

  it('with the total the WMS counted: rows of total, percentage and ETA every 15 s; the total goes out as a metric', () => {
    const { logger, metrics, stderr } = testLogger();
    const clock = manualClock();
    const progress = new Progress('order_dtl', logger, metrics, clock.now);
    progress.expect(1_000);
    clock.advance(15_000);
    progress.add(250);
    expect(stderr.text).to.include('INFO order_dtl: 250 of 1000 rows read (25%, ETA 45 s) in 15.0 s (17 rows/s)');
    expect(metricLines(stderr.text)[0]).to.deep.include({ metric: 'record_count_expected', value: 1000 });
    clock.advance(45_000);
    progress.add(750);
    progress.finish();
    expect(stderr.text).to.include('INFO order_dtl: 1000 of 1000 rows read (100%) in 60.0 s (17 rows/s), done');
  });

  it('an empty stream names the window it read; the summary of a run that read nothing names every window', () => {
    const { logger, metrics, stderr } = testLogger();
    const clock = manualClock();
    const a = new Progress('order_hdr', logger, metrics, clock.now);
    const b = new Progress('allocation', logger, metrics, clock.now);
    a.window = 'mod_ts 2025-01-01T00:00:00+00:00 to 2025-01-02T00:00:00+00:00';
    b.window = 'the whole table';
    a.finish();
    expect(stderr.text).to.include(
      'INFO order_hdr: 0 rows read from mod_ts 2025-01-01T00:00:00+00:00 to 2025-01-02T00:00:00+00:00 in 0.0 s',
    );
    expect(summarizeRead([a, b])).to.equal(
      'Read 0 rows from 2 streams: nothing in the windows read (allocation: the whole table; order_hdr: mod_ts 2025-01-01T00:00:00+00:00 to 2025-01-02T00:00:00+00:00)',
    );
    b.add(3);
    expect(summarizeRead([a, b])).to.equal('Read 3 rows from 2 streams (allocation 3, order_hdr 0)');
  });

  it('a stream cut short reports the rows it read since the last record_count (flush), once', () => {
    const { logger, metrics, stderr } = testLogger();
    const progress = new Progress('allocation', logger, metrics, manualClock().now);
    progress.add(42);
    progress.flush();
    progress.flush();
    expect(metricLines(stderr.text).map((m) => m.value)).to.deep.equal([42]);
  });

  it('ETA: seconds, minutes, hours; unknown before any row', () => {
    expect(eta(100, 0)).to.equal('unknown');
    expect(eta(0, 5)).to.equal('0 s');
    expect(eta(90, 2)).to.equal('45 s');
    expect(eta(725, 1)).to.equal('12m05s');
    expect(eta(7_380, 1)).to.equal('2h03m');
  });
});
