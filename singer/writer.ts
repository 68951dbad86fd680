import type { Writable } from 'node:stream';
import { stringifyJson } from './exact-number.js';
import type { SingerMessage } from './messages.js';

/**
 * Writes one JSON document per line. Each line goes out in a single write (lines never interleave) and `write`
 * waits for 'drain' when the consumer is slower than we are, so memory stays flat.
 */
export class MessageWriter {
  readonly #out: Writable;
  #closedError: Error | undefined;

  constructor(out: Writable = process.stdout) {
    this.#out = out;
    out.on('error', (error: Error) => {
      this.#closedError = error;
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

  async writeLine(json: string): Promise<void> {
    if (this.#closedError) throw this.#closedError;
    if (!this.#out.write(`${json}\n`)) await this.#drained();
  }

  /**
   * Resolves once everything written so far has been handed to the OS (not only once the buffer is below the
   * high-water mark). Does not end the stream: process.stdout must stay usable.
   */
  async end(): Promise<void> {
    if (this.#closedError) throw this.#closedError;
    if (this.#out.writableLength === 0 && !this.#out.writableNeedDrain) return;
    // Writes complete in order, so the callback of an empty write fires after every earlier line is flushed.
    await new Promise<void>((resolve, reject) => {
      this.#out.write('', (error) => (error ? reject(error) : resolve()));
    });
  }

  #drained(): Promise<void> {
    // Plain listeners, removed on the first outcome: cheaper than once() + AbortController on a hot path, and
    // thousands of waits never pile up listeners on the stream.
    const out = this.#out;
    return new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        out.off('drain', onDrain);
        out.off('close', onClose);
        out.off('error', onError);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = (): void => settle();
      const onClose = (): void => settle(this.#closedError ?? new Error('Output closed before all messages were written'));
      const onError = (error: Error): void => settle(error);
      out.on('drain', onDrain);
      out.on('close', onClose);
      out.on('error', onError);
    });
  }
}
