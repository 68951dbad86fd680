import { ExitCode, exitClassOf } from '../../singer/index.js';
import type { RunData, RunResult } from '../run-result.js';
import type { PipelineSettings } from '../settings.js';
import type { AlertInput, Severity } from './alert.js';

/** The settings the alert policy reads. */
export type AlertThresholds = Pick<
  PipelineSettings,
  'alert_failure_threshold' | 'max_duration_seconds' | 'max_memory_mb'
>;

/** One alert a run calls for; a failure alert carries the key its consecutive failures are counted under. */
export interface RunAlert {
  alert: AlertInput;
  failureKey?: string;
}

/** The key consecutive failures of one job for one company/facility are counted under (alert history). */
export function failureKeyOf(data: Pick<RunData, 'job' | 'companyCode' | 'facilityCode'>): string {
  return `run:${data.job}:${data.companyCode}:${data.facilityCode}`;
}

/**
 * The alert policy, as a pure function of a finished run: which alerts it calls for, in the order they are sent.
 * `failuresBefore` is how many failed runs of the same key preceded a successful one (0 otherwise): a success after
 * at least `alert_failure_threshold` of them is a recovery. An interrupted run (wms-pipeline itself stopped) is not
 * a failure.
 */
export function alertsForRun(result: RunResult, thresholds: AlertThresholds, failuresBefore = 0): RunAlert[] {
  const { data } = result;
  const alerts: RunAlert[] = [];
  const identity = { job: data.job, mode: data.mode, company: data.companyCode, facility: data.facilityCode };
  const who = `${data.job} (${data.companyCode}/${data.facilityCode})`;

  if (!result.success && !result.interrupted) {
    const exitCode = data.exitCode as ExitCode;
    const kind =
      exitCode === ExitCode.Config
        ? 'configuration_error'
        : exitCode === ExitCode.Source
          ? 'source_failure'
          : exitCode === ExitCode.Database
            ? 'database_failure'
            : 'pipeline_failure';
    const severity: Severity = exitCode === ExitCode.Source || exitCode === ExitCode.Database ? 'critical' : 'high';
    alerts.push({
      alert: {
        title: `wms-pipeline ${data.mode} sync failed: ${who}`,
        message: `${result.error ?? 'the run failed'}\nExit code ${data.exitCode} (${exitClassOf(data.exitCode)}), ${data.attempts.length} attempt(s); before the failure ${data.recordsRead} rows were read and ${data.recordsProcessed} committed. Run ${data.runId}.`,
        severity,
        context: { ...identity, alert_type: kind },
      },
      failureKey: failureKeyOf(data),
    });
  } else if (result.success && failuresBefore >= thresholds.alert_failure_threshold) {
    alerts.push({
      alert: {
        title: `wms-pipeline recovered: ${who}`,
        message: `The ${data.mode} sync succeeded after ${failuresBefore} failed run(s): ${data.recordsProcessed} rows committed in ${data.durationSeconds} s. Run ${data.runId}.`,
        severity: 'info',
        context: { ...identity, alert_type: 'recovery' },
      },
    });
  }
  if (data.consistency && !data.consistency.ok) {
    const bad = data.consistency.streams.filter((s) => !s.ok);
    alerts.push({
      alert: {
        title: `wms-pipeline consistency mismatch: ${who}`,
        message: bad
          .map(
            (s) =>
              `${s.stream}: ${s.error ?? `source ${s.sourceCount} rows, target ${s.targetCount}; ${s.rowsMissing} sampled rows missing; differing columns: ${Object.keys(s.fieldMismatches).join(', ') || 'none'}`}`,
          )
          .join('\n'),
        severity: 'medium',
        context: { ...identity, alert_type: 'data_quality_issue', streams: bad.map((s) => s.stream).join(',') },
      },
    });
  }
  if (thresholds.max_duration_seconds > 0 && data.durationSeconds > thresholds.max_duration_seconds) {
    alerts.push({
      alert: {
        title: `wms-pipeline run too slow: ${who}`,
        message: `The run took ${data.durationSeconds} s, over the ${thresholds.max_duration_seconds} s threshold. Run ${data.runId}.`,
        severity: 'medium',
        context: { ...identity, alert_type: 'threshold_breach', threshold: 'max_duration_seconds' },
      },
    });
  }
  const resources = data.resources;
  if (resources && thresholds.max_memory_mb > 0 && resources.peakMemoryMb > thresholds.max_memory_mb) {
    alerts.push({
      alert: {
        title: `wms-pipeline memory threshold exceeded: ${who}`,
        message: `Peak resident memory of the pipeline processes was ${resources.peakMemoryMb} MB, over the ${thresholds.max_memory_mb} MB threshold. Run ${data.runId}.`,
        severity: 'high',
        context: { ...identity, alert_type: 'threshold_breach', threshold: 'max_memory_mb' },
      },
    });
  }
  if (resources?.memoryLeakDetected) {
    alerts.push({
      alert: {
        title: `wms-pipeline memory leak suspected: ${who}`,
        message: `Resident memory kept growing: ${resources.leakVerdictReason}. Run ${data.runId}.`,
        severity: 'medium',
        context: { ...identity, alert_type: 'threshold_breach', threshold: 'memory_leak_mb_per_minute' },
      },
    });
  }
  return alerts;
}
