import { forEachConcurrent, Semaphore } from '../../../tap-oracle-wms/concurrency.js';
import { RateLimiter } from '../../../tap-oracle-wms/http/rate-limiter.js';
import { expect } from './helpers.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tap concurrency primitives and rate limiter (timers, no I/O)', () => {
  it('Semaphore keeps at most `limit` tasks running', async () => {
    const semaphore = new Semaphore(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        semaphore.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await tick(5);
          running -= 1;
        }),
      ),
    );
    expect(peak).to.equal(3);
  });

  it('forEachConcurrent rethrows the first failure in time, tells the caller, and skips tasks not started', async () => {
    const started: number[] = [];
    let told: unknown;
    const error = await forEachConcurrent(
      [0, 1, 2, 3, 4, 5],
      2,
      async (item) => {
        started.push(item);
        await tick(item === 0 ? 30 : 5);
        if (item === 0) throw new Error('late failure');
        if (item === 1) throw new Error('first failure');
      },
      (e) => {
        told = e;
      },
    ).catch((e: unknown) => e);
    expect((error as Error).message).to.equal('first failure');
    expect((told as Error).message).to.equal('first failure');
    expect(started).to.not.include(5);
  });

  it('RateLimiter spaces request starts 1/rate apart; 0 means no limit', async () => {
    const limiter = new RateLimiter(50);
    const started = Date.now();
    for (let i = 0; i < 6; i += 1) await limiter.acquire();
    expect(Date.now() - started).to.be.at.least(95);
    const free = new RateLimiter(0);
    const t = Date.now();
    for (let i = 0; i < 100; i += 1) await free.acquire();
    expect(Date.now() - t).to.be.lessThan(20);
  });
});
