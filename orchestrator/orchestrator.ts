import path from 'node:path';
import { ConfigError, createLogger, ExitCode, scrubSecrets, type Logger, type MetricPoint } from '../singer/index.js';
import { alertsForRun, failureKeyOf } from './alerts/alert-policy.js';
import type { AlertManager } from './alerts/alert-manager.js';
import { createAlertManager } from './alerts/create-alert-manager.js';
import { runHealthChecks, type HealthReport } from './health-checks.js';
import { PersistedMetrics, recordRun } from './pipeline-metrics.js';
import { handoffJobs, handOverInitialLoad, initialLoadPath, initialLoadRequest } from './initial-load.js';
import { pipelineSecrets } from './pipeline-secrets.js';
import type { RunRequest } from './plugin-configs.js';
import { runAttempts, type RunContext } from './run-attempts.js';
import { adHocRequest, jobRequest, runLockKey } from './run-request.js';
import { newRunData, type RunData, type RunResult } from './run-result.js';
import { writeRunReport } from './run-report.js';
import { resolvePipelineSettings, type PipelineSettings, type RunMode } from './settings.js';
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
  /** One entity's resumable full load (initial-load.ts), then the handoff to the incremental runs of its scope. */
  initialLoad(entity: string, companyCode: string, facilityCode: string): Promise<RunResult>;
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
  readonly #runContext: RunContext;
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
    this.#runContext = {
      settings,
      logger: this.#logger,
      states: new StateStore(settings.state_dir),
      signal: deps.signal,
      onMetric: deps.onMetric,
      scrub: (text) => this.#scrub(text),
    };
  }

  executeFullSync(companyCode: string, facilityCode: string): Promise<RunResult> {
    return this.#run(adHocRequest(this.settings, 'full', companyCode, facilityCode));
  }

  executeIncrementalSync(companyCode: string, facilityCode: string): Promise<RunResult> {
    return this.#run(adHocRequest(this.settings, 'incremental', companyCode, facilityCode));
  }

  initialLoad(entity: string, companyCode: string, facilityCode: string): Promise<RunResult> {
    const request = initialLoadRequest(this.settings, entity, companyCode, facilityCode);
    this.#logger.info(initialLoadPath(this.settings, request, entity), { stream: entity });
    return this.#run(request, async (data) => {
      const jobs = handoffJobs(this.settings, entity, companyCode, facilityCode);
      data.handoffs = await handOverInitialLoad(this.#runContext.states, request, entity, jobs, this.#logger);
    });
  }

  async runJob(name: string): Promise<RunResult> {
    const job = this.settings.jobs.find((candidate) => candidate.name === name);
    if (!job) {
      const known = this.settings.jobs.map((j) => j.name).join(', ') || 'none configured';
      return this.#failedBeforeStart(
        adHocRequest(this.settings, 'incremental', this.settings.company_code, this.settings.facility_code, name),
        `unknown job '${name}' (jobs: ${known})`,
        ExitCode.Config,
      );
    }
    return this.#run(jobRequest(this.settings, job));
  }

  listJobs(): JobInfo[] {
    return this.settings.jobs.map((job) => {
      const request = jobRequest(this.settings, job);
      return {
        name: job.name,
        mode: job.mode,
        companyCode: request.companyCode,
        facilityCode: request.facilityCode,
        schedule: job.schedule,
        running: this.#running.has(runLockKey(request)),
      };
    });
  }

  health(): Promise<HealthReport> {
    return runHealthChecks(this.settings);
  }

  close(): void {
    this.alerts.close();
  }

  #scrub(text: string): string {
    return scrubSecrets(text, this.#secrets);
  }

  async #failedBeforeStart(request: RunRequest, error: string, exitCode: ExitCode): Promise<RunResult> {
    await this.#loadMetrics();
    const data = newRunData(request, this.settings.runner, new Date());
    data.errorsCount = 1;
    data.exitCode = exitCode;
    const result: RunResult = { success: false, data, error, retriable: false };
    await this.#finish(result, request);
    return result;
  }

  /** A run never throws: every failure, expected or not, becomes a result. `afterSuccess` is part of the run. */
  async #run(request: RunRequest, afterSuccess?: (data: RunData) => Promise<void>): Promise<RunResult> {
    const key = runLockKey(request);
    if (this.#running.has(key)) {
      const data = newRunData(request, this.settings.runner, new Date());
      data.exitCode = ExitCode.Busy;
      data.errorsCount = 1;
      return {
        success: false,
        data,
        error: `job '${request.job}' for ${request.companyCode}/${request.facilityCode} is already running`,
        retriable: false,
      };
    }
    this.#running.add(key);
    await this.#loadMetrics();
    this.metrics.registry.set('wms_pipeline_running', { job: request.job }, 1);
    const started = new Date();
    const data = newRunData(request, this.settings.runner, started);
    let result: RunResult;
    try {
      result = await runAttempts(request, data, this.#runContext);
      if (result.success) await afterSuccess?.(data);
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

  /** Alerts (by the policy of alerts/alert-policy.ts), report, metrics: after every run, successful or not. */
  async #finish(result: RunResult, request: RunRequest): Promise<void> {
    const { data } = result;
    const settings = this.settings;
    if (result.interrupted) this.#logger.info(`Run ${data.runId} of '${request.job}' interrupted: no failure alert`);
    // A success resets the consecutive failures of its key; how many there were decides a recovery alert.
    const failuresBefore = result.success ? await this.alerts.recordSuccess(failureKeyOf(data)).catch(() => 0) : 0;
    for (const { alert, failureKey } of alertsForRun(result, settings, failuresBefore)) {
      try {
        const sent = await this.alerts.sendAlert(alert, { failureKey });
        data.alerts.push({
          title: alert.title,
          status: sent.suppressedBy ? `suppressed (${sent.suppressedBy})` : sent.status,
        });
      } catch (error) {
        this.#logger.error(`Alert '${alert.title}' failed: ${this.#scrub((error as Error).message)}`);
      }
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
