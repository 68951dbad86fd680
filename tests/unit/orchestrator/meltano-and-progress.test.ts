import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { meltanoArgs, meltanoMetricOf, pluginEnv } from '../../../orchestrator/runners/meltano-runner.js';
import { ProgressLine } from '../../../orchestrator/progress-line.js';
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

  it('draws rows loaded/read, rate, elapsed and busiest streams in place, and clears itself', () => {
    let written = '';
    const out = Object.assign(new Writable({ write: (chunk, _e, cb) => ((written += String(chunk)), cb()) }), {
      columns: 200,
    });
    const progress = new ProgressLine(out, 'full ACME/DC01');
    progress.update('tap', 'order_hdr', 120);
    progress.update('target', 'order_hdr', 100);
    progress.update('target', 'allocation', 300);
    assert.match(
      progress.render(Date.now() + 10_000),
      /^full ACME\/DC01: 400 rows loaded \(120 read\), 40 rows\/s, 0:10 elapsed \[allocation 300, order_hdr 100\]$/,
    );
    progress.draw();
    progress.stop();
    assert.match(written, /^\r\x1b\[Kfull ACME\/DC01: 400 rows loaded/);
    assert.ok(written.endsWith('\r\x1b[K'));
  });
});
