import { DatabaseError, SingerError, type Logger, type Metrics } from '../singer/index.js';
import { Checkpoint, type SeenState } from './checkpoint.js';
import { credentialsRefused, describeDbError } from './db-error.js';
import type { Dialect, LoadStats } from './dialect.js';
import { reportPoolMetric, type PoolStats } from './pool-metric.js';
import type { TakenStream } from './stream-sink.js';
import { qualifiedName } from './table-spec.js';

export interface FlushPipelineOptions {
  dialect: Dialect;
  logger: Logger;
  metrics: Metrics;
  poolStats?: () => PoolStats;
  /** Called when a background flush has committed or failed (the reader may be waiting on a slow stdin). */
  onSettled: () => void;
}

/** The flush running in the background while the reader fills the next batch. */
interface Flight {
  /** Settles when the flush has committed, or has failed and rolled back (then the pipeline's failure is set). */
  done: Promise<void>;
  /** The latest STATE when the batch was taken: the commit covers it. */
  covers: SeenState | undefined;
  /** The latest STATE that arrived after the take with no record since: the commit covers it too. */
  trailing: SeenState | undefined;
  /** `done` has settled. */
  landed: boolean;
}

/**
 * The way to the database: every stream's batch in one transaction, at most one flush in flight, rollback on any
 * failure, and the checkpoint that releases a STATE only once a commit covers it. Releasing is the caller's move
 * (`settle`, `onState`): a state is written by whoever drives the run, after the COMMIT it depended on.
 */
export class FlushPipeline {
  readonly #options: FlushPipelineOptions;
  readonly #checkpoint = new Checkpoint();
  #flight: Flight | undefined;
  /** The first failure (already rolled back): nothing is loaded or released after it. */
  #failure: unknown;
  #committed = 0;

  constructor(options: FlushPipelineOptions) {
    this.#options = options;
  }

  /** Batches committed so far. */
  get flushes(): number {
    return this.#committed;
  }

  /** A STATE message; `buffered` says whether records wait in the sinks. Returns the values to write now. */
  onState(value: unknown, buffered: boolean): unknown[] {
    this.#checkpoint.saw(value);
    // With records buffered, the flush that takes them releases this state.
    if (buffered) return [];
    // Nothing buffered: the records before it are committed, or in the running flush, which then releases it.
    if (this.#flight) {
      this.#flight.trailing = this.#checkpoint.latest;
      return [];
    }
    return this.#release(this.#checkpoint.latest);
  }

  /**
   * Starts loading a taken batch in the background (the previous flush must be settled). An empty batch loads
   * nothing: the latest STATE is covered already, and is returned for writing.
   */
  start(reason: string, batch: TakenStream[]): unknown[] {
    if (batch.length === 0) return this.#release(this.#checkpoint.latest);
    const flight: Flight = {
      done: Promise.resolve(),
      covers: this.#checkpoint.latest,
      trailing: undefined,
      landed: false,
    };
    flight.done = this.#flush(reason, batch)
      .catch((error: unknown) => {
        this.#failure = error;
      })
      .finally(() => {
        flight.landed = true;
        this.#options.onSettled();
      });
    this.#flight = flight;
    return [];
  }

  /** Waits for the running flush, if any; returns the states its commit released, or rethrows its failure. */
  async settle(): Promise<unknown[]> {
    if (this.#flight) await this.#flight.done;
    return this.landed();
  }

  /** Like `settle`, without waiting: a flush still running keeps its states for later. */
  landed(): unknown[] {
    const flight = this.#flight;
    if (flight && !flight.landed) return [];
    this.#flight = undefined;
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the flush threw, unchanged
    if (this.#failure !== undefined) throw this.#failure;
    return flight ? [...this.#release(flight.covers), ...this.#release(flight.trailing)] : [];
  }

  /** Runs DDL or ACTIVATE_VERSION work and commits it; the caller has settled the running flush first. */
  async commitWork<T>(where: string, work: (dialect: Dialect) => Promise<T>): Promise<T> {
    const { dialect } = this.#options;
    try {
      const result = await work(dialect);
      await dialect.commit();
      return result;
    } catch (error) {
      return this.#rolledBack(error, where);
    }
  }

  #release(seen: SeenState | undefined): unknown[] {
    if (this.#failure !== undefined) return [];
    const value = this.#checkpoint.release(seen);
    return value === undefined ? [] : [value];
  }

  /** Loads every stream of the batch in one transaction and commits. */
  async #flush(reason: string, batch: TakenStream[]): Promise<void> {
    const { dialect, logger, metrics, poolStats } = this.#options;
    const started = process.hrtime.bigint();
    const results: { taken: TakenStream; stats: LoadStats }[] = [];
    let current = '';
    try {
      for (const taken of batch) {
        current = `preparing table ${qualifiedName(taken.sink.loadTable)} for stream '${taken.sink.stream}'`;
        await dialect.prepareLoad?.(taken.sink.loadTable, taken.rows);
      }
      for (const taken of batch) {
        const { loadTable: table, mode } = taken.sink;
        current = `loading stream '${taken.sink.stream}' into table ${qualifiedName(table)}`;
        const request = { table, mode, rows: taken.rows, deletes: taken.deletes };
        results.push({ taken, stats: await dialect.load(request) });
      }
      current = `committing the batch (streams ${batch.map((t) => `'${t.sink.stream}'`).join(', ')})`;
      await dialect.commit();
    } catch (error) {
      await this.#rolledBack(error, current);
    }
    this.#committed += 1;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const { taken, stats } of results) {
      const tags = { stream: taken.sink.stream, table: qualifiedName(taken.sink.table) };
      metrics.counter('record_count', taken.received, tags);
      metrics.counter('rows_inserted', stats.inserted, tags);
      metrics.counter('rows_updated', stats.updated, tags);
      if (stats.deleted > 0) metrics.counter('rows_deleted', stats.deleted, tags);
      if (stats.sanitized > 0)
        logger.warning(
          `Removed NUL characters from ${stats.sanitized} values of stream '${taken.sink.stream}' (PostgreSQL text cannot hold U+0000)`,
        );
    }
    metrics.timer('batch_processing_time', seconds, { reason, streams: results.length, status: 'succeeded' });
    if (poolStats) reportPoolMetric(metrics, dialect.name, poolStats());
  }

  /** Rolls back and turns any failure into an error naming where (never values). */
  async #rolledBack(error: unknown, where: string): Promise<never> {
    try {
      await this.#options.dialect.rollback();
    } catch {
      // The connection may be gone; the original failure is what matters.
    }
    if (error instanceof DatabaseError) {
      throw new DatabaseError(`Database failure ${where}, ${error.message}; the batch was rolled back`, {
        code: error.code,
        cause: error.cause,
        retriable: error.retriable,
      });
    }
    if (error instanceof SingerError) throw error;
    const code = (error as { code?: string }).code;
    throw new DatabaseError(`Database failure ${where}: ${describeDbError(error)}; the batch was rolled back`, {
      code,
      cause: error,
      retriable: !credentialsRefused(error),
    });
  }
}
