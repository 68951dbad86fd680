import { randomBytes } from 'node:crypto';
import { ExitCode } from '../singer/index.js';
import type { RunRequest } from './plugin-configs.js';
import type { ResourceReport } from './resource-monitor.js';
import type { ConsistencyReport } from './consistency/consistency-check.js';
import type { RunMode, RunnerKind } from './settings.js';

export interface StreamStats {
  /** Rows the target committed (all attempts): loaded, even when the run failed later. */
  rows: number;
  /** Rows the tap read and sent (all attempts); some may never have been committed. */
  rowsRead: number;
  /** Seconds between the first and the last progress report of the stream. */
  durationSeconds: number;
  rowsPerSecond: number;
}

export interface AttemptSummary {
  attempt: number;
  success: boolean;
  exitCode?: number;
  error?: string;
  durationSeconds: number;
}

export interface RunData {
  runId: string;
  job: string;
  mode: RunMode;
  runner: RunnerKind;
  companyCode: string;
  facilityCode: string;
  startedAt: string;
  finishedAt: string;
  /** Rows the target committed, all streams and attempts. */
  recordsProcessed: number;
  /** Rows the tap read and sent, all streams and attempts. */
  recordsRead: number;
  recordsByStream: Record<string, StreamStats>;
  errorsCount: number;
  durationSeconds: number;
  attempts: AttemptSummary[];
  /** The last state value the target emitted (direct runner), or undefined. */
  state?: unknown;
  stateFile?: string;
  /** initial-load: what its handoff did to each incremental state, one line per state. */
  handoffs?: string[];
  /** METRIC points counted by name (tap and target). */
  metrics: Record<string, number>;
  resources?: ResourceReport;
  consistency?: ConsistencyReport;
  /** Alerts sent (or held back) for this run: title → status. */
  alerts: { title: string; status: string }[];
  reportFile?: string;
  exitCode: number;
}

/** What every run returns; a failure is `success: false` with `error`, never a thrown exception. */
export interface RunResult {
  success: boolean;
  data: RunData;
  error?: string;
  /** True when the failure was of a kind a retry might fix (and retries ran out). */
  retriable?: boolean;
  /**
   * True when wms-pipeline itself was stopped (SIGTERM/SIGINT) before the run finished: not a failure (no failure
   * alert, `status: interrupted` in metrics and the report); `success` is false and the exit code 130.
   */
  interrupted?: boolean;
}

export type RunStatus = 'succeeded' | 'failed' | 'interrupted';

export function runStatus(result: RunResult): RunStatus {
  return result.success ? 'succeeded' : result.interrupted ? 'interrupted' : 'failed';
}

/** The record of a run that starts now: nothing loaded yet, exit code 0. */
export function newRunData(request: RunRequest, runner: RunnerKind, started: Date): RunData {
  return {
    runId: `${started
      .toISOString()
      .replace(/[-:.TZ]/g, '')
      .slice(0, 14)}-${randomBytes(3).toString('hex')}`,
    job: request.job,
    mode: request.mode,
    runner,
    companyCode: request.companyCode,
    facilityCode: request.facilityCode,
    startedAt: started.toISOString(),
    finishedAt: started.toISOString(),
    recordsProcessed: 0,
    recordsRead: 0,
    recordsByStream: {},
    errorsCount: 0,
    durationSeconds: 0,
    attempts: [],
    metrics: {},
    alerts: [],
    exitCode: ExitCode.Ok,
  };
}
