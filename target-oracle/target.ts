import {
  DatabaseError,
  ProtocolError,
  SingerError,
  stringifyJson,
  type Logger,
  type Metrics,
  type NumberedMessage,
  type RecordMessage,
  type SchemaMessage,
} from '../singer/index.js';
import { Checkpoint, type SeenState } from './checkpoint.js';
import { describeDbError } from './db-error.js';
import type { Dialect, LoadStats, TableSpec, WriteMode } from './dialect.js';
import { compileRecordCheck, type RecordCheck } from './record-validator.js';
import { reportPoolMetric } from './pool-metric.js';
import type { PoolStats, Session } from './session.js';
import type { TargetConfig } from './settings.js';
import { StreamBuffer } from './stream-buffer.js';
import { buildTableSpec, effectiveKeys, qualifiedName } from './table-spec.js';
import { toCell, valueProblem, type Cell } from './values.js';
import type { LogicalType } from './logical-type.js';

/** Where state values go: `MessageWriter` in production, anything recording in tests. */
export interface StateSink {
  writeValue(value: unknown): Promise<void>;
}

export interface RunTargetOptions<S extends Session> {
  config: TargetConfig;
  dialect: Dialect<S>;
  session: S;
  messages: AsyncIterable<NumberedMessage>;
  states: StateSink;
  logger: Logger;
  metrics: Metrics;
  /** Aborted on SIGTERM/SIGINT: stop reading, flush, commit, emit state, return. */
  signal?: AbortSignal;
  poolStats?: () => PoolStats;
  now?: () => number;
}

export interface TargetSummary {
  records: number;
  flushes: number;
  statesEmitted: number;
  interrupted: boolean;
}

interface ColumnFeed {
  property: string;
  type: LogicalType;
}

interface StreamState {
  schemaText: string;
  table: TableSpec;
  mode: WriteMode;
  keyProperties: string[];
  properties: Set<string>;
  feeds: ColumnFeed[];
  check: RecordCheck | undefined;
  buffer: StreamBuffer;
  warnedFields: Set<string>;
  replaced: boolean;
  recordsSinceActivation: boolean;
  pendingVersion: number | undefined;
}

/** One stream's rows taken out of its buffer for a flush. */
interface TakenStream {
  stream: string;
  state: StreamState;
  rows: Cell[][];
  deletes: Cell[][];
  received: number;
  replace: boolean;
}

/** The flush running in the background while the reader fills the next batch (at most one at a time). */
interface Flight {
  /** Settles when the flush has committed and written its states, or has failed (then `failure` is set). */
  done: Promise<void>;
  committed: boolean;
  /** The latest STATE that arrived after the batch was taken with no record since: this commit covers it too. */
  trailing: SeenState | undefined;
}

type Wake = 'age' | 'abort' | 'failed';

/**
 * The dialect-neutral target: route messages into per-stream buffers, flush all streams in one transaction,
 * then release the latest STATE (DESIGN §3, §4.2). The core never writes SQL: the dialect does.
 *
 * A flush runs while the reader fills the next batch (reading and parsing overlap the database round trips). The
 * database only ever sees one thing at a time: a flush, DDL or ACTIVATE_VERSION starts after the previous flush
 * has committed.
 */
