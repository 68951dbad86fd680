import { parseJsonExact, PEAK_RSS_METRIC, sleep, type Logger, type MetricPoint } from '../singer/index.js';
import { backoffDelaySeconds } from './backoff.js';
import { checkRunConsistency } from './consistency/run-consistency.js';
import { writeFileAtomic } from './json-file.js';
import { tapConfigFor, targetConfigFor, type RunRequest } from './plugin-configs.js';
import { ResourceMonitor, type ResourceReport } from './resource-monitor.js';
import type { AttemptSummary, RunData, RunResult, StreamStats } from './run-result.js';
import { runDirectAttempt } from './runners/direct-runner.js';
import { runMeltanoAttempt } from './runners/meltano-runner.js';
import type { AttemptOptions, AttemptOutcome } from './runners/runner.js';
import type { PipelineSettings } from './settings.js';
import type { StateStore } from './state-store.js';

/** What a run needs from the orchestrator that runs it. */
export interface RunContext {
  readonly settings: PipelineSettings;
  readonly logger: Logger;
  readonly states: StateStore;
  /** Stops the run (the children get SIGTERM, commit and exit) and cancels retry waits. */
  readonly signal?: AbortSignal;
  readonly onMetric?: (job: string, source: 'tap' | 'target', point: MetricPoint) => void;
  /** Removes the run's secrets from a text. */
  scrub(text: string): string;
}

/**
 * The attempts of one run: each spawns the pipeline under a resource monitor, counts what it loaded and saves the
 * state it ended with; a retriable failure is retried with backoff until `maxRetries`, a stop request ends the run.
 * Fills `data` (rows per stream, resources, exit code, consistency) and returns the run's result.
 */
