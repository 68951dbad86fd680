import type { Logger, Metrics } from '../singer/index.js';

/** Seconds between progress lines (and record_count metrics) of a long stream. */
const PROGRESS_INTERVAL_MS = 15_000;

/** Rows and rows/s per stream on stderr, plus record_count METRIC increments. */
export class Progress {
  readonly #stream: string;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #started = Date.now();
  #rows = 0;
  #unreported = 0;
  #lastReport = Date.now();

  constructor(stream: string, logger: Logger, metrics: Metrics) {
    this.#stream = stream;
    this.#logger = logger;
    this.#metrics = metrics;
  }

  add(rows: number): void {
    this.#rows += rows;
    this.#unreported += rows;
    if (Date.now() - this.#lastReport >= PROGRESS_INTERVAL_MS) this.#report('running');
  }

  finish(): void {
    this.#report('done');
  }

  #report(phase: 'running' | 'done'): void {
    const seconds = (Date.now() - this.#started) / 1000;
    const rate = seconds > 0 ? Math.round(this.#rows / seconds) : this.#rows;
    this.#metrics.counter('record_count', this.#unreported, { stream: this.#stream });
    this.#logger.info(
      `${this.#stream}: ${this.#rows} rows in ${seconds.toFixed(1)} s (${rate} rows/s)${phase === 'done' ? ', done' : ''}`,
      { stream: this.#stream },
    );
    this.#unreported = 0;
    this.#lastReport = Date.now();
  }
}
