import { Cron } from 'croner';
import type { Logger } from '../singer/index.js';
import type { MetricsRegistry } from './prometheus.js';
import type { JobSettings } from './settings.js';

export interface ScheduledJob {
  name: string;
  schedule: string;
  nextRun: string | null;
  running: boolean;
  missedTicks: number;
}

/**
 * Runs each scheduled job on its cron expression (croner: 5 fields, or 6 with seconds). One run per job at a time:
 * a tick that comes while the previous run is still going is logged and counted, not queued.
 */
export class Scheduler {
  readonly #crons = new Map<string, Cron>();
  readonly #missed = new Map<string, number>();
  readonly #running = new Set<string>();

  constructor(
    private readonly jobs: readonly JobSettings[],
    private readonly runJob: (name: string) => Promise<unknown>,
    private readonly logger: Logger,
    private readonly registry?: MetricsRegistry,
  ) {}

  start(): void {
    for (const job of this.jobs) {
      if (!job.schedule) continue;
      const cron = new Cron(
        job.schedule,
        {
          name: `wms-pipeline:${job.name}:${process.pid}:${Math.random()}`,
          protect: () => {
            this.#missed.set(job.name, (this.#missed.get(job.name) ?? 0) + 1);
            this.registry?.inc('wms_pipeline_missed_ticks_total', { job: job.name });
            this.logger.warning(`Job '${job.name}': schedule tick skipped, the previous run is still going`);
          },
          catch: (error) => this.logger.error(`Job '${job.name}' failed unexpectedly: ${(error as Error).message}`),
        },
        async () => {
          this.#running.add(job.name);
          try {
            await this.runJob(job.name);
          } finally {
            this.#running.delete(job.name);
          }
        },
      );
      this.#crons.set(job.name, cron);
      this.logger.info(
        `Job '${job.name}' scheduled (${job.schedule}); next run ${cron.nextRun()?.toISOString() ?? 'never'}`,
      );
    }
  }

  /** Stops future ticks; runs in progress continue (the caller waits for them). */
  stop(): void {
    for (const cron of this.#crons.values()) cron.stop();
  }

  get busy(): boolean {
    return this.#running.size > 0;
  }

  status(): ScheduledJob[] {
    return [...this.#crons.entries()].map(([name, cron]) => ({
      name,
      schedule: cron.getPattern() ?? '',
      nextRun: cron.nextRun()?.toISOString() ?? null,
      running: this.#running.has(name),
      missedTicks: this.#missed.get(name) ?? 0,
    }));
  }
}

/** Validates a cron expression (throws with croner's message). */
export function checkSchedule(expression: string): void {
  new Cron(expression, { paused: true }).stop();
}
