import { performance } from 'node:perf_hooks';
import { PEAK_RSS_METRIC, type MetricPoint } from '../singer/index.js';
import { CpuMeter } from './cpu-meter.js';
import { assessLeak, type LeakVerdictKind, type LeakVerdictOptions } from './leak-verdict.js';
import { bootClock, readProcessTree } from './proc-stats.js';

export interface ResourceSample {
  /** Milliseconds since the monitor started, when the tree was read. */
  t: number;
  rssBytes: number;
  processes: number;
}

export interface ResourceReport {
  /** Readings of the process tree (interval, plus one right after each spawn). */
  samples: number;
  /**
   * max(sampledPeakMemoryMb, reportedPeakMemoryMb): never below what any reading or process saw. The reported sum can
   * overstate the true simultaneous peak (the processes' peaks need not coincide); it is the figure for runs shorter
   * than the sampling interval.
   */
  peakMemoryMb: number;
  /** The highest sum of RSS over the tree in one reading. */
  sampledPeakMemoryMb: number;
  /** The sum of the peak RSS each executable reported at exit (METRIC process_peak_rss_bytes); null if none did. */
  reportedPeakMemoryMb: number | null;
  /** Reported peak RSS per executable ("tap-oracle-wms pid 123" → MB). */
  processPeakMemoryMb: Record<string, number>;
  /** The busiest window (≥ 0.5 s) in % of one core: at most cpuCores × 100. null before the first full window. */
  peakCpuPercent: number | null;
  /** peakCpuPercent as % of the whole machine (0–100). */
  peakCpuPercentOfMachine: number | null;
  /** Time-weighted mean over the windows, in % of one core. */
  averageCpuPercent: number | null;
  /** os.availableParallelism(). */
  cpuCores: number;
  cpuWindows: number;
  /** Theil–Sen slope of resident memory over the second half of the run; null without a verdict. */
  memoryTrendMbPerMinute: number | null;
  /** Median memory of the last third of the run minus that of the middle third; null without a verdict. */
  memoryGrowthMb: number | null;
  memoryLeakDetected: boolean;
  leakVerdict: LeakVerdictKind;
  /** The figures behind the verdict, or why there is none (e.g. a run of a few seconds). */
  leakVerdictReason: string;
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
  /** Leak verdict preconditions and relative threshold (defaults: LEAK_DEFAULTS). */
  leak?: Omit<LeakVerdictOptions, 'thresholdMbPerMinute'>;
  /** Shortest CPU window (default 500 ms). */
  minCpuWindowMs?: number;
  /** Default os.availableParallelism(). */
  cpuCores?: number;
}

const MB = 1024 * 1024;

function poolEfficiency(last: { opened?: number; max?: number } | undefined): number | null {
  if (!last || last.opened === undefined || last.max === undefined) return null;
  if (last.opened === 0) return 1;
  return Math.round(Math.min(1, last.max / last.opened) * 1000) / 1000;
}

/**
 * Samples RSS and CPU of the pipeline's processes from /proc while a run goes on (every interval, and at once when
 * `sampleNow()` is called, e.g. right after a spawn), takes the peak RSS each executable reports at exit, and folds the
 * target's pool METRIC lines (`pool`, see target-oracle/pool-metric.ts) into pool efficiency and leak figures.
 */
