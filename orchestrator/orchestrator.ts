import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  ConfigError,
  createLogger,
  ExitCode,
  exitClassOf,
  parseJsonExact,
  PEAK_RSS_METRIC,
  scrubSecrets,
  sleep,
  type Logger,
  type MetricPoint,
} from '../singer/index.js';
import type { AlertInput, Severity } from './alerts/alert.js';
import type { AlertManager } from './alerts/alert-manager.js';
import { createAlertManager } from './alerts/create-alert-manager.js';
import { backoffDelaySeconds } from './backoff.js';
import { checkConsistency, type ConsistencyReport } from './consistency/consistency-check.js';
import type { ClientHandle } from '../tap-oracle-wms/index.js';
import { openWmsProbe } from './consistency/wms-probe.js';
import { openIntrospector, type Introspector } from '../target-oracle/index.js';
import { runHealthChecks, type HealthReport } from './health-checks.js';
import { writeFileAtomic } from './json-file.js';
import { PersistedMetrics, recordRun } from './pipeline-metrics.js';
import { effectiveTapConfig, tapConfigFor, targetConfigFor, type RunRequest } from './plugin-configs.js';
import { ResourceMonitor, type ResourceReport } from './resource-monitor.js';
import type { AttemptSummary, RunData, RunResult, StreamStats } from './run-result.js';
import { writeRunReport } from './run-report.js';
import { runDirectAttempt } from './runners/direct-runner.js';
import { runMeltanoAttempt } from './runners/meltano-runner.js';
import type { AttemptOptions, AttemptOutcome } from './runners/runner.js';
import { pipelineSecrets } from './pipeline-secrets.js';
import { resolvePipelineSettings, type JobSettings, type PipelineSettings, type RunMode } from './settings.js';
import { StateStore } from './state-store.js';

export interface OrchestratorDeps {
  logger?: Logger;
  alerts?: AlertManager;
  metrics?: PersistedMetrics;
  /** Live METRIC points of the running pipeline (progress line). */
  onMetric?: (job: string, source: 'tap' | 'target', point: MetricPoint) => void;
  /** Stops runs in progress (the children get SIGTERM, commit and exit) and cancels retry waits. */
  signal?: AbortSignal;
}

export interface JobInfo {
  name: string;
  mode: RunMode;
  companyCode: string;
  facilityCode: string;
  schedule?: string;
  running: boolean;
}

export interface Orchestrator {
  readonly settings: PipelineSettings;
  readonly alerts: AlertManager;
  readonly metrics: PersistedMetrics;
  executeFullSync(companyCode: string, facilityCode: string): Promise<RunResult>;
  executeIncrementalSync(companyCode: string, facilityCode: string): Promise<RunResult>;
  runJob(name: string): Promise<RunResult>;
  listJobs(): JobInfo[];
  health(): Promise<HealthReport>;
  close(): void;
}

/** Accepts validated settings or a plain object (validated here, defaults applied; throws ConfigError). */
export function createOrchestrator(
  input: PipelineSettings | Record<string, unknown>,
  deps: OrchestratorDeps = {},
): Orchestrator {
  const settings = resolvePipelineSettings(input);
  return new PipelineOrchestrator(settings, deps);
}

class PipelineOrchestrator implements Orchestrator {
  readonly settings: PipelineSettings;
  readonly alerts: AlertManager;
  readonly metrics: PersistedMetrics;
  readonly #logger: Logger;
  readonly #secrets: string[];
  readonly #states: StateStore;
  readonly #running = new Set<string>();
  readonly #deps: OrchestratorDeps;
  #metricsLoaded: Promise<void> | undefined;

