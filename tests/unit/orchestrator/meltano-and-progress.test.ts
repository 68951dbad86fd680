import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { meltanoArgs, meltanoMetricOf, pluginEnv } from '../../../orchestrator/runners/meltano-runner.js';
import { ProgressLine, type ProgressClock } from '../../../orchestrator/progress-line.js';
import { resolvePipelineSettings } from '../../../orchestrator/settings.js';

describe('orchestrator meltano runner helpers and progress line (pure / in-memory stream)', () => {
  it('reads METRIC points out of the lines Meltano relays and tells tap from target', () => {
    const tap = meltanoMetricOf(
      '2026-11-24T15:48:08Z [info     ] tap-oracle-wms METRIC: {"type":"counter","metric":"record_count","value":5,"tags":{"stream":"a"}} metric_name=record_count metric_value=5',
    );
    assert.deepEqual(tap, {
      source: 'tap',
      point: { type: 'counter', metric: 'record_count', value: 5, tags: { stream: 'a' } },
    });
    const target = meltanoMetricOf(
      '… [info ] INFO METRIC: {"type":"counter","metric":"pool","value":0,"tags":{}} cmd_type=elb consumer=True name=target-oracle producer=False',
    );
    assert.equal(target?.source, 'target');
    assert.equal(meltanoMetricOf('… [info ] some log line'), undefined);
  });

  it('builds meltano run arguments and plugin env variables', () => {
    const settings = resolvePipelineSettings({ meltano_environment: 'prod' });
    assert.deepEqual(
      meltanoArgs({ settings, tapConfig: {}, targetConfig: {}, companyCode: 'ACME', facilityCode: '*', full: true }),
      [
        '--environment',
        'prod',
        'run',
        '--state-id-suffix',
        'ACME-_',
        '--full-refresh',
        'tap-oracle-wms',
        'target-oracle',
      ],
    );
    assert.deepEqual(
      pluginEnv('tap-oracle-wms', {
        company_code: 'ACME',
        entities: ['a'],
        enable_incremental: false,
        skip: undefined,
      }),
      {
        TAP_ORACLE_WMS_COMPANY_CODE: 'ACME',
        TAP_ORACLE_WMS_ENTITIES: '["a"]',
        TAP_ORACLE_WMS_ENABLE_INCREMENTAL: 'false',
      },
    );
  });

  /** A clock the test moves by hand, with the timers it was asked for (no wall-clock time). */
  function manualClock(): ProgressClock & { advance(ms: number): void; timers: { ms: number; tick: () => void }[] } {
    let t = 1_000_000;
    const timers: { ms: number; tick: () => void; due: number; stopped: boolean }[] = [];
    return {
      timers,
      now: () => t,
      every(ms, tick) {
        const timer = { ms, tick, due: t + ms, stopped: false };
        timers.push(timer);
        return { stop: () => (timer.stopped = true) };
      },
      advance(ms) {
        const end = t + ms;
        for (;;) {
          const next = timers.filter((x) => !x.stopped && x.due <= end).sort((a, b) => a.due - b.due)[0];
          if (!next) break;
          t = next.due;
          next.due += next.ms;
          next.tick();
        }
        t = end;
      },
    };
  }

  function terminal(): Writable & { columns: number; text(): string } {
    let written = '';
    return Object.assign(new Writable({ write: (chunk, _e, cb) => ((written += String(chunk)), cb()) }), {
      columns: 200,
      text: () => written,
    });
  }

  it('draws rows read and rows committed apart, rate, elapsed and busiest streams in place, and clears itself', () => {
    const out = terminal();
    const clock = manualClock();
    const progress = new ProgressLine(out, 'full ACME/DC01', clock);
    progress.update('tap', 'order_hdr', 120);
    progress.update('tap', 'allocation', 380);
    progress.update('target', 'order_hdr', 100);
    progress.update('target', 'allocation', 300);
    clock.advance(10_000);
    assert.equal(
      progress.render(),
      'full ACME/DC01: 500 rows read, 400 committed, 50 rows/s, 0:10 elapsed [allocation 380, order_hdr 120]',
    );
    progress.draw();
    progress.stop();
    assert.match(out.text(), /^\r\x1b\[Kfull ACME\/DC01: 500 rows read, 400 committed/);
    assert.doesNotMatch(out.text(), /loaded/);
    assert.ok(out.text().endsWith('\r\x1b[K'));
  });

  it('with the totals the WMS counted: rows of total, percentage and ETA; unknown total when a stream was not counted', () => {
    const clock = manualClock();
    const progress = new ProgressLine(terminal(), 'incremental ACME/DC01', clock);
    progress.expect('order_hdr', 1_000);
    progress.expect('allocation', 3_000);
    progress.update('tap', 'order_hdr', 600);
    progress.update('tap', 'allocation', 400);
    progress.update('target', 'order_hdr', 500);
    clock.advance(20_000);
    // 1,000 of 4,000 read in 20 s: 50 rows/s, 3,000 left: 60 s.
    assert.equal(
      progress.render(),
      'incremental ACME/DC01: 1,000 of 4,000 rows read (25%, ETA 1m00s), 500 committed, 50 rows/s, 0:20 elapsed [order_hdr 600, allocation 400]',
    );
    progress.update('tap', 'order_dtl', 10);
    assert.match(progress.render(), /: 1,010 rows read, 500 committed/);
  });

  it('redraws on its own timer at least every 2 s with the counts received meanwhile', () => {
    const out = terminal();
    const clock = manualClock();
    const progress = new ProgressLine(out, 'run nightly', clock);
    progress.start();
    assert.equal(clock.timers.length, 1);
    assert.ok(clock.timers[0].ms <= 2_000, `redraw interval ${clock.timers[0].ms} ms`);
    progress.update('tap', 'order_hdr', 7);
    clock.advance(2_000);
    assert.match(out.text(), /run nightly: 7 rows read, 0 committed, 4 rows\/s, 0:02 elapsed/);
    progress.update('target', 'order_hdr', 7);
    clock.advance(2_000);
    assert.match(out.text(), /run nightly: 7 rows read, 7 committed, 2 rows\/s, 0:04 elapsed/);
    progress.stop();
    const drawn = out.text();
    clock.advance(10_000);
    assert.equal(out.text(), drawn, 'no redraw after stop');
  });
});