export async function runTarget<S extends Session>(options: RunTargetOptions<S>): Promise<TargetSummary> {
  const { config, dialect, session, logger, metrics } = options;
  const now = options.now ?? Date.now;
  const streams = new Map<string, StreamState>();
  const tableOwners = new Map<string, string>();
  const checkpoint = new Checkpoint();
  const summary: TargetSummary = { records: 0, flushes: 0, statesEmitted: 0, interrupted: false };
  const runStarted = now();
  let sequence = 0;
  let buffered = 0;
  let warnedNoMetadata = false;
  let flight: Flight | undefined;
  // The first flush failure (already rolled back): nothing is loaded or emitted after it.
  let failure: unknown;

  // One waiter per pending read, released when it settles: racing every read against a long-lived promise would
  // pile up a reaction per message on it (a leak of ~1 KB per record).
  let wakeReason: Wake | undefined;
  let wakeWaiter: ((why: Wake) => void) | undefined;
  const wakeUp = (why: Wake): void => {
    wakeReason = why;
    wakeWaiter?.(why);
  };
  let ageTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => wakeUp('abort');
  options.signal?.addEventListener('abort', onAbort);
  const nextOrWake = (
    pending: Promise<IteratorResult<NumberedMessage>>,
  ): Promise<IteratorResult<NumberedMessage> | Wake> => {
    if (wakeReason !== undefined) return Promise.resolve(wakeReason);
    return new Promise((resolve, reject) => {
      wakeWaiter = resolve;
      pending.then(resolve, reject);
    }).finally(() => {
      wakeWaiter = undefined;
    }) as Promise<IteratorResult<NumberedMessage> | Wake>;
  };

  /** Writes a state now covered by a commit (unless {}/null, a repeat, or after a flush failure). */
  const emitState = async (seen: SeenState | undefined): Promise<void> => {
    if (failure !== undefined) return;
    const value = checkpoint.release(seen);
    if (value === undefined) return;
    await options.states.writeValue(value);
    summary.statesEmitted += 1;
  };

  const poolMetric = (): void => {
    if (options.poolStats) reportPoolMetric(metrics, dialect.name, options.poolStats());
  };

  /** Rolls back and turns any failure into an error naming where (never values). */
  const failed = async (error: unknown, where: string): Promise<never> => {
    try {
      await session.rollback();
    } catch {
      // The connection may be gone; the original failure is what matters.
    }
    if (error instanceof DatabaseError) {
      throw new DatabaseError(`Database failure ${where}, ${error.message}; the batch was rolled back`, {
        code: error.code,
        cause: error.cause,
      });
    }
    if (error instanceof SingerError) throw error;
    const code = (error as { code?: string }).code;
    throw new DatabaseError(`Database failure ${where}: ${describeDbError(error)}; the batch was rolled back`, {
      code,
      cause: error,
    });
  };

  /** Loads a taken batch in one transaction, commits, then writes the states it covers. */
  const flushBatch = async (
    reason: string,
    batch: TakenStream[],
    self: Flight,
    covers: SeenState | undefined,
  ): Promise<void> => {
    const started = process.hrtime.bigint();
    const results: { taken: TakenStream; stats: LoadStats }[] = [];
    let current = '';
    try {
      for (const taken of batch) {
        current = `loading stream '${taken.stream}' into table ${qualifiedName(taken.state.table)}`;
        const { table, mode } = taken.state;
        const stats = await dialect.load(session, {
          table,
          mode,
          rows: taken.rows,
          deletes: taken.deletes,
          replace: taken.replace,
        });
        results.push({ taken, stats });
      }
      current = `committing the batch (streams ${batch.map((t) => `'${t.stream}'`).join(', ')})`;
      await session.commit();
    } catch (error) {
      await failed(error, current);
    }
    summary.flushes += 1;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const { taken, stats } of results) {
      if (taken.replace) taken.state.replaced = true;
      const tags = { stream: taken.stream, table: qualifiedName(taken.state.table) };
      metrics.counter('record_count', taken.received, tags);
      metrics.counter('rows_inserted', stats.inserted, tags);
      metrics.counter('rows_updated', stats.updated, tags);
      if (stats.deleted > 0) metrics.counter('rows_deleted', stats.deleted, tags);
      if (stats.sanitized > 0)
        logger.warning(
          `Removed NUL characters from ${stats.sanitized} values of stream '${taken.stream}' (PostgreSQL text cannot hold U+0000)`,
        );
    }
    metrics.timer('batch_processing_time', seconds, { reason, streams: results.length, status: 'succeeded' });
    poolMetric();
    await emitState(covers);
    // From here on, a STATE arriving with nothing buffered is written by the reader itself, after these.
    self.committed = true;
    await emitState(self.trailing);
  };

  /** Waits for the running flush, if any; rethrows a flush failure. */
  const settle = async (): Promise<void> => {
    const running = flight;
    if (running) await running.done;
    if (flight === running) flight = undefined;
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the flush threw, unchanged
    if (failure !== undefined) throw failure;
  };

  /**
   * Takes every buffered row into a flush that runs while the caller reads on. The previous flush is awaited
   * first: one batch in the database plus one filling is all a run holds, and a full buffer pauses stdin.
   */
  const startFlush = async (reason: string): Promise<void> => {
    await settle();
    clearTimeout(ageTimer);
    ageTimer = undefined;
    const batch: TakenStream[] = [];
    for (const [stream, state] of streams) {
      if (state.buffer.size === 0) continue;
      const replace = config.loadMethod === 'overwrite' && !state.replaced;
      batch.push({ stream, state, replace, ...state.buffer.take() });
    }
    buffered = 0;
    if (batch.length === 0) {
      await emitState(checkpoint.latest);
      return;
    }
    const started: Flight = { done: Promise.resolve(), committed: false, trailing: undefined };
    started.done = flushBatch(reason, batch, started, checkpoint.latest).catch((error: unknown) => {
      failure = error;
      // The reader may be waiting on a slow stdin: stop it now rather than at the next line.
      wakeUp('failed');
    });
    flight = started;
  };

  /** Flushes and waits for the commit: before DDL and ACTIVATE_VERSION, and at the end. */
  const flushAll = async (reason: string): Promise<void> => {
    await startFlush(reason);
    await settle();
  };

  const activate = async (stream: string, state: StreamState, version: number): Promise<void> => {
    let affected = 0;
    try {
      affected = await dialect.activateVersion(session, state.table, version, config.hardDelete);
      await session.commit();
    } catch (error) {
      await failed(error, `activating version ${version} of stream '${stream}' in table ${qualifiedName(state.table)}`);
    }
    state.pendingVersion = undefined;
    state.recordsSinceActivation = false;
    logger.info(
      `Activated version ${version} of stream '${stream}': ${affected} older rows ${config.hardDelete ? 'deleted' : 'marked deleted'}`,
    );
  };

  const onSchema = async (message: SchemaMessage, line: number): Promise<void> => {
    const schemaText = stringifyJson([message.schema, message.key_properties]);
    const previous = streams.get(message.stream);
    if (previous && previous.schemaText === schemaText) return;
    // DDL never runs under a flush (Oracle DDL commits), and rows buffered in the old shape are loaded first.
    if (previous && previous.buffer.size > 0) await flushAll('schema_change');
    else await settle();
    const shape = { stream: message.stream, schema: message.schema, keyProperties: message.key_properties };
    let desired: TableSpec;
    try {
      desired = buildTableSpec(shape, config, dialect);
    } catch (error) {
      if (error instanceof ProtocolError) throw new ProtocolError(error.message, { line });
      throw error;
    }
    if (config.loadMethod === 'append-only') desired = { ...desired, keyColumns: [] };
    const tableKey = qualifiedName(desired);
    const owner = tableOwners.get(tableKey);
    if (owner !== undefined && owner !== message.stream) {
      throw new ProtocolError(`Streams '${owner}' and '${message.stream}' map to the same table ${tableKey}`, { line });
    }
    tableOwners.set(tableKey, message.stream);
    const check = config.validateRecords ? compileRecordCheck(message.stream, message.schema) : undefined;
    let table: TableSpec;
    try {
      table = await dialect.ensureTable(session, desired, config.schemaChangePolicy);
      await session.commit();
    } catch (error) {
      return failed(error, `preparing table ${tableKey} for stream '${message.stream}'`);
    }
    const keyProperties = effectiveKeys(shape, config);
    const mode: WriteMode = table.keyColumns.length === 0 ? 'append' : config.historyMode ? 'history' : 'upsert';
    streams.set(message.stream, {
      schemaText,
      table,
      mode,
      keyProperties,
      properties: new Set(Object.keys(message.schema.properties ?? {})),
      feeds: table.columns.map((c) => ({ property: c.property, type: c.type })),
      check,
      buffer: new StreamBuffer(table, mode !== 'append'),
      warnedFields: previous?.warnedFields ?? new Set(),
      replaced: previous?.replaced ?? false,
      recordsSinceActivation: previous?.recordsSinceActivation ?? false,
      pendingVersion: previous?.pendingVersion,
    });
    logger.info(
      `${previous ? 'Schema changed for' : 'Loading'} stream '${message.stream}' into table ${tableKey} (${table.columns.length} columns, ${mode})`,
    );
  };

  const onRecord = async (message: RecordMessage, line: number): Promise<void> => {
    const state = streams.get(message.stream);
    if (!state) throw new ProtocolError('RECORD before its SCHEMA', { line, stream: message.stream });
    const record = message.record;
    for (const key of state.keyProperties) {
      if (record[key] === undefined || record[key] === null)
        throw new ProtocolError('Record is missing a key property', { line, stream: message.stream, field: key });
    }
    state.check?.(record, line);
    for (const field in record) {
      if (
        !state.properties.has(field) &&
        !state.warnedFields.has(field) &&
        !(field.startsWith('_sdc_') && !config.addRecordMetadata)
      ) {
        state.warnedFields.add(field);
        logger.warning(`No schema for record field '${field}' of stream '${message.stream}': it is not loaded`);
      }
    }
    const at = now();
    let iso: string | undefined;
    const cells = new Array<Cell>(state.feeds.length);
    for (let i = 0; i < state.feeds.length; i += 1) {
      const { property, type } = state.feeds[i];
      let value: unknown = record[property];
      if (config.addRecordMetadata && property.startsWith('_sdc_')) {
        iso ??= new Date(at).toISOString();
        value = metadataValue(
          property,
          record,
          message,
          iso,
          state.buffer.oldestAt ?? at,
          () => (sequence += 1),
          runStarted,
        );
      }
      try {
        cells[i] = toCell(value, type);
      } catch (error) {
        throw valueProblem(error, message.stream, property, line);
      }
    }
    const deleted =
      config.hardDelete &&
      state.mode !== 'append' &&
      record._sdc_deleted_at !== undefined &&
      record._sdc_deleted_at !== null;
    if (buffered === 0 && config.maxBatchAgeSeconds > 0) {
      ageTimer = setTimeout(() => wakeUp('age'), config.maxBatchAgeSeconds * 1000);
    }
    state.buffer.add(cells, at, deleted);
    state.recordsSinceActivation = true;
    buffered += 1;
    summary.records += 1;
    if (state.buffer.size >= config.batchSizeRows) await startFlush('batch_size');
  };

  const handle = async ({ message, line }: NumberedMessage): Promise<void> => {
    switch (message.type) {
      case 'RECORD':
        return onRecord(message, line);
      case 'SCHEMA':
        return onSchema(message, line);
      case 'STATE':
        checkpoint.saw(message.value);
        // With records buffered, the flush that takes them releases this state.
        if (buffered > 0) return;
        // Nothing buffered: the records before it are committed, or in the running flush, which then releases it.
        if (flight && !flight.committed) flight.trailing = checkpoint.latest;
        else await emitState(checkpoint.latest);
        return;
      case 'ACTIVATE_VERSION': {
        const state = streams.get(message.stream);
        await flushAll('activate_version');
        if (!state) {
          logger.warning(`ACTIVATE_VERSION for stream '${message.stream}' before its SCHEMA: ignored`, { line });
          return;
        }
        if (!config.addRecordMetadata) {
          if (!warnedNoMetadata)
            logger.warning('ACTIVATE_VERSION ignored: add_record_metadata is off, so rows carry no version');
          warnedNoMetadata = true;
          return;
        }
        // A full sync announces its version before sending rows: deleting then would empty the table mid-run.
        if (!state.recordsSinceActivation) {
          state.pendingVersion = message.version;
          logger.info(
            `ACTIVATE_VERSION ${message.version} of stream '${message.stream}' deferred until its rows are loaded`,
          );
          return;
        }
        return activate(message.stream, state, message.version);
      }
      case 'BATCH':
        throw new ProtocolError('BATCH messages are not supported by this target', { line, stream: message.stream });
    }
  };

  const iterator = options.messages[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<NumberedMessage>> | undefined;
  try {
    for (;;) {
      if (failure !== undefined) await settle();
      if (options.signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      next ??= iterator.next();
      const outcome = await nextOrWake(next);
      if (outcome === 'age') {
        wakeReason = undefined;
        if (buffered > 0) await startFlush('max_batch_age');
        continue;
      }
      if (outcome === 'failed') continue;
      if (outcome === 'abort') {
        summary.interrupted = true;
        break;
      }
      next = undefined;
      if (outcome.done) break;
      await handle(outcome.value);
    }
    await flushAll(summary.interrupted ? 'interrupted' : 'end_of_input');
    if (!summary.interrupted) {
      for (const [stream, state] of streams) {
        if (state.pendingVersion !== undefined && state.recordsSinceActivation)
          await activate(stream, state, state.pendingVersion);
      }
    }
    return summary;
  } catch (error) {
    // As if flushes ran in line: the running flush holds earlier records, so it commits (and emits its state) or
    // its failure is the one reported.
    await settle();
    throw error;
  } finally {
    clearTimeout(ageTimer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function metadataValue(
  property: string,
  record: Record<string, unknown>,
  message: RecordMessage,
  receivedIso: string,
  batchStartedMs: number,
  nextSequence: () => number,
  runStarted: number,
): unknown {
  switch (property) {
    case '_sdc_extracted_at':
      return message.time_extracted ?? null;
    case '_sdc_received_at':
      return receivedIso;
    case '_sdc_batched_at':
      return new Date(batchStartedMs).toISOString();
    case '_sdc_sequence':
      // Unique and increasing within and across runs (run start in ms × 10^3 + a counter).
      return runStarted * 1000 + nextSequence();
    case '_sdc_table_version':
      return message.version ?? record._sdc_table_version ?? null;
    default:
      return record[property];
  }
}
