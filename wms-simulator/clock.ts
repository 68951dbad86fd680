/**
 * The simulator's notion of "now". Tests move it (token expiry, mod_ts of updates) without sleeping,
 * and can freeze it so several updates share one mod_ts (the tie case keyset paging must survive).
 */
export class SimClock {
  private offsetMs = 0;
  private frozenAtMs: number | null = null;

  constructor(private readonly startMs: number | null = null) {
    this.reset();
  }

  nowMs(): number {
    return this.frozenAtMs ?? Date.now() + this.offsetMs;
  }

  /** Microseconds since the epoch; 2^53 µs is year 2255, so a double holds it exactly. */
  nowUs(): number {
    if (this.frozenAtMs !== null) return this.frozenAtMs * 1000;
    return Math.floor((performance.timeOrigin + performance.now()) * 1000) + this.offsetMs * 1000;
  }

  advance(seconds: number): void {
    if (this.frozenAtMs !== null) this.frozenAtMs += seconds * 1000;
    else this.offsetMs += seconds * 1000;
  }

  set(epochMs: number): void {
    if (this.frozenAtMs !== null) this.frozenAtMs = epochMs;
    else this.offsetMs = epochMs - Date.now();
  }

  freeze(frozen: boolean): void {
    if (frozen && this.frozenAtMs === null) this.frozenAtMs = this.nowMs();
    if (!frozen && this.frozenAtMs !== null) {
      this.offsetMs = this.frozenAtMs - Date.now();
      this.frozenAtMs = null;
    }
  }

  get frozen(): boolean {
    return this.frozenAtMs !== null;
  }

  reset(): void {
    this.frozenAtMs = null;
    this.offsetMs = this.startMs === null ? 0 : this.startMs - Date.now();
  }
}