export class ResourceMonitor {
  readonly #options: ResourceMonitorOptions;
  readonly #samples: ResourceSample[] = [];
  readonly #reportedPeaks = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #cpu: CpuMeter;
  #sampling: Promise<void> = Promise.resolve();
  /** A sample is queued and has not started reading yet: another request joins it. */
  #queued: Promise<void> | undefined;
  #pool = {
    seen: 0,
    busySum: 0,
    busySamples: 0,
    last: undefined as { inUse: number; opened?: number; closed?: number; max?: number } | undefined,
  };

  constructor(options: ResourceMonitorOptions) {
    this.#options = options;
    this.#cpu = new CpuMeter({
      startedAt: performance.now(),
      cores: options.cpuCores,
      minWindowMs: options.minCpuWindowMs,
    });
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#cpu = new CpuMeter({
      startedAt: this.#startedAt,
      cores: this.#options.cpuCores,
      minWindowMs: this.#options.minCpuWindowMs,
      uptimeOf: bootClock(),
    });
    void this.sampleNow();
    this.#timer = setInterval(() => void this.sampleNow(), this.#options.intervalMs);
  }

  async stop(): Promise<ResourceReport> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#sampling;
    this.#cpu.finish();
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

  /** Reads the tree now (after any reading in progress); call it right after spawning a process. */
  sampleNow(): Promise<void> {
    if (this.#queued) return this.#queued;
    const queued = this.#sampling.then(() => {
      this.#queued = undefined;
      return this.#sample();
    });
    this.#queued = queued;
    this.#sampling = queued.catch(() => undefined);
    return this.#sampling;
  }

  /**
   * Feeds one METRIC point of the pipeline. Used: `process_peak_rss_bytes` (every executable, at exit) and the
   * target's `pool` counters (tags connections_open, connections_in_use, connections_opened, connections_closed,
   * pool_max: one after every committed batch and a last one after the pool closed); others are ignored.
   */
  observeMetric(point: MetricPoint, source = 'process'): void {
    if (point.metric === PEAK_RSS_METRIC) {
      const { executable, pid } = point.tags ?? {};
      const key = `${typeof executable === 'string' ? executable : source} pid ${typeof pid === 'number' ? pid : '?'}`;
      if (Number.isFinite(point.value) && point.value > 0)
        this.#reportedPeaks.set(key, Math.max(point.value, this.#reportedPeaks.get(key) ?? 0));
      return;
    }
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
    this.#pool.last = {
      inUse,
      opened: tag('connections_opened'),
      closed: tag('connections_closed'),
      max: tag('pool_max'),
    };
  }

  get samples(): readonly ResourceSample[] {
    return this.#samples;
  }

  report(): ResourceReport {
    const samples = this.#samples;
    const mb = (bytes: number): number => Math.round((bytes / MB) * 10) / 10;
    const pct = (value: number | null): number | null => (value === null ? null : Math.round(value * 10) / 10);
    const sampledPeak = samples.reduce((max, s) => Math.max(max, s.rssBytes), 0);
    const reported = [...this.#reportedPeaks.values()];
    const reportedSum = reported.reduce((a, b) => a + b, 0);
    const windows = this.#cpu.windows;
    const peakCpu = windows.length === 0 ? null : Math.max(...windows.map((w) => w.cpuPercent));
    const leak = assessLeak(samples, {
      thresholdMbPerMinute: this.#options.leakThresholdMbPerMinute,
      ...this.#options.leak,
    });
    const pool = this.#pool;
    return {
      samples: samples.length,
      peakMemoryMb: mb(Math.max(sampledPeak, reportedSum)),
      sampledPeakMemoryMb: mb(sampledPeak),
      reportedPeakMemoryMb: reported.length === 0 ? null : mb(reportedSum),
      processPeakMemoryMb: Object.fromEntries([...this.#reportedPeaks].map(([key, bytes]) => [key, mb(bytes)])),
      peakCpuPercent: pct(peakCpu),
      peakCpuPercentOfMachine: pct(peakCpu === null ? null : peakCpu / this.#cpu.cores),
      averageCpuPercent: pct(this.#cpu.averagePercent),
      cpuCores: this.#cpu.cores,
      cpuWindows: windows.length,
      memoryTrendMbPerMinute: leak.trendMbPerMinute,
      memoryGrowthMb: leak.growthMb,
      memoryLeakDetected: leak.leak,
      leakVerdict: leak.verdict,
      leakVerdictReason: leak.reason,
      connectionPoolEfficiency: poolEfficiency(pool.last),
      connectionPoolUtilization:
        pool.busySamples === 0 ? null : Math.round((pool.busySum / pool.busySamples) * 1000) / 1000,
      connectionLeaks:
        pool.last === undefined
          ? null
          : Math.max(pool.last.inUse, (pool.last.opened ?? 0) - (pool.last.closed ?? pool.last.opened ?? 0)),
      poolMetricsSeen: pool.seen,
    };
  }

  async #sample(): Promise<void> {
    const pids = this.#options.pids();
    if (pids.length === 0) return;
    const readings = await readProcessTree(pids);
    // Gone processes are not a reading of 0 MB, and would stretch the CPU window past their last tick.
    if (readings.length === 0) return;
    const at = Math.max(...readings.map((r) => r.at));
    this.#cpu.observe(readings, at);
    this.#samples.push({
      t: at - this.#startedAt,
      rssBytes: readings.reduce((sum, r) => sum + r.rssBytes, 0),
      processes: readings.length,
    });
  }
}
