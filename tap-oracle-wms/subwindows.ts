import { formatInstant, formatQuerySeconds, parseInstant } from './instant.js';

/**
 * High-churn incremental: one window [lower, signpost) split into time sub-windows read concurrently, with one
 * bookmark. The bookmark only ever covers the contiguous prefix of sub-windows: it moves into sub-window k only once
 * every sub-window before k is complete, so a run stopped at any moment resumes without skipping a row (rows already
 * read in later sub-windows are read again, at-least-once).
 */

/** One sub-window: `gte` inclusive, `lt` exclusive, microseconds since the epoch, whole seconds. */
export interface SubWindow {
  gte: number;
  lt: number;
}

const SECOND = 1_000_000;

/**
 * Splits [lower, upper) into at most `n` sub-windows of (nearly) equal whole seconds, covering it exactly and without
 * overlap. Bounds are whole seconds (lgfapi truncates sub-second filters): the lower bound floored, the upper ceiled,
 * as the single window's are.
 */
export function splitWindow(lower: number, upper: number, n: number): SubWindow[] {
  const from = Math.floor(lower / SECOND);
  const to = Math.max(from + 1, Math.ceil(upper / SECOND));
  const seconds = to - from;
  const parts = Math.max(1, Math.min(Math.floor(n), seconds));
  const windows: SubWindow[] = [];
  for (let i = 0; i < parts; i += 1) {
    const gte = from + Math.floor((seconds * i) / parts);
    const lt = from + Math.floor((seconds * (i + 1)) / parts);
    windows.push({ gte: gte * SECOND, lt: lt * SECOND });
  }
  return windows;
}

/** The query bounds of a sub-window, as the single window writes them. */
export function subWindowParams(key: string, window: SubWindow): URLSearchParams {
  const params = new URLSearchParams();
  params.set(`${key}__gte`, formatQuerySeconds(window.gte, 'floor'));
  params.set(`${key}__lt`, formatQuerySeconds(window.lt, 'ceil'));
  params.set('ordering', `${key},id`);
  return params;
}

interface Seen {
  text: string;
  instant: number;
}

interface WindowProgress {
  /** Greatest replication key value read from ordered pages (capped at the signpost). */
  best?: Seen;
  /** The same from unordered pages: it counts only once the sub-window is complete. */
  unordered?: Seen;
  complete: boolean;
}

/**
 * The one bookmark of a split window: the greatest of the bookmark the window started from, every value read in the
 * complete prefix, and what the first incomplete sub-window has read in order so far. Nothing read in a later
 * sub-window counts until every sub-window before it is complete, so every row below the bookmark has been written.
 * When every sub-window is complete it is what one window would have left: the greatest value read.
 */
export class PrefixBookmark {
  readonly #progress: WindowProgress[];
  readonly #signpost: number;
  readonly #start: Seen | undefined;

  /** `start`: the saved bookmark the window was computed from (undefined when there was none). */
  constructor(windows: readonly SubWindow[], signpost: number, start?: string) {
    this.#progress = windows.map(() => ({ complete: false }));
    this.#signpost = signpost;
    const instant = start === undefined ? undefined : parseInstant(start);
    this.#start = start === undefined || instant === undefined ? undefined : { text: start, instant };
  }

  /** Records the replication key values of one fully written page of sub-window `index`. */
  page(index: number, values: readonly unknown[], ordered: boolean): void {
    const progress = this.#progress[index];
    for (const value of values) {
      if (typeof value !== 'string') continue;
      const instant = parseInstant(value);
      if (instant === undefined) continue;
      const seen =
        instant > this.#signpost
          ? { text: formatInstant(this.#signpost), instant: this.#signpost }
          : { text: value, instant };
      if (ordered) progress.best = greater(progress.best, seen);
      else progress.unordered = greater(progress.unordered, seen);
    }
  }

  /** Sub-window `index` has been read to its end. */
  complete(index: number): void {
    const progress = this.#progress[index];
    progress.best = greater(progress.best, progress.unordered);
    progress.complete = true;
  }

  /** Whether every sub-window is complete. */
  get done(): boolean {
    return this.#progress.every((progress) => progress.complete);
  }

  /** The bookmark the prefix allows, as text, or undefined when nothing allows one yet. */
  bookmark(): string | undefined {
    let value = this.#start;
    for (const progress of this.#progress) {
      value = greater(value, progress.best);
      if (!progress.complete) break;
    }
    return value?.text;
  }
}

function greater(a: Seen | undefined, b: Seen | undefined): Seen | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.instant > a.instant ? b : a;
}