export async function runAttempts(request: RunRequest, data: RunData, ctx: RunContext): Promise<RunResult> {
  const settings = ctx.settings;
  const started = Date.parse(data.startedAt);
  let outcome: AttemptOutcome | undefined;
  let resources: ResourceReport | undefined;
  const counts = new Map<string, { read: number; committed: number; firstAt: number; lastAt: number }>();
  // The streams the consistency check compares: those the target loaded (the tap's when it reported none).
  const checked = new Set<string>();
  for (let attempt = 1; ; attempt += 1) {
    const attemptStarted = Date.now();
    const pids: number[] = [];
    const monitor = new ResourceMonitor({
      pids: () => pids,
      intervalMs: Math.round(settings.monitor_interval_seconds * 1000),
      leakThresholdMbPerMinute: settings.memory_leak_mb_per_minute,
    });
    const options: AttemptOptions = {
      timeoutMs: request.runTimeoutSeconds * 1000,
      signal: ctx.signal,
      onSpawn: (pid) => {
        pids.push(pid);
        // A run shorter than the interval still gets a reading, and the CPU window starts with the process.
        void monitor.sampleNow();
      },
      onMetric: (source, point) => {
        monitor.observeMetric(point, source);
        const key = `${source}.${point.metric}`;
        // A peak is not a count: across attempts (and tap + target under meltano) the highest one is kept.
        data.metrics[key] =
          point.metric === PEAK_RSS_METRIC
            ? Math.max(data.metrics[key] ?? 0, point.value)
            : (data.metrics[key] ?? 0) + (point.type === 'counter' ? point.value : 1);
        ctx.onMetric?.(request.job, source, point);
      },
      onLine: (source, line) => ctx.logger.debug(`[${source}] ${line}`),
    };
    monitor.start();
    try {
      outcome = await runAttempt(request, options, ctx);
    } finally {
      resources = await monitor.stop();
    }
    // Rows read (the tap's record_count) and rows committed (the target's, sent after each commit) are counted
    // apart: a failed attempt's committed rows are loaded, the rows it only read are not. A stream's duration runs
    // from the attempt's start to its last report (tap read or target commit).
    const { tap, target } = outcome;
    for (const stream of new Set([...tap.streams.keys(), ...target.streams.keys()])) {
      const read = tap.streams.get(stream);
      const committed = target.streams.get(stream);
      const total = counts.get(stream) ?? { read: 0, committed: 0, firstAt: attemptStarted, lastAt: attemptStarted };
      total.read += read?.rows ?? 0;
      total.committed += committed?.rows ?? 0;
      total.lastAt = Math.max(total.lastAt, read?.lastAt ?? 0, committed?.lastAt ?? 0);
      counts.set(stream, total);
    }
    for (const stream of (target.streams.size > 0 ? target : tap).streams.keys()) checked.add(stream);
    data.errorsCount += outcome.tap.errorLines + outcome.target.errorLines + (outcome.success ? 0 : 1);
    const summary: AttemptSummary = {
      attempt,
      success: outcome.success,
      exitCode: outcome.exitCode,
      error: outcome.error === undefined ? undefined : ctx.scrub(outcome.error),
      durationSeconds: (Date.now() - attemptStarted) / 1000,
    };
    data.attempts.push(summary);
    if (outcome.stateText !== undefined) await saveState(request, data, outcome.stateText, ctx);
    if (outcome.success || !outcome.retriable || attempt > request.maxRetries || ctx.signal?.aborted) break;
    const delay = backoffDelaySeconds(attempt, settings.retry_initial_delay_seconds, settings.retry_max_delay_seconds);
    ctx.logger.warning(`Attempt ${attempt} of '${request.job}' failed (${summary.error}); retrying in ${delay} s`);
    await sleep(delay * 1000, ctx.signal);
    // A stop during the wait ends the run: no attempt starts after it.
    if (ctx.signal?.aborted) break;
  }

  const elapsed = (Date.now() - started) / 1000;
  data.recordsByStream = Object.fromEntries(
    [...counts.entries()].map(([stream, p]): [string, StreamStats] => {
      const seconds = Math.max((p.lastAt - p.firstAt) / 1000, 0) || elapsed;
      return [
        stream,
        {
          rows: p.committed,
          rowsRead: p.read,
          durationSeconds: Math.round(seconds * 1000) / 1000,
          rowsPerSecond: Math.round((p.committed / seconds) * 10) / 10,
        },
      ];
    }),
  );
  data.recordsProcessed = [...counts.values()].reduce((sum, p) => sum + p.committed, 0);
  data.recordsRead = [...counts.values()].reduce((sum, p) => sum + p.read, 0);
  data.resources = resources;
  data.exitCode = outcome.exitCode;
  if (!outcome.success) {
    return {
      success: false,
      data,
      error: ctx.scrub(outcome.error ?? 'the run failed'),
      retriable: outcome.retriable,
    };
  }
  if (settings.consistency_check && checked.size > 0) {
    data.consistency = await checkRunConsistency(request, data, ctx, [...checked].sort());
  }
  return { success: true, data };
}

async function runAttempt(request: RunRequest, options: AttemptOptions, ctx: RunContext): Promise<AttemptOutcome> {
  const tapConfig = tapConfigFor(ctx.settings, request);
  const targetConfig = targetConfigFor(ctx.settings, request);
  if (ctx.settings.runner === 'meltano') {
    return runMeltanoAttempt(
      {
        settings: ctx.settings,
        tapConfig,
        targetConfig,
        companyCode: request.companyCode,
        facilityCode: request.facilityCode,
        full: request.mode === 'full',
      },
      options,
    );
  }
  // Full sync = no state; incremental and initial-load = the stored state of this company/facility/job.
  let stateFile: string | undefined;
  if (request.mode === 'incremental' || request.resume) {
    const file = ctx.states.fileOf(request.companyCode, request.facilityCode, request.job);
    if ((await ctx.states.read(request.companyCode, request.facilityCode, request.job)) !== undefined) stateFile = file;
  }
  return runDirectAttempt({ tapConfig, targetConfig, stateFile }, options);
}

/** Stores the last state the target emitted (text kept as is: exact ids); never `{}` or a non-object. */
async function saveState(request: RunRequest, data: RunData, stateText: string, ctx: RunContext): Promise<void> {
  let value: unknown;
  try {
    value = parseJsonExact(stateText);
  } catch {
    ctx.logger.warning(`The target wrote a stdout line that is not JSON; state not saved`);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) return;
  if (ctx.settings.runner !== 'direct') return;
  const file = ctx.states.fileOf(request.companyCode, request.facilityCode, request.job);
  await writeFileAtomic(file, `${stateText}\n`);
  data.state = value;
  data.stateFile = file;
}
