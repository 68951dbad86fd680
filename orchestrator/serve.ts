import type { Logger } from '../singer/index.js';
import type { HealthCheck, HealthReport } from './health-checks.js';
import type { Orchestrator } from './orchestrator.js';
import type { RunResult } from './run-result.js';
import { Scheduler } from './scheduler.js';
import { startServiceServer } from './service-server.js';

/** Connectivity checks hit WMS and the database: answer /health from a cache this fresh. */
const CONNECTIVITY_CACHE_MS = 30_000;

export interface RunningService {
  url: string;
  scheduler: Scheduler;
  /** Stops ticks, waits for runs in progress, closes the server. */
  stop(): Promise<void>;
}

/**
 * `wms-pipeline serve`: the scheduler plus the HTTP endpoints. /health reports per check: the scheduler, each job's
 * last run, and the connectivity checks of `wms-pipeline health` (cached).
 */
export async function startService(orchestrator: Orchestrator, logger: Logger): Promise<RunningService> {
  const { settings } = orchestrator;
  const lastRuns = new Map<string, RunResult>();
  const scheduler = new Scheduler(
    settings.jobs,
    async (name) => {
      logger.info(`Job '${name}': starting scheduled run`);
      const result = await orchestrator.runJob(name);
      lastRuns.set(name, result);
      const outcome = result.success ? 'succeeded' : result.interrupted ? result.error : `failed: ${result.error}`;
      logger.info(`Job '${name}': ${outcome} (${result.data.recordsProcessed} rows, ${result.data.durationSeconds} s)`);
    },
    logger,
    orchestrator.metrics.registry,
  );
  let cached: { at: number; report: Promise<HealthReport> } | undefined;
  const connectivity = (): Promise<HealthReport> => {
    if (!cached || Date.now() - cached.at > CONNECTIVITY_CACHE_MS)
      cached = { at: Date.now(), report: orchestrator.health() };
    return cached.report;
  };
  const server = await startServiceServer(settings.serve_host, settings.serve_port, {
    metrics: () => orchestrator.metrics.registry.render(),
    health: async () => {
      const jobs = scheduler.status();
      const checks: HealthCheck[] = [
        { name: 'scheduler', ok: true, detail: `${jobs.length} scheduled job(s)`, durationMs: 0 },
        ...jobs.map((job): HealthCheck => {
          const last = lastRuns.get(job.name);
          const detail = last
            ? `last run ${last.success ? 'succeeded' : last.interrupted ? 'interrupted' : `failed (${last.error})`} at ${last.data.finishedAt}; ${job.running ? 'running now' : `next ${job.nextRun}`}; missed ticks ${job.missedTicks}`
            : `no run yet; ${job.running ? 'running now' : `next ${job.nextRun}`}`;
          return {
            name: `job:${job.name}`,
            ok: !last || last.success || last.interrupted === true,
            detail,
            durationMs: 0,
          };
        }),
        ...(await connectivity()).checks,
      ];
      return { ok: checks.every((check) => check.ok), checkedAt: new Date().toISOString(), checks };
    },
  });
  await orchestrator.metrics.load().catch(() => undefined);
  scheduler.start();
  logger.info(`Serving /health and /metrics on ${server.url}`);
  return {
    url: server.url,
    scheduler,
    async stop() {
      scheduler.stop();
      while (scheduler.busy) await new Promise((resolve) => setTimeout(resolve, 200));
      await server.close();
    },
  };
}
