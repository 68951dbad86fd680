/** One memory reading: milliseconds since monitoring began, resident bytes of the process tree. */
export interface MemoryPoint {
  t: number;
  rssBytes: number;
}

export type LeakVerdictKind = 'no-leak' | 'leak' | 'insufficient-samples';

export interface LeakVerdictOptions {
  /** The trend must exceed this (MB per minute)… */
  thresholdMbPerMinute: number;
  /** …and the memory of the last third of the run must exceed the middle third's by this share of it. */
  minGrowthFraction?: number;
  /** Shorter runs get no verdict: start-up, buffers and GC dominate a few seconds. */
  minDurationSeconds?: number;
  minSamples?: number;
}

export interface LeakVerdict {
  verdict: LeakVerdictKind;
  leak: boolean;
  /** Theil–Sen slope of resident memory over the second half of the run, MB/min; null without a verdict. */
  trendMbPerMinute: number | null;
  /** Median memory of the last third minus that of the middle third, MB; null without a verdict. */
  growthMb: number | null;
  /** Why: the figures the verdict rests on, or what was missing. */
  reason: string;
}

export const LEAK_DEFAULTS = { minGrowthFraction: 0.1, minDurationSeconds: 20, minSamples: 10 } as const;

const MB = 1024 * 1024;
/** Theil–Sen is O(n²): longer series are thinned to this many evenly spaced points. */
const MAX_SLOPE_POINTS = 200;

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Theil–Sen estimator: the median of the slopes between all pairs of points (robust to GC drops and spikes). */
export function theilSenSlope(points: readonly { x: number; y: number }[]): number {
  let used = points;
  if (points.length > MAX_SLOPE_POINTS) {
    const step = (points.length - 1) / (MAX_SLOPE_POINTS - 1);
    used = Array.from({ length: MAX_SLOPE_POINTS }, (_, i) => points[Math.round(i * step)]);
  }
  const slopes: number[] = [];
  for (let i = 0; i < used.length; i += 1) {
    for (let j = i + 1; j < used.length; j += 1) {
      const dx = used[j].x - used[i].x;
      if (dx !== 0) slopes.push((used[j].y - used[i].y) / dx);
    }
  }
  return slopes.length === 0 ? 0 : median(slopes);
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Leak verdict from a memory trace. The first half of a run is start-up and buffer warm-up, so the trend is the
 * Theil–Sen slope over the second half; a leak needs that slope above the threshold AND the median of the last third
 * above the median of the middle third by `minGrowthFraction` of it (a GC sawtooth or one late spike moves neither
 * median much). Runs shorter than `minDurationSeconds` or with fewer than `minSamples` readings get no verdict.
 */
export function assessLeak(points: readonly MemoryPoint[], options: LeakVerdictOptions): LeakVerdict {
  const minDuration = options.minDurationSeconds ?? LEAK_DEFAULTS.minDurationSeconds;
  const minSamples = options.minSamples ?? LEAK_DEFAULTS.minSamples;
  const minGrowth = options.minGrowthFraction ?? LEAK_DEFAULTS.minGrowthFraction;
  const seconds = points.length < 2 ? 0 : (points[points.length - 1].t - points[0].t) / 1000;
  if (seconds < minDuration || points.length < minSamples) {
    return {
      verdict: 'insufficient-samples',
      leak: false,
      trendMbPerMinute: null,
      growthMb: null,
      reason: `${points.length} memory samples over ${round(seconds, 1)} s; a leak verdict needs at least ${minSamples} samples over ${minDuration} s`,
    };
  }
  const t0 = points[0].t;
  const span = points[points.length - 1].t - t0;
  const between = (from: number, to: number): MemoryPoint[] =>
    points.filter((p) => p.t - t0 >= from * span && p.t - t0 <= to * span);
  const secondHalf = between(1 / 2, 1);
  const trend = theilSenSlope(secondHalf.map((p) => ({ x: p.t / 60_000, y: p.rssBytes / MB })));
  const middle = median(between(1 / 3, 2 / 3).map((p) => p.rssBytes / MB));
  const last = median(between(2 / 3, 1).map((p) => p.rssBytes / MB));
  const growth = last - middle;
  const growthNeeded = minGrowth * middle;
  const leak = trend > options.thresholdMbPerMinute && growth > growthNeeded;
  return {
    verdict: leak ? 'leak' : 'no-leak',
    leak,
    trendMbPerMinute: round(trend, 2),
    growthMb: round(growth, 1),
    reason:
      `trend ${round(trend, 2)} MB/min over the second half (leak above ${options.thresholdMbPerMinute}); ` +
      `median of the last third ${round(growth, 1)} MB above the middle third's ${round(middle, 1)} MB (leak above ${round(growthNeeded, 1)} MB)`,
  };
}
