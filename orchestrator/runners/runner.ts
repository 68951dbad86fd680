import type { MetricPoint } from '../../singer/index.js';
import type { StderrCollector } from '../stderr-collector.js';

export interface AttemptOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with every child process started (for the resource monitor). */
  onSpawn(pid: number): void;
  onMetric(source: 'tap' | 'target', point: MetricPoint): void;
  onLine?(source: 'tap' | 'target' | 'meltano', line: string): void;
}

/** The outcome of one attempt of one run. */
export interface AttemptOutcome {
  success: boolean;
  exitCode: number;
  retriable: boolean;
  error?: string;
  timedOut: boolean;
  /** The last state line the target wrote (text, exact), direct runner only. */
  stateText?: string;
  tap: StderrCollector;
  target: StderrCollector;
}
