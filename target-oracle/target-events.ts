import type { NumberedMessage, RecordLine } from '../singer/index.js';

/**
 * What the run reacts to, in one stream: the next input message (or its end), a background flush that settled,
 * the batch growing older than max_batch_age_seconds, and SIGTERM/SIGINT.
 */
export type TargetEvent =
  | { kind: 'message'; message: NumberedMessage | RecordLine }
  | { kind: 'end' }
  | { kind: 'flushed' }
  | { kind: 'age' }
  | { kind: 'abort' };

type Wake = 'flushed' | 'age' | 'abort';

const END: TargetEvent = { kind: 'end' };
/** Checked in this order when several are pending: a settled flush first, so its states go out promptly. */
const WAKES: readonly Wake[] = ['flushed', 'abort', 'age'];

/**
 * Merges the message batches with the run's wake-ups. A read that loses to a wake-up stays pending and is handed
 * out by a later `next()`, so no message is lost or read twice. Each `next()` makes one waiter, released when it
 * settles: racing every read against a long-lived promise would pile up a reaction per message on it (a leak of
 * ~1 KB per record). The messages of a batch already read are handed out by `poll()` without a promise each: on the
 * hot path a promise and its reactions per record cost more than the record's own conversion.
 */
export class TargetEvents {
  readonly #iterator: AsyncIterator<readonly (NumberedMessage | RecordLine)[]>;
  /** The batch being handed out, and the index of its next message. */
  #batch: readonly (NumberedMessage | RecordLine)[] = [];
  #next = 0;
  readonly #signal: AbortSignal | undefined;
  readonly #wakes = new Set<Wake>();
  #pending: Promise<IteratorResult<readonly (NumberedMessage | RecordLine)[]>> | undefined;
  #waiter: ((event: TargetEvent) => void) | undefined;
  #ageTimer: NodeJS.Timeout | undefined;
  readonly #onAbort = (): void => this.#wake('abort');

  constructor(messages: AsyncIterable<readonly (NumberedMessage | RecordLine)[]>, signal?: AbortSignal) {
    this.#iterator = messages[Symbol.asyncIterator]();
    this.#signal = signal;
    if (signal?.aborted) this.#wakes.add('abort');
    signal?.addEventListener('abort', this.#onAbort);
  }

  /** A background flush committed or failed. */
  flushed(): void {
    this.#wake('flushed');
  }

  /** Starts the batch clock: an `age` event after `seconds`. */
  startAgeClock(seconds: number): void {
    this.#ageTimer = setTimeout(() => this.#wake('age'), seconds * 1000);
  }

  /** The batch was taken: its clock no longer runs. */
  stopAgeClock(): void {
    clearTimeout(this.#ageTimer);
    this.#ageTimer = undefined;
    this.#wakes.delete('age');
  }

  /**
   * The next event when it is known without waiting (a pending wake-up first, then the next message of the batch
   * read), else undefined: then `next()` waits for one.
   */
  poll(): TargetEvent | undefined {
    const wake = this.#takeWake();
    if (wake) return wake;
    if (this.#next < this.#batch.length) {
      const message = this.#batch[this.#next];
      this.#next += 1;
      return { kind: 'message', message };
    }
    return undefined;
  }

  next(): Promise<TargetEvent> {
    const ready = this.poll();
    if (ready) return Promise.resolve(ready);
    const pending = (this.#pending ??= this.#iterator.next());
    return new Promise<TargetEvent>((resolve, reject) => {
      let settled = false;
      this.#waiter = (event) => {
        settled = true;
        this.#waiter = undefined;
        resolve(event);
      };
      pending.then(
        (result) => {
          // A wake-up won: this read stays pending for the next call.
          if (settled) return;
          settled = true;
          this.#waiter = undefined;
          this.#pending = undefined;
          if (result.done) return resolve(END);
          this.#batch = result.value;
          this.#next = 0;
          // An empty batch is nothing to hand out: read on.
          resolve(this.poll() ?? this.next());
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          this.#waiter = undefined;
          this.#pending = undefined;
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the reader's error, unchanged
          reject(error);
        },
      );
    });
  }

  close(): void {
    clearTimeout(this.#ageTimer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  #wake(kind: Wake): void {
    this.#wakes.add(kind);
    if (!this.#waiter) return;
    const event = this.#takeWake();
    if (event) this.#waiter(event);
  }

  #takeWake(): TargetEvent | undefined {
    if (this.#wakes.size === 0) return undefined;
    const kind = WAKES.find((wake) => this.#wakes.has(wake));
    if (kind === undefined) return undefined;
    this.#wakes.delete(kind);
    return { kind };
  }
}
