/** A counting semaphore: at most `limit` tasks run at once; waiters are served in arrival order. */
export class Semaphore {
  readonly limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = Math.max(1, Math.floor(limit));
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active += 1;
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // Hand the slot straight to the next waiter so a newcomer cannot jump the queue.
      if (next) next();
      else this.#active -= 1;
    }
  }
}

/**
 * Runs `work` over `items` with at most `limit` in flight. The first failure (in time) is rethrown once every
 * started task has settled; `onFailure` lets the caller tell running tasks to stop, and tasks not yet started are
 * skipped.
 */
export async function forEachConcurrent<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
  onFailure?: (error: unknown) => void,
): Promise<void> {
  const semaphore = new Semaphore(limit);
  let failure: { error: unknown } | undefined;
  await Promise.all(
    items.map((item, index) =>
      semaphore.run(async () => {
        if (failure) return;
        try {
          await work(item, index);
        } catch (error) {
          if (!failure) {
            failure = { error };
            onFailure?.(error);
          }
        }
      }),
    ),
  );
  if (failure) throw failure.error;
}
