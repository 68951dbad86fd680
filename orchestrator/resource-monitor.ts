import type { MetricPoint } from '../singer/index.js';
import { readProcessTree, USER_HZ } from './proc-stats.js';

export interface ResourceSample {
  /** Milliseconds since the monitor started. */
  t: number;
  rssBytes: number;
  /** CPU use of the tree since the previous sample, in % of one core (can exceed 100 on several cores). */
  cpuPercent: number;
  processes: number;
}

export interface ResourceReport {
  samples: number;
  peakMemoryMb: number;
  peakCpuPercent: number;
  averageCpuPercent: number;
  /** Least-squares slope of resident memory over the second half of the samples. */
  memoryTrendMbPerMinute: number | null;
  memoryLeakDetected: boolean;
  /** Why there is no verdict, e.g. too few samples. */
  leakVerdict: 'no-leak' | 'leak' | 'insufficient-samples';
  /**
   * Connection reuse, from the target's `pool` metrics: pool_max / connections_opened, capped at 1 (1 = each pooled
   * connection was opened once and reused for the whole run; lower = connections were dropped and reopened).
   * null when the target reported no pool metric.
   */
  connectionPoolEfficiency: number | null;
  /** Mean share of open connections in use when the target reported (after each committed batch). */
  connectionPoolUtilization: number | null;
  /** Connections still in use or never closed after the target closed its pool; null when it reported none. */
  connectionLeaks: number | null;
  poolMetricsSeen: number;
}

export interface ResourceMonitorOptions {
  /** The processes to watch (with their descendants); read at every sample so late children count too. */
  pids: () => readonly number[];
  intervalMs: number;
  leakThresholdMbPerMinute: number;
  /** A leak verdict needs at least this many samples in total. */
  minSamplesForVerdict?: number;
}

const MB = 1024 * 1024;

/** Least-squares slope of y over x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Memory-leak verdict from the trend: the least-squares slope of resident memory over the SECOND half of the
 * samples (the first half is start-up and buffer warm-up) must stay under `thresholdMbPerMinute`.
 */
export function leakVerdict(samples: readonly ResourceSample[], thresholdMbPerMinute: number, minSamples = 10): { trend: number | null; leak: boolean; verdict: ResourceReport['leakVerdict'] } {
  if (samples.length < minSamples) return { trend: null, leak: false, verdict: 'insufficient-samples' };
  const half = samples.slice(Math.floor(samples.length / 2));
  const trend = slope(half.map((s) => ({ x: s.t / 60_000, y: s.rssBytes / MB })));
  const leak = trend > thresholdMbPerMinute;
  return { trend: Math.round(trend * 100) / 100, leak, verdict: leak ? 'leak' : 'no-leak' };
}

function poolEfficiency(last: { opened?: number; max?: number } | undefined): number | null {
  if (!last || last.opened === undefined || last.max === undefined) return null;
  if (last.opened === 0) return 1;
  return Math.round(Math.min(1, last.max / last.opened) * 1000) / 1000;
}

/**
 * Samples RSS and CPU of the pipeline's processes from /proc while a run goes on, and folds the target's pool
 * METRIC lines (`pool`, see target-oracle/target.ts) into pool efficiency
 * and leak figures.
 */
export class ResourceMonitor {
  readonly #options: ResourceMonitorOptions;
  readonly #samples: ResourceSample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #started = 0;
  #previousTicks = new Map<number, number>();
  #previousAt = 0;
  #sampling: Promise<void> = Promise.resolve();
  #pool = { seen: 0, busySum: 0, busySamples: 0, last: undefined as { inUse: number; opened?: number; closed?: number; max?: number } | undefined };

  constructor(options: ResourceMonitorOptions) {
    this.#options = options;
  }

  start(): void {
    this.#started = Date.now();
    this.#previousAt = this.#started;
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.#options.intervalMs);
  }

  async stop(): Promise<ResourceReport> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sampling;
    return this.report();
  }

  /** Runs `work` while sampling (the seed test plan's `track_usage`). */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.start();
    try {
      return await work();
    } finally {
      await this.stop();
    }
  }

  /**
   * Feeds one METRIC point from the target; its `pool` counters are used (tags connections_open, connections_in_use,
   * connections_opened, connections_closed, pool_max: one after every committed batch and a last one after the pool
   * closed), others are ignored.
   */
  observeMetric(point: MetricPoint): void {
    if (point.metric !== 'pool') return;
    const tag = (name: string): number | undefined => {
      const value = Number(point.tags[name]);
      return Number.isFinite(value) ? value : undefined;
    };
    const open = tag('connections_open');
    const inUse = tag('connections_in_use') ?? point.value;
    this.#pool.seen += 1;
    if (open !== undefined && open > 0) {
      this.#pool.busySum += inUse / open;
      this.#pool.busySamples += 1;
    }
    this.#pool.last = { inUse, opened: tag('connections_opened'), closed: tag('connections_closed'), max: tag('pool_max') };
  }

  get samples(): readonly ResourceSample[] {
    return this.#samples;
  }

  report(): ResourceReport {
    const samples = this.#samples;
    const peakRss = samples.reduce((max, s) => Math.max(max, s.rssBytes), 0);
    const cpu = samples.slice(1).map((s) => s.cpuPercent);
    const { trend, leak, verdict } = leakVerdict(samples, this.#options.leakThresholdMbPerMinute, this.#options.minSamplesForVerdict);
    const pool = this.#pool;
    return {
      samples: samples.length,
      peakMemoryMb: Math.round((peakRss / MB) * 10) / 10,
      peakCpuPercent: Math.round(Math.max(0, ...cpu) * 10) / 10,
      averageCpuPercent: cpu.length === 0 ? 0 : Math.round((cpu.reduce((a, b) => a + b, 0) / cpu.length) * 10) / 10,
      memoryTrendMbPerMinute: trend,
      memoryLeakDetected: leak,
      leakVerdict: verdict,
      connectionPoolEfficiency: poolEfficiency(pool.last),
      connectionPoolUtilization: pool.busySamples === 0 ? null : Math.round((pool.busySum / pool.busySamples) * 1000) / 1000,
      connectionLeaks: pool.last === undefined ? null : Math.max(pool.last.inUse, (pool.last.opened ?? 0) - (pool.last.closed ?? pool.last.opened ?? 0)),
      poolMetricsSeen: pool.seen,
    };
  }

  #tick(): void {
    this.#sampling = this.#sampling.then(async () => {
      const pids = this.#options.pids();
      if (pids.length === 0) return;
      const readings = await readProcessTree(pids);
      const now = Date.now();
      const elapsed = (now - this.#previousAt) / 1000;
      let deltaTicks = 0;
      const ticks = new Map<number, number>();
      for (const reading of readings) {
        ticks.set(reading.pid, reading.cpuTicks);
        const before = this.#previousTicks.get(reading.pid);
        // A process first seen now counts from its start: its whole CPU time falls into this interval at most.
        deltaTicks += before === undefined ? (this.#samples.length === 0 ? 0 : reading.cpuTicks) : reading.cpuTicks - before;
      }
      this.#previousTicks = ticks;
      this.#previousAt = now;
      this.#samples.push({
        t: now - this.#started,
        rssBytes: readings.reduce((sum, r) => sum + r.rssBytes, 0),
        cpuPercent: elapsed > 0 ? ((deltaTicks / USER_HZ) / elapsed) * 100 : 0,
        processes: readings.length,
      });
    });
  }
}
