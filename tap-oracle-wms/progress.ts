import type { Logger, Metrics } from '../singer/index.js';

/** Milliseconds between record_count METRIC lines of a stream that keeps reading (the live progress line's feed). */
export const PROGRESS_METRIC_INTERVAL_MS = 2_000;
/** Milliseconds between the human progress lines of a long stream. */
export const PROGRESS_LOG_INTERVAL_MS = 15_000;

/**
 * Rows read per stream: record_count METRIC increments at most every 2 s while rows arrive (so a supervisor's
 * progress line is never more than 2 s behind), a progress line on stderr every 15 s and at the end, with the
 * total, a percentage and an ETA when the WMS counted the rows to read (`result_count`, `expect`).
 */
export class Progress {
  readonly stream: string;
  /** What the stream reads, for the summary of a run that read nothing (e.g. `mod_ts from … to …`). */
  window: string | undefined;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #now: () => number;
  readonly #started: number;
  #rows = 0;
  #expected: number | undefined;
  #unreported = 0;
  #lastMetric: number;
  #lastLog: number;

  constructor(stream: string, logger: Logger, metrics: Metrics, now: () => number = Date.now) {
    this.stream = stream;
    this.#logger = logger;
    this.#metrics = metrics;
    this.#now = now;
    this.#started = now();
    this.#lastMetric = this.#started;
    this.#lastLog = this.#started;
  }

  /** Rows read so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Rows the WMS says a slice holds (its first page's result_count): added to the stream's total. */
  expect(rows: number): void {
    this.#expected = (this.#expected ?? 0) + rows;
    this.#metrics.counter('record_count_expected', rows, { stream: this.stream });
  }

  add(rows: number): void {
    this.#rows += rows;
    this.#unreported += rows;
    const now = this.#now();
    if (now - this.#lastMetric >= PROGRESS_METRIC_INTERVAL_MS) this.#metric(now);
    if (now - this.#lastLog >= PROGRESS_LOG_INTERVAL_MS) this.#log(now, false);
  }

  /** Reports rows read since the last record_count, if any (a stream cut short by a failure or a stop). */
  flush(): void {
    if (this.#unreported > 0) this.#metric(this.#now());
  }

  finish(): void {
    const now = this.#now();
    this.#metric(now);
    this.#log(now, true);
  }

  #metric(now: number): void {
    this.#metrics.counter('record_count', this.#unreported, { stream: this.stream });
    this.#unreported = 0;
    this.#lastMetric = now;
  }

  #log(now: number, done: boolean): void {
    const seconds = (now - this.#started) / 1000;
    const rate = seconds > 0 ? this.#rows / seconds : 0;
    const total = this.#expected;
    let counted = `${this.#rows} rows read`;
    if (total !== undefined && total > 0) {
      const percent = Math.min(100, Math.floor((this.#rows / total) * 100));
      counted = `${this.#rows} of ${total} rows read (${percent}%${done ? '' : `, ETA ${eta(total - this.#rows, rate)}`})`;
    }
    const window = done && this.#rows === 0 && this.window ? ` from ${this.window}` : '';
    this.#logger.info(
      `${this.stream}: ${counted}${window} in ${seconds.toFixed(1)} s (${Math.round(rate)} rows/s)${done ? ', done' : ''}`,
      { stream: this.stream },
    );
    this.#lastLog = now;
  }
}

/** Time left at `rate` rows/s: `45 s`, `12m05s`, `2h03m`; `unknown` before any row. */
export function eta(rowsLeft: number, rate: number): string {
  if (rowsLeft <= 0) return '0 s';
  if (!(rate > 0)) return 'unknown';
  const seconds = Math.ceil(rowsLeft / rate);
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s).padStart(2, '0')}s`;
}

/** The tap's last line: rows read per stream; when nothing was read, the window each stream read. */
export function summarizeRead(unsorted: readonly Progress[]): string {
  const streams = [...unsorted].sort((a, b) => a.stream.localeCompare(b.stream));
  const total = streams.reduce((sum, p) => sum + p.rows, 0);
  const count = `${streams.length} stream${streams.length === 1 ? '' : 's'}`;
  if (total === 0) {
    const windows = streams.map((p) => `${p.stream}: ${p.window ?? 'no window'}`).join('; ');
    return `Read 0 rows from ${count}: nothing in the windows read (${windows})`;
  }
  return `Read ${total} rows from ${count} (${streams.map((p) => `${p.stream} ${p.rows}`).join(', ')})`;
}
