import type { Writable } from 'node:stream';
import { OutputClosedError } from './errors.js';
import { stringifyJson } from './exact-number.js';
import type { SingerMessage } from './messages.js';

/** A broken pipe is the reader going away, not a failure of ours: it gets its own error and exit code. */
function outputError(error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END'
    ? new OutputClosedError({ cause: error })
    : error;
}

/**
 * Writes one JSON document per line. Each line goes out in a single write (lines never interleave) and `write`
 * waits for 'drain' when the consumer is slower than we are, so memory stays flat.
 */
export class MessageWriter {
  readonly #out: Writable;
  #closedError: Error | undefined;
  /** One shared wait: concurrent writers blocked on the same 'drain' must not each add listeners. */
  #drain: Promise<void> | undefined;
  #written = 0;
  #flushed = 0;
  #flushWaiter: { target: number; resolve: () => void; reject: (error: Error) => void } | undefined;
  /** Bound once: a per-write closure would cost an allocation per line. */
  readonly #onFlushed = (error?: Error | null): void => {
    this.#flushed += 1;
    const waiter = this.#flushWaiter;
    if (!waiter) return;
    if (error) {
      this.#flushWaiter = undefined;
      waiter.reject(outputError(error));
    } else if (this.#flushed >= waiter.target) {
      this.#flushWaiter = undefined;
      waiter.resolve();
    }
  };

  #corked = false;
  readonly #uncork = (): void => {
    this.#corked = false;
    this.#out.uncork();
  };

  constructor(out: Writable = process.stdout) {
    this.#out = out;
    out.on('error', (error: Error) => {
      this.#closedError = outputError(error);
    });
  }

  /** Writes a Singer message. */
  write(message: SingerMessage): Promise<void> {
    return this.writeLine(stringifyJson(message));
  }

  /** Writes a bare JSON value on its own line (targets emit state values this way). */
  writeValue(value: unknown): Promise<void> {
    return this.writeLine(stringifyJson(value));
  }

  writeLine(json: string): Promise<void> {
    return this.#send(`${json}\n`);
  }

  /**
   * Writes lines already joined, each ending in a newline (a page of RECORDs as one chunk): the caller lets go of
   * the strings it joined them from before this waits on 'drain', so a slow reader holds this chunk only.
   */
  writeLines(chunk: string): Promise<void> {
    return this.#send(chunk);
  }

  async #send(data: string): Promise<void> {
    if (this.#closedError) throw this.#closedError;
    this.#written += 1;
    if (!this.#corked) {
      // Lines written in the same tick leave in one writev: on a pipe, a syscall per line cost more than all the
      // JSON work. Each line is still one whole chunk, and 'drain'/callbacks behave as without corking.
      this.#corked = true;
      this.#out.cork();
      process.nextTick(this.#uncork);
    }
    if (!this.#out.write(data, this.#onFlushed)) await this.#drained();
  }

  /**
   * Resolves once every line written so far has been handed on by the stream (not only once its buffer is below
   * the high-water mark). Does not end the stream: process.stdout must stay usable.
   */
  async end(): Promise<void> {
    if (this.#closedError) throw this.#closedError;
    if (this.#flushed >= this.#written) return;
    await new Promise<void>((resolve, reject) => {
      this.#flushWaiter = { target: this.#written, resolve, reject };
    });
  }

  #drained(): Promise<void> {
    this.#drain ??= new Promise<void>((resolve, reject) => {
      // Plain listeners removed on the first outcome: cheaper than once() + AbortController on a hot path.
      const out = this.#out;
      const settle = (error?: Error): void => {
        out.off('drain', onDrain);
        out.off('close', onClose);
        out.off('error', onError);
        this.#drain = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onDrain = (): void => settle();
      const onClose = (): void => settle(this.#closedError ?? new OutputClosedError());
      const onError = (error: Error): void => settle(outputError(error));
      out.on('drain', onDrain);
      out.on('close', onClose);
      out.on('error', onError);
    });
    return this.#drain;
  }
}
