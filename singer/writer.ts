import { once } from 'node:events';
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

  /** Resolves once everything written so far has been handed to the OS. */
  async end(): Promise<void> {
    if (this.#out.writableNeedDrain) await this.#drained();
  }

  async #drained(): Promise<void> {
    // Abort the losing listener so thousands of waits do not pile up listeners on the stream.
    const abort = new AbortController();
    try {
      await Promise.race([
        once(this.#out, 'drain', { signal: abort.signal }),
        once(this.#out, 'close', { signal: abort.signal }).then(() => {
          throw this.#closedError ?? new Error('Output closed before all messages were written');
        }),
      ]);
    } finally {
      abort.abort();
    }
  }
}
