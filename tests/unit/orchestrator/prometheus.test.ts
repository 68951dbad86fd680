import assert from 'node:assert/strict';
import { MetricsRegistry } from '../../../orchestrator/prometheus.js';
import { createPipelineRegistry, recordRun } from '../../../orchestrator/pipeline-metrics.js';
import type { RunResult } from '../../../orchestrator/run-result.js';
import { parsePrometheusText } from '../../integration/orchestrator/prometheus-text.js';

function run(job: string, success: boolean, rows: Record<string, number>): RunResult {
  return {
    success,
    error: success ? undefined : 'boom',
    data: {
      runId: 'r',
      job,
      mode: 'incremental',
      runner: 'direct',
      companyCode: 'A',
      facilityCode: 'F',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:10.000Z',
      recordsProcessed: Object.values(rows).reduce((a, b) => a + b, 0),
      recordsRead: Object.values(rows).reduce((a, b) => a + b, 0),
      recordsByStream: Object.fromEntries(
        Object.entries(rows).map(([s, n]) => [s, { rows: n, rowsRead: n, durationSeconds: 5, rowsPerSecond: n / 5 }]),
      ),
      errorsCount: success ? 0 : 1,
      durationSeconds: 10,
      attempts: [],
      metrics: {},
      alerts: [],
      exitCode: success ? 0 : 4,
    },
  };
}

describe('orchestrator Prometheus metrics (in-process rendering, checked by a strict text-format parser)', () => {
  it('escapes label values and help text so the exposition parses strictly', () => {
    const registry = new MetricsRegistry();
    registry.define('x_total', 'counter', 'help with \\ backslash\nand newline');
    registry.inc('x_total', { job: 'a "quoted"\\job\nname' }, 2);
    const parsed = parsePrometheusText(registry.render());
    assert.equal(parsed.value('x_total', { job: 'a "quoted"\\job\nname' }), 2);
  });

  it('records runs: counters by status, rows per stream, last success only for successes', () => {
    const registry = createPipelineRegistry();
    recordRun(registry, run('j', true, { a: 5, b: 7 }));
    recordRun(registry, run('j', false, { a: 1 }));
    const parsed = parsePrometheusText(registry.render());
    assert.equal(parsed.value('wms_pipeline_runs_total', { job: 'j', mode: 'incremental', status: 'success' }), 1);
    assert.equal(parsed.value('wms_pipeline_runs_total', { job: 'j', mode: 'incremental', status: 'failure' }), 1);
    assert.equal(parsed.value('wms_pipeline_run_failures_total', { job: 'j', exit_code: '4' }), 1);
    assert.equal(
      parsed.value('wms_pipeline_rows_total', { job: 'j', stream: 'a' }),
      6,
      'rows committed before a failure count',
    );
    assert.equal(
      parsed.value('wms_pipeline_last_success_timestamp_seconds', { job: 'j' }),
      Date.parse('2026-01-01T00:00:10Z') / 1000,
    );
    assert.equal(parsed.value('wms_pipeline_last_run_success', { job: 'j' }), 0);
    assert.equal(parsed.value('wms_pipeline_stream_last_run_rows', { job: 'j', stream: 'b' }), 7);
    assert.equal(parsed.value('wms_pipeline_run_duration_seconds_sum', { job: 'j' }), 20);
  });

  it('survives a JSON round trip (counters keep counting across CLI runs)', () => {
    const first = createPipelineRegistry();
    recordRun(first, run('j', true, { a: 5 }));
    const second = createPipelineRegistry();
    second.load(JSON.parse(JSON.stringify(first)));
    recordRun(second, run('j', true, { a: 5 }));
    assert.equal(parsePrometheusText(second.render()).value('wms_pipeline_rows_total', { job: 'j', stream: 'a' }), 10);
  });

  it('the strict parser rejects what Prometheus would reject', () => {
    assert.throws(() => parsePrometheusText('x 1\n'), /before its TYPE/);
    assert.throws(() => parsePrometheusText('# HELP x h\n# TYPE x counter\nx{a="b} 1\n'), /unterminated/);
    assert.throws(() => parsePrometheusText('# HELP x h\n# TYPE x counter\nx 1\nx 2\n'), /duplicate/);
    assert.throws(() => parsePrometheusText('# HELP x h\n# TYPE x counter\nx abc\n'), /bad value/);
  });
});
