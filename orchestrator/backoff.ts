/** Delay before retry number `attempt` (1-based): initial × 2^(attempt−1), capped. */
export function backoffDelaySeconds(attempt: number, initialSeconds: number, maxSeconds: number): number {
  return Math.min(maxSeconds, initialSeconds * 2 ** Math.max(0, attempt - 1));
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
