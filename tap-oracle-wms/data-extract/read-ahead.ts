/**
 * Pulls up to `depth` items from an async iterator before they are asked for, in the background. A failure is kept
 * and thrown when its turn comes, after the items read before it: files read ahead fail in file order.
 */
export class ReadAhead<T> {
  readonly #source: AsyncIterator<T>;
  readonly #depth: number;
  readonly #buffer: ({ value: T } | { error: unknown } | { done: true })[] = [];
  #pumping = false;
  #finished = false;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(source: AsyncIterator<T>, depth: number) {
    this.#source = source;
    this.#depth = Math.max(1, depth);
    this.#pump();
  }

  #pump(): void {
    if (this.#pumping || this.#finished || this.#closed) return;
    this.#pumping = true;
    void (async () => {
      try {
        while (!this.#finished && !this.#closed && this.#buffer.length < this.#depth) {
          try {
            const next = await this.#source.next();
            if (next.done) {
              this.#finished = true;
              this.#buffer.push({ done: true });
            } else this.#buffer.push({ value: next.value });
          } catch (error) {
            this.#finished = true;
            this.#buffer.push({ error });
          }
          this.#wake?.();
        }
      } finally {
        this.#pumping = false;
      }
    })();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    while (this.#buffer.length === 0) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
    const item = this.#buffer.shift()!;
    this.#pump();
    if ('error' in item) throw item.error;
    if ('done' in item) {
      this.#buffer.unshift(item);
      return { done: true, value: undefined };
    }
    return { done: false, value: item.value };
  }

  /** Stops reading ahead and releases the source (an unread file's stream is closed). */
  async close(): Promise<void> {
    this.#closed = true;
    if (!this.#finished) await this.#source.return?.(undefined).catch(() => undefined);
  }
}

/**
 * Items of several sources in source order, with up to `concurrency` sources read at once (each `depth` items
 * ahead): the output order is what one-at-a-time reading gives, so state can follow it, while the reading overlaps.
 */
export async function* inSourceOrder<S, T>(
  sources: readonly S[],
  concurrency: number,
  depth: number,
  open: (source: S) => AsyncIterator<T>,
): AsyncGenerator<{ source: S; items: AsyncIterable<T> }> {
  const started: ReadAhead<T>[] = [];
  const start = (index: number) => {
    if (index < sources.length && started[index] === undefined)
      started[index] = new ReadAhead(open(sources[index]), depth);
  };
  try {
    for (let index = 0; index < sources.length; index += 1) {
      for (let ahead = index; ahead < Math.min(sources.length, index + Math.max(1, concurrency)); ahead += 1)
        start(ahead);
      const reader = started[index];
      yield {
        source: sources[index],
        items: { [Symbol.asyncIterator]: () => ({ next: () => reader.next() }) },
      };
    }
  } finally {
    await Promise.all(started.map((reader) => reader?.close()));
  }
}
