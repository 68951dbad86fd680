import { type FailureReport, parseFailureLine, parseMetricLine, type MetricPoint } from '../singer/index.js';

export interface StreamProgress {
  rows: number;
  firstAt: number;
  lastAt: number;
}

/**
 * Reads one child's stderr line by line: METRIC lines become counters (per stream for `record_count`), the failure
 * report (singer/failure.ts) is kept as data, and the last lines are kept (scrubbed later) to explain a failure. Counts are per source so tap-sent and target-loaded rows stay
 * apart.
 */
export class StderrCollector {
  readonly streams = new Map<string, StreamProgress>();
  readonly metricTotals: Record<string, number> = {};
  readonly tail: string[] = [];
  errorLines = 0;
  /** The child's failure report, when it wrote one (its last line when it failed). */
  failure: FailureReport | undefined;
  /** Sees every non-empty line first (e.g. to echo a child's stderr). */
  onLine: ((line: string) => void) | undefined;
  #partial = '';

  constructor(
    private readonly onMetric?: (point: MetricPoint) => void,
    private readonly tailSize = 40,
  ) {}

  push(chunk: Buffer | string): void {
    const parts = (this.#partial + chunk.toString()).split(/\r?\n/);
    this.#partial = parts.pop() ?? '';
    for (const line of parts) this.line(line);
  }

  end(): void {
    if (this.#partial !== '') this.line(this.#partial);
    this.#partial = '';
  }

  line(line: string): void {
    if (line === '') return;
    this.onLine?.(line);
    const point = parseMetricLine(line);
    if (point) {
      this.metricTotals[point.metric] =
        (this.metricTotals[point.metric] ?? 0) + (point.type === 'counter' ? point.value : 1);
      if (point.metric === 'record_count' && typeof point.tags?.stream === 'string') {
        const now = Date.now();
        const progress = this.streams.get(point.tags.stream) ?? { rows: 0, firstAt: now, lastAt: now };
        progress.rows += point.value;
        progress.lastAt = now;
        this.streams.set(point.tags.stream, progress);
      }
      this.onMetric?.(point);
      return;
    }
    const failure = parseFailureLine(line);
    if (failure) {
      this.failure = failure;
      return;
    }
    if (/^(ERROR|CRITICAL)\b/.test(line) || /"level":\s*"(error|critical)"/.test(line)) this.errorLines += 1;
    this.tail.push(line);
    if (this.tail.length > this.tailSize) this.tail.shift();
  }

  totalRows(): number {
    let total = 0;
    for (const progress of this.streams.values()) total += progress.rows;
    return total;
  }

  /** The CRITICAL/ERROR lines of the tail, else its last lines: what explains a failure. */
  failureLines(max = 5): string[] {
    const serious = this.tail.filter(
      (line) => /^(ERROR|CRITICAL)\b/.test(line) || /"level":\s*"(error|critical)"/.test(line),
    );
    return (serious.length > 0 ? serious : this.tail).slice(-max);
  }
}
