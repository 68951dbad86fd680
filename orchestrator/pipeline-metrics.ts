import { readJsonFile, writeFileAtomic, writeJsonAtomic } from './json-file.js';
import { MetricsRegistry } from './prometheus.js';
import { runStatus, type RunResult } from './run-result.js';

/** The Prometheus metrics of wms-pipeline (names documented in docs/wms-pipeline.md). */
export function createPipelineRegistry(): MetricsRegistry {
  const registry = new MetricsRegistry();
  registry.define(
    'wms_pipeline_runs_total',
    'counter',
    'Pipeline runs finished, by job, mode and status (success|failure|interrupted)',
  );
  registry.define('wms_pipeline_run_failures_total', 'counter', 'Pipeline runs that failed, by job and exit code');
  registry.define('wms_pipeline_rows_total', 'counter', 'Rows loaded, by job and stream');
  registry.define('wms_pipeline_run_duration_seconds_sum', 'counter', 'Total seconds spent in runs, by job');
  registry.define('wms_pipeline_run_duration_seconds_count', 'counter', 'Number of runs timed, by job');
  registry.define('wms_pipeline_last_run_duration_seconds', 'gauge', 'Duration of the last run, by job');
  registry.define('wms_pipeline_last_run_success', 'gauge', '1 if the last run of the job succeeded, else 0');
  registry.define('wms_pipeline_last_run_timestamp_seconds', 'gauge', 'Unix time the last run of the job finished');
  registry.define(
    'wms_pipeline_last_success_timestamp_seconds',
    'gauge',
    'Unix time of the last successful run, by job',
  );
  registry.define(
    'wms_pipeline_stream_last_success_timestamp_seconds',
    'gauge',
    'Unix time of the last successful run that loaded the stream, by job and stream',
  );
  registry.define(
    'wms_pipeline_stream_last_run_rows',
    'gauge',
    'Rows of the stream in the last successful run, by job and stream',
  );
  registry.define(
    'wms_pipeline_stream_last_run_duration_seconds',
    'gauge',
    'Seconds the stream took in the last successful run, by job and stream',
  );
  registry.define(
    'wms_pipeline_last_run_peak_memory_bytes',
    'gauge',
    'Peak resident memory of the pipeline processes in the last run, by job',
  );
  registry.define(
    'wms_pipeline_consistency_mismatches',
    'gauge',
    'Streams whose source and target disagreed in the last consistency check, by job',
  );
  registry.define('wms_pipeline_running', 'gauge', '1 while a run of the job is in progress');
  registry.define(
    'wms_pipeline_missed_ticks_total',
    'counter',
    'Schedule ticks skipped because the previous run of the job was still going',
  );
  registry.define('wms_pipeline_alerts_total', 'counter', 'Alerts by status (sent|partial|failed|suppressed)');
  return registry;
}

export function recordRun(registry: MetricsRegistry, result: RunResult): void {
  const { job, mode } = result.data;
  const finished = Date.parse(result.data.finishedAt) / 1000;
  const status = { succeeded: 'success', failed: 'failure', interrupted: 'interrupted' }[runStatus(result)];
  registry.inc('wms_pipeline_runs_total', { job, mode, status });
  registry.inc('wms_pipeline_run_duration_seconds_sum', { job }, result.data.durationSeconds);
  registry.inc('wms_pipeline_run_duration_seconds_count', { job });
  registry.set('wms_pipeline_last_run_duration_seconds', { job }, result.data.durationSeconds);
  registry.set('wms_pipeline_last_run_success', { job }, result.success ? 1 : 0);
  registry.set('wms_pipeline_last_run_timestamp_seconds', { job }, finished);
  for (const [stream, stats] of Object.entries(result.data.recordsByStream)) {
    registry.inc('wms_pipeline_rows_total', { job, stream }, stats.rows);
  }
  if (result.data.resources)
    registry.set(
      'wms_pipeline_last_run_peak_memory_bytes',
      { job },
      Math.round(result.data.resources.peakMemoryMb * 1024 * 1024),
    );
  if (result.data.consistency) {
    registry.set(
      'wms_pipeline_consistency_mismatches',
      { job },
      result.data.consistency.streams.filter((s) => !s.ok).length,
    );
  }
  for (const alert of result.data.alerts) registry.inc('wms_pipeline_alerts_total', { status: alert.status });
  if (result.interrupted) return;
  if (!result.success) {
    registry.inc('wms_pipeline_run_failures_total', { job, exit_code: String(result.data.exitCode) });
    return;
  }
  registry.set('wms_pipeline_last_success_timestamp_seconds', { job }, finished);
  for (const [stream, stats] of Object.entries(result.data.recordsByStream)) {
    registry.set('wms_pipeline_stream_last_success_timestamp_seconds', { job, stream }, finished);
    registry.set('wms_pipeline_stream_last_run_rows', { job, stream }, stats.rows);
    registry.set('wms_pipeline_stream_last_run_duration_seconds', { job, stream }, stats.durationSeconds);
  }
}

/**
 * Metrics that survive the process: loaded from `<state_dir>/metrics.json` and saved after each run, so counters
 * keep counting across one-shot CLI runs; optionally also rendered to `metrics_file` for node_exporter.
 */
export class PersistedMetrics {
  readonly registry = createPipelineRegistry();

  constructor(
    private readonly snapshotFile: string,
    private readonly textFile?: string,
  ) {}

  async load(): Promise<void> {
    this.registry.load(await readJsonFile(this.snapshotFile));
  }

  async save(): Promise<void> {
    await writeJsonAtomic(this.snapshotFile, this.registry);
    // node_exporter reads *.prom files; a rename keeps it from reading half a file. It must be world-readable.
    if (this.textFile) await writeFileAtomic(this.textFile, this.registry.render(), 0o644);
  }
}
