import { sleep } from '../../singer/index.js';

/** Spaces request starts at least 1/rate seconds apart (0 = no limit). Shared by every request of a run. */
export class RateLimiter {
  readonly #intervalMs: number;
  #nextSlot = 0;

  constructor(perSecond: number) {
    this.#intervalMs = perSecond > 0 ? 1000 / perSecond : 0;
  }

  async acquire(): Promise<void> {
    if (this.#intervalMs === 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + this.#intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}
