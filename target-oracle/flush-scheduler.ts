import type { FlushPipeline } from './flush-pipeline.js';
import type { StreamSink, TakenStream } from './stream-sink.js';
import type { TargetEvents } from './target-events.js';

/**
 * When batches go to the database and when their states go out. Every method is a generator over the state values
 * that became durable (a commit covers them): the run yields each one to its caller, who writes it before the run
 * goes on (docs/design-rules.md rule 2). One batch loads while the sinks fill the next; a new take waits for the
 * previous commit.
 *
 * load_method overwrite holds states back instead: batches go to shadow tables swapped in at the end of the run, so
 * the latest state is written only after the swap commits (`releaseHeld`); a rerun after a failure starts over.
 */
export class FlushScheduler {
  readonly #flushes: FlushPipeline;
  readonly #events: TargetEvents;
  readonly #sinks: ReadonlyMap<string, StreamSink>;
  readonly #holdStates: boolean;
  #held: unknown[] = [];
  /** Records in the sinks since the last take. */
  #buffered = 0;
  #emitted = 0;

  constructor(
    flushes: FlushPipeline,
    events: TargetEvents,
    sinks: ReadonlyMap<string, StreamSink>,
    holdStates: boolean,
  ) {
    this.#flushes = flushes;
    this.#events = events;
    this.#sinks = sinks;
    this.#holdStates = holdStates;
  }

  /** State values handed to the caller so far. */
  get statesEmitted(): number {
    return this.#emitted;
  }

  /** A record went into a sink: the first of a batch starts its age clock (when max_batch_age_seconds is set). */
  recordBuffered(maxBatchAgeSeconds: number): void {
    if (this.#buffered === 0 && maxBatchAgeSeconds > 0) this.#events.startAgeClock(maxBatchAgeSeconds);
    this.#buffered += 1;
  }

  /** A STATE message: written now when nothing before it is waiting for a commit. */
  *onState(value: unknown): Generator<unknown, void, undefined> {
    yield* this.#release(this.#flushes.onState(value, this.#buffered > 0));
  }

  /** A background flush settled: its states go out now, or its failure ends the run here. */
  *landed(): Generator<unknown, void, undefined> {
    yield* this.#release(this.#flushes.landed());
  }

  /** Waits for the running flush (before DDL, and when the run fails): its states go out or its failure is thrown. */
  async *settle(): AsyncGenerator<unknown, void, undefined> {
    yield* this.#release(await this.#flushes.settle());
  }

  /** The batch is older than max_batch_age_seconds: taken into a flush if it holds anything. */
  async *onAge(): AsyncGenerator<unknown, void, undefined> {
    if (this.#buffered > 0) yield* this.startFlush('max_batch_age');
  }

  /** Takes every buffered row into a background flush, after the previous one (one loading + one filling). */
  async *startFlush(reason: string): AsyncGenerator<unknown, void, undefined> {
    yield* this.settle();
    this.#events.stopAgeClock();
    const batch: TakenStream[] = [];
    for (const sink of this.#sinks.values()) if (sink.size > 0) batch.push(sink.take());
    this.#buffered = 0;
    yield* this.#release(this.#flushes.start(reason, batch));
  }

  /** Flushes and waits for the commit: before DDL and ACTIVATE_VERSION, and at the end. */
  async *flushAll(reason: string): AsyncGenerator<unknown, void, undefined> {
    yield* this.startFlush(reason);
    yield* this.settle();
  }

  /** load_method overwrite, once every swap has committed: the latest state held back. */
  *releaseHeld(): Generator<unknown, void, undefined> {
    for (const value of this.#held) {
      yield value;
      this.#emitted += 1;
    }
    this.#held = [];
  }

  *#release(values: unknown[]): Generator<unknown, void, undefined> {
    for (const value of values) {
      if (this.#holdStates) {
        this.#held = [value];
        continue;
      }
      yield value;
      this.#emitted += 1;
    }
  }
}