  constructor(settings: PipelineSettings, deps: OrchestratorDeps) {
    this.settings = settings;
    this.#deps = deps;
    this.#secrets = pipelineSecrets(settings);
    this.#logger = deps.logger ?? createLogger({ name: 'wms-pipeline', secrets: this.#secrets });
    this.#logger.addSecrets(this.#secrets);
    this.alerts = deps.alerts ?? createAlertManager(settings, this.#logger);
    this.metrics =
      deps.metrics ?? new PersistedMetrics(path.join(settings.state_dir, 'metrics.json'), settings.metrics_file);
    this.#states = new StateStore(settings.state_dir);
  }

  executeFullSync(companyCode: string, facilityCode: string): Promise<RunResult> {
    return this.#run(this.#adHoc('full', companyCode, facilityCode));
  }

  executeIncrementalSync(companyCode: string, facilityCode: string): Promise<RunResult> {
    return this.#run(this.#adHoc('incremental', companyCode, facilityCode));
  }

  async runJob(name: string): Promise<RunResult> {
    const job = this.settings.jobs.find((candidate) => candidate.name === name);
    if (!job) {
      const known = this.settings.jobs.map((j) => j.name).join(', ') || 'none configured';
      return this.#failedBeforeStart(
        this.#adHoc('incremental', this.settings.company_code, this.settings.facility_code, name),
        `unknown job '${name}' (jobs: ${known})`,
        ExitCode.Config,
      );
    }
    return this.#run(this.#jobRequest(job));
  }

  listJobs(): JobInfo[] {
    return this.settings.jobs.map((job) => {
      const request = this.#jobRequest(job);
      return {
        name: job.name,
        mode: job.mode,
        companyCode: request.companyCode,
        facilityCode: request.facilityCode,
        schedule: job.schedule,
        running: this.#running.has(this.#lockKey(request)),
      };
    });
  }

  health(): Promise<HealthReport> {
    return runHealthChecks(this.settings);
  }

  close(): void {
    this.alerts.close();
  }

