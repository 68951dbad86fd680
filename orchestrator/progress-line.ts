import type { Writable } from 'node:stream';
import { formatDuration } from './run-report.js';

/** Milliseconds between redraws: the line is never older than this (the tap's counts are at most 2 s behind). */
export const PROGRESS_REDRAW_MS = 1_000;

/** Time and timers of the progress line; tests pass a manual clock. */
export interface ProgressClock {
  now(): number;
  every(ms: number, tick: () => void): { stop(): void };
}

export const realClock: ProgressClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  },
};

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * One line rewritten in place on a TTY, fed from the METRIC lines of the tap (`record_count`: rows read,
 * `record_count_expected`: rows the WMS counted) and the target (`record_count`: rows committed). Rows read and rows
 * committed are counted apart; with a total, the line shows the share read and an ETA. Redrawn every second by a
 * timer. Not used when the output is not a terminal.
 */
export class ProgressLine {
  readonly #out: Writable & { columns?: number };
  readonly #clock: ProgressClock;
  readonly #started: number;
  #timer: { stop(): void } | undefined;
  #read: Record<string, number> = {};
  #committed: Record<string, number> = {};
  #expected: Record<string, number> = {};
  #drawn = false;

  constructor(
    out: Writable,
    private readonly label: string,
    clock: ProgressClock = realClock,
  ) {
    this.#out = out;
    this.#clock = clock;
    this.#started = clock.now();
  }

  start(intervalMs = PROGRESS_REDRAW_MS): void {
    this.#timer = this.#clock.every(intervalMs, () => this.draw());
  }

  /** Rows read (tap) or committed (target) since the last report of that stream. */
  update(source: 'tap' | 'target', stream: string, rows: number): void {
    const table = source === 'tap' ? this.#read : this.#committed;
    table[stream] = (table[stream] ?? 0) + rows;
  }

  /** Rows the WMS says a slice of the stream holds (the tap's record_count_expected). */
  expect(stream: string, rows: number): void {
    this.#expected[stream] = (this.#expected[stream] ?? 0) + rows;
  }

  render(now = this.#clock.now()): string {
    const elapsed = Math.max(0, (now - this.#started) / 1000);
    const sum = (t: Record<string, number>): number => Object.values(t).reduce((a, b) => a + b, 0);
    const read = sum(this.#read);
    const committed = sum(this.#committed);
    const rate = elapsed > 0 ? read / elapsed : 0;
    // A total is known only when every stream read so far was counted by the WMS.
    const counted = Object.keys(this.#read).every((stream) => stream in this.#expected);
    const total = sum(this.#expected);
    let reading = `${integer.format(read)} rows read`;
    if (counted && total > 0) {
      const percent = Math.min(100, Math.floor((read / total) * 100));
      const left = Math.max(0, total - read);
      const eta = left === 0 ? 'ETA 0 s' : rate > 0 ? `ETA ${formatDuration(Math.ceil(left / rate))}` : 'ETA unknown';
      reading = `${integer.format(read)} of ${integer.format(total)} rows read (${percent}%, ${eta})`;
    }
    const m = Math.floor(elapsed / 60);
    const s = Math.floor(elapsed % 60);
    const streams = Object.entries(this.#read)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([name, n]) => `${name} ${integer.format(n)}`)
      .join(', ');
    return `${this.label}: ${reading}, ${integer.format(committed)} committed, ${integer.format(Math.round(rate))} rows/s, ${m}:${String(s).padStart(2, '0')} elapsed${streams ? ` [${streams}]` : ''}`;
  }

  draw(): void {
    const width = this.#out.columns ?? 120;
    this.#out.write(`\r\x1b[K${this.render().slice(0, width - 1)}`);
    this.#drawn = true;
  }

  stop(): void {
    this.#timer?.stop();
    this.#timer = undefined;
    if (this.#drawn) this.#out.write('\r\x1b[K');
  }
}
