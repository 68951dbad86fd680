import type { HttpFailure } from './errors.js';

/** Longest Retry-After we honour; a server asking for more is treated as down. */
export const MAX_RETRY_AFTER_SECONDS = 300;

export interface RetrySettings {
  maxRetries: number;
  initialSeconds: number;
  maxSeconds: number;
}

/**
 * Exponential backoff with full jitter (delay in [d/2, d], d = initial × 2^(retry-1), capped), except that a
 * server's Retry-After wins when it asks for longer. `random` is injected so tests are deterministic.
 */
export class RetryPolicy {
  readonly #settings: RetrySettings;
  readonly #random: () => number;

  constructor(settings: RetrySettings, random: () => number = Math.random) {
    this.#settings = settings;
    this.#random = random;
  }

  get maxRetries(): number {
    return this.#settings.maxRetries;
  }

  /** Seconds to wait before retry number `retry` (1-based) after `failure`, or undefined to give up. */
  delaySeconds(retry: number, failure: HttpFailure): number | undefined {
    if (failure.kind !== 'retriable' || retry > this.#settings.maxRetries) return undefined;
    const backoff = this.backoffSeconds(retry);
    const asked = failure.retryAfterSeconds;
    if (asked !== undefined) {
      if (asked > MAX_RETRY_AFTER_SECONDS) return undefined;
      return Math.max(asked, backoff);
    }
    return backoff;
  }

  /** The jittered exponential delay before retry number `retry` (1-based), whatever the budget. */
  backoffSeconds(retry: number): number {
    const ceiling = Math.min(this.#settings.maxSeconds, this.#settings.initialSeconds * 2 ** (retry - 1));
    return ceiling / 2 + (ceiling / 2) * this.#random();
  }
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}