  #adHoc(mode: RunMode, companyCode: string, facilityCode: string, job: string = mode): RunRequest {
    return {
      job,
      mode,
      companyCode,
      facilityCode,
      maxRetries: this.settings.max_retries,
      runTimeoutSeconds: this.settings.run_timeout_seconds,
    };
  }

  #jobRequest(job: JobSettings): RunRequest {
    return {
      job: job.name,
      mode: job.mode,
      companyCode: job.company_code ?? this.settings.company_code,
      facilityCode: job.facility_code ?? this.settings.facility_code,
      entities: job.entities,
      tapConfig: job.tap_config,
      targetConfig: job.target_config,
      maxRetries: job.max_retries ?? this.settings.max_retries,
      runTimeoutSeconds: job.run_timeout_seconds ?? this.settings.run_timeout_seconds,
    };
  }

  #lockKey(request: RunRequest): string {
    return `${request.job}\u0000${request.companyCode}\u0000${request.facilityCode}`;
  }

  #scrub(text: string): string {
    return scrubSecrets(text, this.#secrets);
  }

  #emptyData(request: RunRequest, started: Date): RunData {
    return {
      runId: `${started
        .toISOString()
        .replace(/[-:.TZ]/g, '')
        .slice(0, 14)}-${randomBytes(3).toString('hex')}`,
      job: request.job,
      mode: request.mode,
      runner: this.settings.runner,
      companyCode: request.companyCode,
      facilityCode: request.facilityCode,
      startedAt: started.toISOString(),
      finishedAt: started.toISOString(),
      recordsProcessed: 0,
      recordsByStream: {},
      errorsCount: 0,
      durationSeconds: 0,
      attempts: [],
      metrics: {},
      alerts: [],
      exitCode: ExitCode.Ok,
    };
  }

  async #failedBeforeStart(request: RunRequest, error: string, exitCode: ExitCode): Promise<RunResult> {
    await this.#loadMetrics();
    const data = this.#emptyData(request, new Date());
    data.errorsCount = 1;
    data.exitCode = exitCode;
    const result: RunResult = { success: false, data, error, retriable: false };
    await this.#finish(result, request);
    return result;
  }

  /** A run never throws: every failure, expected or not, becomes a result. */
  async #run(request: RunRequest): Promise<RunResult> {
    const key = this.#lockKey(request);
    if (this.#running.has(key)) {
      const data = this.#emptyData(request, new Date());
      data.exitCode = ExitCode.Internal;
      data.errorsCount = 1;
      return {
        success: false,
        data,
        error: `job '${request.job}' for ${request.companyCode}/${request.facilityCode} is already running`,
        retriable: true,
      };
    }
    this.#running.add(key);
    await this.#loadMetrics();
    this.metrics.registry.set('wms_pipeline_running', { job: request.job }, 1);
    const started = new Date();
    const data = this.#emptyData(request, started);
    let result: RunResult;
    try {
      result = await this.#attempts(request, data);
    } catch (error) {
      data.exitCode = error instanceof ConfigError ? ExitCode.Config : ExitCode.Internal;
      data.errorsCount += 1;
      result = {
        success: false,
        data,
        error: this.#scrub(`${(error as Error).message ?? String(error)}`),
        retriable: false,
      };
    } finally {
      this.#running.delete(key);
      this.metrics.registry.set('wms_pipeline_running', { job: request.job }, 0);
    }
    data.finishedAt = new Date().toISOString();
    data.durationSeconds = Math.round(Date.parse(data.finishedAt) - started.getTime()) / 1000;
    const stop = this.#deps.signal;
    if (!result.success && stop?.aborted) {
      // Stopped by wms-pipeline's own SIGTERM/SIGINT (serve shutting down, Ctrl-C): the children committed what they
      // had and exited 130. That is a stop, not a failure of the run.
      result.interrupted = true;
      result.error = `interrupted by ${typeof stop.reason === 'string' ? stop.reason : 'a stop request'} before the run finished`;
      data.exitCode = ExitCode.Interrupted;
    }
    try {
      await this.#finish(result, request);
    } catch (error) {
      this.#logger.error(`Could not finish the run record: ${this.#scrub((error as Error).message)}`);
    }
    return result;
  }

  async #attempts(request: RunRequest, data: RunData): Promise<RunResult> {
    const settings = this.settings;
    const started = Date.parse(data.startedAt);
    let outcome: AttemptOutcome | undefined;
    let resources: ResourceReport | undefined;
    const loaded = new Map<string, { rows: number; firstAt: number; lastAt: number }>();
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
        signal: this.#deps.signal,
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
          this.#deps.onMetric?.(request.job, source, point);
        },
        onLine: (source, line) => this.#logger.debug(`[${source}] ${line}`),
      };
      monitor.start();
      try {
        outcome = await this.#attempt(request, options);
      } finally {
        resources = await monitor.stop();
      }
      // Rows committed by the target in this attempt count even if the attempt failed later (they are loaded).
      // A stream's duration runs from the attempt's start to its last report (tap read or target commit).
      const counted = outcome.target.streams.size > 0 ? outcome.target : outcome.tap;
      for (const [stream, progress] of counted.streams) {
        const total = loaded.get(stream) ?? { rows: 0, firstAt: attemptStarted, lastAt: attemptStarted };
        total.rows += progress.rows;
        total.lastAt = Math.max(total.lastAt, progress.lastAt, outcome.tap.streams.get(stream)?.lastAt ?? 0);
        loaded.set(stream, total);
      }
      data.errorsCount += outcome.tap.errorLines + outcome.target.errorLines + (outcome.success ? 0 : 1);
      const summary: AttemptSummary = {
        attempt,
        success: outcome.success,
        exitCode: outcome.exitCode,
        error: outcome.error === undefined ? undefined : this.#scrub(outcome.error),
        durationSeconds: (Date.now() - attemptStarted) / 1000,
      };
      data.attempts.push(summary);
      if (outcome.stateText !== undefined) await this.#saveState(request, data, outcome.stateText);
      if (outcome.success || !outcome.retriable || attempt > request.maxRetries || this.#deps.signal?.aborted) break;
      const delay = backoffDelaySeconds(
        attempt,
        settings.retry_initial_delay_seconds,
        settings.retry_max_delay_seconds,
      );
      this.#logger.warning(`Attempt ${attempt} of '${request.job}' failed (${summary.error}); retrying in ${delay} s`);
      await sleep(delay * 1000, this.#deps.signal);
      // A stop during the wait ends the run: no attempt starts after it.
      if (this.#deps.signal?.aborted) break;
    }

    const elapsed = (Date.now() - started) / 1000;
    data.recordsByStream = Object.fromEntries(
      [...loaded.entries()].map(([stream, p]): [string, StreamStats] => {
        const seconds = Math.max((p.lastAt - p.firstAt) / 1000, 0) || elapsed;
        return [
          stream,
          {
            rows: p.rows,
            durationSeconds: Math.round(seconds * 1000) / 1000,
            rowsPerSecond: Math.round((p.rows / seconds) * 10) / 10,
          },
        ];
      }),
    );
    data.recordsProcessed = [...loaded.values()].reduce((sum, p) => sum + p.rows, 0);
    data.resources = resources;
    data.exitCode = outcome.exitCode;
    if (!outcome.success) {
      return {
        success: false,
        data,
        error: this.#scrub(outcome.error ?? 'the run failed'),
        retriable: outcome.retriable,
      };
    }
    if (settings.consistency_check && data.recordsByStream && Object.keys(data.recordsByStream).length > 0) {
      data.consistency = await this.#consistency(request, data);
    }
    return { success: true, data };
  }

  async #attempt(request: RunRequest, options: AttemptOptions): Promise<AttemptOutcome> {
    const tapConfig = tapConfigFor(this.settings, request);
    const targetConfig = targetConfigFor(this.settings, request);
    if (this.settings.runner === 'meltano') {
      return runMeltanoAttempt(
        {
          settings: this.settings,
          tapConfig,
          targetConfig,
          companyCode: request.companyCode,
          facilityCode: request.facilityCode,
          full: request.mode === 'full',
        },
        options,
      );
    }
    // Full sync = no state; incremental = the stored state of this company/facility/job.
    let stateFile: string | undefined;
    if (request.mode === 'incremental') {
      const file = this.#states.fileOf(request.companyCode, request.facilityCode, request.job);
      if ((await this.#states.read(request.companyCode, request.facilityCode, request.job)) !== undefined)
        stateFile = file;
    }
    return runDirectAttempt({ tapConfig, targetConfig, stateFile }, options);
  }

  /** Stores the last state the target emitted (text kept as is: exact ids); never `{}` or a non-object. */
  async #saveState(request: RunRequest, data: RunData, stateText: string): Promise<void> {
    let value: unknown;
    try {
      value = parseJsonExact(stateText);
    } catch {
      this.#logger.warning(`The target wrote a stdout line that is not JSON; state not saved`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) return;
    if (this.settings.runner !== 'direct') return;
    const file = this.#states.fileOf(request.companyCode, request.facilityCode, request.job);
    await writeFileAtomic(file, `${stateText}\n`);
    data.state = value;
    data.stateFile = file;
  }

  async #consistency(request: RunRequest, data: RunData): Promise<ConsistencyReport | undefined> {
    let probe: ClientHandle | undefined;
    let db: Introspector | undefined;
    try {
      const tapConfig = effectiveTapConfig(tapConfigFor(this.settings, request));
      probe = openWmsProbe(tapConfig, this.settings.http_timeout_seconds, this.#logger);
      db = await openIntrospector(targetConfigFor(this.settings, request));
      return await checkConsistency({
        probe: probe.client,
        db,
        streams: Object.keys(data.recordsByStream).sort(),
        tapConfig,
        sampleSize: this.settings.consistency_sample_size,
        runStartedAt: new Date(data.startedAt),
        logger: this.#logger,
      });
    } catch (error) {
      this.#logger.warning(`Consistency check not possible: ${this.#scrub((error as Error).message)}`);
      return {
        ok: false,
        checkedAt: new Date().toISOString(),
        streams: [
          {
            stream: '*',
            countsMatch: false,
            sampled: 0,
            rowsMissing: 0,
            changedSinceRun: 0,
            fieldMismatches: {},
            missingColumns: [],
            ok: false,
            error: this.#scrub((error as Error).message),
          },
        ],
      };
    } finally {
      probe?.close();
      await db?.close();
    }
  }

  /** Alerts, report, metrics: after every run, successful or not. */
  async #finish(result: RunResult, request: RunRequest): Promise<void> {
    const { data } = result;
    const settings = this.settings;
    const identity = {
      job: request.job,
      mode: request.mode,
      company: request.companyCode,
      facility: request.facilityCode,
    };
    const failureKey = `run:${request.job}:${request.companyCode}:${request.facilityCode}`;
    const send = async (alert: AlertInput, options: { failureKey?: string } = {}): Promise<void> => {
      try {
        const sent = await this.alerts.sendAlert(alert, options);
        data.alerts.push({
          title: alert.title,
          status: sent.suppressedBy ? `suppressed (${sent.suppressedBy})` : sent.status,
        });
      } catch (error) {
        this.#logger.error(`Alert '${alert.title}' failed: ${this.#scrub((error as Error).message)}`);
      }
    };

    if (result.interrupted) {
      this.#logger.info(`Run ${data.runId} of '${request.job}' interrupted: no failure alert`);
    } else if (!result.success) {
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
      await send(
        {
          title: `wms-pipeline ${request.mode} sync failed: ${request.job} (${request.companyCode}/${request.facilityCode})`,
          message: `${result.error ?? 'the run failed'}\nExit code ${data.exitCode} (${exitClassOf(data.exitCode)}), ${data.attempts.length} attempt(s), ${data.recordsProcessed} rows loaded before the failure. Run ${data.runId}.`,
          severity,
          context: { ...identity, alert_type: kind },
        },
        { failureKey },
      );
    } else {
      const failuresBefore = await this.alerts.recordSuccess(failureKey).catch(() => 0);
      if (failuresBefore >= settings.alert_failure_threshold) {
        await send({
          title: `wms-pipeline recovered: ${request.job} (${request.companyCode}/${request.facilityCode})`,
          message: `The ${request.mode} sync succeeded after ${failuresBefore} failed run(s): ${data.recordsProcessed} rows in ${data.durationSeconds} s. Run ${data.runId}.`,
          severity: 'info',
          context: { ...identity, alert_type: 'recovery' },
        });
      }
    }
    if (data.consistency && !data.consistency.ok) {
      const bad = data.consistency.streams.filter((s) => !s.ok);
      await send({
        title: `wms-pipeline consistency mismatch: ${request.job} (${request.companyCode}/${request.facilityCode})`,
        message: bad
          .map(
            (s) =>
              `${s.stream}: ${s.error ?? `source ${s.sourceCount} rows, target ${s.targetCount}; ${s.rowsMissing} sampled rows missing; differing columns: ${Object.keys(s.fieldMismatches).join(', ') || 'none'}`}`,
          )
          .join('\n'),
        severity: 'medium',
        context: { ...identity, alert_type: 'data_quality_issue', streams: bad.map((s) => s.stream).join(',') },
      });
    }
    if (settings.max_duration_seconds > 0 && data.durationSeconds > settings.max_duration_seconds) {
      await send({
        title: `wms-pipeline run too slow: ${request.job} (${request.companyCode}/${request.facilityCode})`,
        message: `The run took ${data.durationSeconds} s, over the ${settings.max_duration_seconds} s threshold. Run ${data.runId}.`,
        severity: 'medium',
        context: { ...identity, alert_type: 'threshold_breach', threshold: 'max_duration_seconds' },
      });
    }
    const resources = data.resources;
    if (resources && settings.max_memory_mb > 0 && resources.peakMemoryMb > settings.max_memory_mb) {
      await send({
        title: `wms-pipeline memory threshold exceeded: ${request.job} (${request.companyCode}/${request.facilityCode})`,
        message: `Peak resident memory of the pipeline processes was ${resources.peakMemoryMb} MB, over the ${settings.max_memory_mb} MB threshold. Run ${data.runId}.`,
        severity: 'high',
        context: { ...identity, alert_type: 'threshold_breach', threshold: 'max_memory_mb' },
      });
    }
    if (resources?.memoryLeakDetected) {
      await send({
        title: `wms-pipeline memory leak suspected: ${request.job} (${request.companyCode}/${request.facilityCode})`,
        message: `Resident memory kept growing: ${resources.leakVerdictReason}. Run ${data.runId}.`,
        severity: 'medium',
        context: { ...identity, alert_type: 'threshold_breach', threshold: 'memory_leak_mb_per_minute' },
      });
    }

    try {
      data.reportFile = await writeRunReport(settings.report_dir, result);
    } catch (error) {
      this.#logger.error(`Could not write the run report: ${this.#scrub((error as Error).message)}`);
    }
    recordRun(this.metrics.registry, result);
    try {
      await this.metrics.save();
    } catch (error) {
      this.#logger.error(`Could not save metrics: ${this.#scrub((error as Error).message)}`);
    }
  }

  #loadMetrics(): Promise<void> {
    this.#metricsLoaded ??= this.metrics.load().catch((error: Error) => {
      this.#logger.warning(`Metrics snapshot not loaded (${error.message}); counting from zero`);
    });
    return this.#metricsLoaded;
  }
}
