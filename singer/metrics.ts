import type { Logger } from './log.js';

/** Singer/SDK metric names and tags (`record_count`, `http_request_duration`, … with `stream`, `endpoint`, …). */
export class Metrics {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  counter(metric: string, value: number, tags: Record<string, unknown> = {}): void {
    this.#logger.metric({ type: 'counter', metric, value, tags });
  }

  /** A timer in seconds (the Singer convention). */
  timer(metric: string, seconds: number, tags: Record<string, unknown> = {}): void {
    this.#logger.metric({ type: 'timer', metric, value: Math.round(seconds * 1e6) / 1e6, tags });
  }

  /** Times `work`, tagging the result `status: succeeded|failed`. */
  async time<T>(metric: string, tags: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    let status = 'failed';
    try {
      const result = await work();
      status = 'succeeded';
      return result;
    } finally {
      this.timer(metric, Number(process.hrtime.bigint() - started) / 1e9, { ...tags, status });
    }
  }
}
