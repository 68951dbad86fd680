/** Delay before retry number `attempt` (1-based): initial × 2^(attempt−1), capped. */
export function backoffDelaySeconds(attempt: number, initialSeconds: number, maxSeconds: number): number {
  return Math.min(maxSeconds, initialSeconds * 2 ** Math.max(0, attempt - 1));
}
