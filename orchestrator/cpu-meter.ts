import { availableParallelism } from 'node:os';
import { USER_HZ, type ProcessReading } from './proc-stats.js';

/** CPU use of a process tree over one window. */
export interface CpuWindow {
  /** `performance.now()` at the end of the window. */
  end: number;
  seconds: number;
  /** % of one core: at most cores × 100. */
  cpuPercent: number;
}

export interface CpuMeterOptions {
  /** `performance.now()` when watching began: processes started later count from their start. */
  startedAt: number;
  /** Windows shorter than this are extended to the next reading: CPU time comes in 10 ms ticks per process. */
  minWindowMs?: number;
  cores?: number;
  /** performance.now() → seconds since boot (see bootClock); without it a process first seen mid-window is not counted in that window. */
  uptimeOf?: (performanceNow: number) => number;
}

/**
 * CPU % of a changing set of processes from their utime+stime readings. Only CPU time known to fall inside a window is
 * counted: a process first seen in a window counts all its ticks only if it started inside the window (stat
 * starttime), otherwise its reading is a baseline for the next one. A process that exits mid-window counts up to its
 * last reading. So the figure can undercount, never overcount, except by tick rounding, which the cap absorbs.
 */
export class CpuMeter {
  readonly cores: number;
  readonly windows: CpuWindow[] = [];
  readonly #minWindowMs: number;
  readonly #uptimeOf: ((performanceNow: number) => number) | undefined;
  #windowStart: number;
  #lastAt: number;
  /** Ticks per process (pid:starttime, so a reused pid is another process) at the window start, and latest. */
  #base = new Map<string, number>();
  #last = new Map<string, number>();
  #totalCpuSeconds = 0;
  #totalSeconds = 0;

  constructor(options: CpuMeterOptions) {
    this.cores = options.cores ?? availableParallelism();
    this.#minWindowMs = options.minWindowMs ?? 500;
    this.#uptimeOf = options.uptimeOf;
    this.#windowStart = options.startedAt;
    this.#lastAt = options.startedAt;
  }

  /** One reading of the tree taken at `at` (performance.now()); returns the window it closed, if any. */
  observe(readings: readonly ProcessReading[], at: number): CpuWindow | undefined {
    const windowStartUptime = this.#uptimeOf?.(this.#windowStart);
    for (const reading of readings) {
      const key = `${reading.pid}:${reading.startTicks}`;
      if (!this.#base.has(key)) {
        const startedInWindow = windowStartUptime !== undefined && reading.startTicks / USER_HZ >= windowStartUptime;
        this.#base.set(key, startedInWindow ? 0 : reading.cpuTicks);
      }
      this.#last.set(key, reading.cpuTicks);
    }
    this.#lastAt = Math.max(this.#lastAt, at);
    if (at - this.#windowStart < this.#minWindowMs) return undefined;
    const window = this.#close(at);
    const alive = new Set(readings.map((reading) => `${reading.pid}:${reading.startTicks}`));
    this.#base = new Map([...this.#last].filter(([key]) => alive.has(key)));
    this.#last = new Map(this.#base);
    return window;
  }

  /** Closes the last window at the last reading if it is long enough (the processes have exited). */
  finish(): CpuWindow | undefined {
    if (this.#lastAt - this.#windowStart < this.#minWindowMs) return undefined;
    const window = this.#close(this.#lastAt);
    this.#base = new Map();
    this.#last = new Map();
    return window;
  }

  /** Time-weighted mean over the closed windows, in % of one core; null before the first window. */
  get averagePercent(): number | null {
    return this.#totalSeconds === 0
      ? null
      : Math.min(this.cores * 100, (this.#totalCpuSeconds / this.#totalSeconds) * 100);
  }

  #close(end: number): CpuWindow {
    let ticks = 0;
    for (const [key, base] of this.#base) ticks += Math.max(0, (this.#last.get(key) ?? base) - base);
    const seconds = (end - this.#windowStart) / 1000;
    const cpuSeconds = Math.min(ticks / USER_HZ, seconds * this.cores);
    this.#totalCpuSeconds += cpuSeconds;
    this.#totalSeconds += seconds;
    const window = { end, seconds, cpuPercent: (cpuSeconds / seconds) * 100 };
    this.windows.push(window);
    this.#windowStart = end;
    return window;
  }
}
