import {
  ProtocolError,
  type Logger,
  type Metrics,
  type NumberedMessage,
  type RecordMessage,
  type SchemaMessage,
} from '../singer/index.js';
import type { Dialect, RunLock, TableSpec } from './dialect.js';
import { conformIdentifier, type NamingRules } from './names.js';
import { FlushPipeline } from './flush-pipeline.js';
import { RecordMetadata } from './record-metadata.js';
import type { PoolStats } from './pool-metric.js';
import type { TargetConfig } from './settings.js';
import { designStream, schemaTextOf, StreamSink, type TakenStream } from './stream-sink.js';
import { qualifiedName } from './table-spec.js';
import { TargetEvents } from './target-events.js';

export interface RunTargetOptions {
  config: TargetConfig;
  dialect: Dialect;
  messages: AsyncIterable<NumberedMessage>;
  logger: Logger;
  metrics: Metrics;
  /** Aborted on SIGTERM/SIGINT: stop reading, flush, commit, yield the state, return. */
  signal?: AbortSignal;
  poolStats?: () => PoolStats;
  now?: () => number;
  /** The run lock this run holds: checked before each ACTIVATE_VERSION (a lost lock session fails the run). */
  runLock?: RunLock;
}

export interface TargetSummary {
  records: number;
  flushes: number;
  statesEmitted: number;
  interrupted: boolean;
}

/** The table an overwrite loads before it is swapped in: `<TABLE>$OVW`, shortened like any name. */
export function shadowTable(table: TableSpec, naming: NamingRules): TableSpec {
  return { ...table, name: conformIdentifier(`${table.name}$OVW`, naming) };
}

/** Where state values go: `MessageWriter` in production, anything recording in tests. */
export interface StateSink {
  writeValue(value: unknown): Promise<void>;
}

/**
 * The dialect-neutral target: routes messages into per-stream sinks, flushes every stream in one transaction, and
 * yields each STATE value once a commit covers it (docs/design-rules.md rule 2), never `{}`/null and never a repeat. The
 * caller writes a yielded value before asking for the next: the run goes on only once it is out.
 *
 * A flush runs while the reader fills the next batch (reading and parsing overlap the database round trips). The
 * database only ever sees one thing at a time: a flush, DDL or ACTIVATE_VERSION starts after the previous flush has
 * committed. The core never writes SQL: the dialect does.
 */
export async function* runTarget(options: RunTargetOptions): AsyncGenerator<unknown, TargetSummary, undefined> {
  const { config, dialect, logger } = options;
  const now = options.now ?? Date.now;
  const sinks = new Map<string, StreamSink>();
  const tableOwners = new Map<string, string>();
  const metadata = new RecordMetadata(now());
  const summary: TargetSummary = { records: 0, flushes: 0, statesEmitted: 0, interrupted: false };
  const events = new TargetEvents(options.messages, options.signal);
  const flushes = new FlushPipeline({ ...options, onSettled: () => events.flushed() });
  /** Records in the sinks since the last take. */
  let buffered = 0;
  let warnedNoMetadata = false;
  /**
   * load_method overwrite: batches go to a shadow table per stream, swapped in at the end of the run, so no state is
   * written before the swap commits (a rerun after a failure starts the overwrite again, the old rows untouched).
   */
  const overwrite = config.loadMethod === 'overwrite';
  let held: unknown[] = [];

  /** Yields states whose commit landed; a yield returns once the caller has written the value. */
  function* release(values: unknown[]): Generator<unknown, void, undefined> {
    for (const value of values) {
      if (overwrite) {
        held = [value];
        continue;
      }
      yield value;
      summary.statesEmitted += 1;
    }
  }

  /** Prepares the stream's shadow: a fresh one at its first SCHEMA (a leftover dropped), else evolved like the table. */
  async function prepareShadow(stream: string, table: TableSpec, previous: StreamSink | undefined) {
    const desired = shadowTable(table, dialect.naming);
    const fresh = previous?.shadow === undefined;
    const shadow = await flushes.commitWork(
      `preparing the overwrite table ${qualifiedName(desired)} for stream '${stream}'`,
      async (db) => {
        if (fresh) await db.dropTable(desired);
        return db.ensureTable(desired, config.schemaChangePolicy);
      },
    );
    return { table: shadow, loaded: previous?.shadow?.loaded ?? false };
  }

  /** Swaps a stream's shadow in (one transaction: readers see the old rows or the new ones), then drops it. */
  async function swap(sink: StreamSink): Promise<void> {
    const shadow = sink.shadow!;
    sink.shadow = undefined;
    const tableKey = qualifiedName(sink.table);
    if (shadow.loaded) {
      const rows = await flushes.commitWork(
        `replacing the rows of table ${tableKey} for stream '${sink.stream}' (overwrite)`,
        (db) => db.replaceFrom(sink.table, shadow.table),
      );
      logger.info(`Overwrite of stream '${sink.stream}': table ${tableKey} now holds the ${rows} rows of this run`);
    } else {
      logger.info(`Overwrite of stream '${sink.stream}': no records in this run, table ${tableKey} left as it was`);
    }
    await flushes.commitWork(
      `dropping the overwrite table ${qualifiedName(shadow.table)} of stream '${sink.stream}'`,
      (db) => db.dropTable(shadow.table),
    );
  }

  /** Takes every buffered row into a background flush, after the previous one (one loading + one filling). */
  async function* startFlush(reason: string): AsyncGenerator<unknown, void, undefined> {
    yield* release(await flushes.settle());
    events.stopAgeClock();
    const batch: TakenStream[] = [];
    for (const sink of sinks.values()) if (sink.size > 0) batch.push(sink.take());
    buffered = 0;
    yield* release(flushes.start(reason, batch));
  }

  /** Flushes and waits for the commit: before DDL and ACTIVATE_VERSION, and at the end. */
  async function* flushAll(reason: string): AsyncGenerator<unknown, void, undefined> {
    yield* startFlush(reason);
    yield* release(await flushes.settle());
  }

  async function activate(sink: StreamSink, version: number): Promise<void> {
    const where = `activating version ${version} of stream '${sink.stream}' in table ${qualifiedName(sink.table)}`;
    // Retiring rows is what two overlapping runs get wrong: never without the lock still held.
    await options.runLock?.check();
    const affected = await flushes.commitWork(where, (db) =>
      db.activateVersion(sink.loadTable, version, config.hardDelete),
    );
    sink.pendingVersion = undefined;
    sink.recordsSinceActivation = false;
    logger.info(
      `Activated version ${version} of stream '${sink.stream}': ${affected} older rows ${config.hardDelete ? 'deleted' : 'marked deleted'}`,
    );
  }

  async function* onSchema(message: SchemaMessage, line: number): AsyncGenerator<unknown, void, undefined> {
    const previous = sinks.get(message.stream);
    if (previous && previous.schemaText === schemaTextOf(message)) return;
    // DDL never runs under a flush (Oracle DDL commits), and rows buffered in the old shape are loaded first.
    if (previous && previous.size > 0) yield* flushAll('schema_change');
    else yield* release(await flushes.settle());
    const design = designStream(message, line, config, dialect);
    const tableKey = qualifiedName(design.desired);
    const owner = tableOwners.get(tableKey);
    if (owner !== undefined && owner !== message.stream) {
      throw new ProtocolError(`Streams '${owner}' and '${message.stream}' map to the same table ${tableKey}`, { line });
    }
    tableOwners.set(tableKey, message.stream);
    const table = await flushes.commitWork(`preparing table ${tableKey} for stream '${message.stream}'`, (db) =>
      db.ensureTable(design.desired, config.schemaChangePolicy),
    );
    const shadow = overwrite ? await prepareShadow(message.stream, table, previous) : undefined;
    const sink = new StreamSink(design, table, config, previous);
    sink.shadow = shadow;
    sinks.set(message.stream, sink);
    logger.info(
      `${previous ? 'Schema changed for' : 'Loading'} stream '${message.stream}' into table ${tableKey} (${table.columns.length} columns, ${sink.mode})`,
    );
  }

  /** Buffers one record; true when its stream's batch is full. The hot path: no generator, no await. */
  function onRecord(message: RecordMessage, line: number): boolean {
    const sink = sinks.get(message.stream);
    if (!sink) throw new ProtocolError('RECORD before its SCHEMA', { line, stream: message.stream });
    sink.add(message, line, now(), metadata, logger);
    if (buffered === 0 && config.maxBatchAgeSeconds > 0) events.startAgeClock(config.maxBatchAgeSeconds);
    buffered += 1;
    summary.records += 1;
    return sink.size >= config.batchSizeRows;
  }

  async function* onActivateVersion(
    stream: string,
    version: number,
    line: number,
  ): AsyncGenerator<unknown, void, undefined> {
    const sink = sinks.get(stream);
    yield* flushAll('activate_version');
    if (!sink) {
      logger.warning(`ACTIVATE_VERSION for stream '${stream}' before its SCHEMA: ignored`, { line });
      return;
    }
    if (!config.addRecordMetadata) {
      if (!warnedNoMetadata)
        logger.warning('ACTIVATE_VERSION ignored: add_record_metadata is off, so rows carry no version');
      warnedNoMetadata = true;
      return;
    }
    // A full sync announces its version before sending rows (deleting then would empty the table mid-run), and
    // closes it once every row of the version was sent: only that closing message retires older rows.
    if (!sink.recordsSinceActivation) {
      sink.pendingVersion = version;
      logger.info(`ACTIVATE_VERSION ${version} of stream '${stream}' deferred until its rows are loaded`);
      return;
    }
    await activate(sink, version);
  }

  /** Every message but RECORD. */
  async function* onControl({ message, line }: NumberedMessage): AsyncGenerator<unknown, void, undefined> {
    switch (message.type) {
      case 'SCHEMA':
        return yield* onSchema(message, line);
      case 'STATE':
        return yield* release(flushes.onState(message.value, buffered > 0));
      case 'ACTIVATE_VERSION':
        return yield* onActivateVersion(message.stream, message.version, line);
      case 'BATCH':
        throw new ProtocolError('BATCH messages are not supported by this target', { line, stream: message.stream });
    }
  }

  try {
    for (let reading = true; reading;) {
      const event = await events.next();
      switch (event.kind) {
        case 'message': {
          const { message, line } = event.message;
          if (message.type !== 'RECORD') yield* onControl(event.message);
          else if (onRecord(message, line)) yield* startFlush('batch_size');
          break;
        }
        case 'flushed':
          // Its states go out now, not at the next take; a failure ends the run here. (The flush this event
          // announced may already be settled, and the next one started: that one is not waited for.)
          yield* release(flushes.landed());
          break;
        case 'age':
          if (buffered > 0) yield* startFlush('max_batch_age');
          break;
        case 'abort':
          summary.interrupted = true;
          reading = false;
          break;
        case 'end':
          reading = false;
      }
    }
    yield* flushAll(summary.interrupted ? 'interrupted' : 'end_of_input');
    // A version whose closing ACTIVATE_VERSION never came (the tap died or stopped mid-sync, or this run was stopped)
    // is not applied: rows the tap did not get to re-send are still live in the source. The rerun closes the version.
    for (const sink of sinks.values()) {
      if (sink.pendingVersion !== undefined && sink.recordsSinceActivation)
        logger.warning(
          `ACTIVATE_VERSION ${sink.pendingVersion} of stream '${sink.stream}' not applied: the run ended before its closing ACTIVATE_VERSION (older rows kept until a run closes the version)`,
        );
    }
    if (!summary.interrupted) {
      for (const sink of sinks.values()) if (sink.shadow) await swap(sink);
      for (const value of held) {
        yield value;
        summary.statesEmitted += 1;
      }
    } else if (overwrite && [...sinks.values()].some((sink) => sink.shadow?.loaded)) {
      logger.warning('Stopped early: the overwrite was not applied (tables keep their old rows; no state written)');
    }
    summary.flushes = flushes.flushes;
    return summary;
  } catch (error) {
    // As if flushes ran in line: the running flush holds earlier records, so it commits (and its states go out) or
    // its failure is the one reported.
    yield* release(await flushes.settle());
    throw error;
  } finally {
    events.close();
  }
}

/** Drives a run, writing each state it yields before it goes on; returns its summary. */
export async function writeStates(
  run: AsyncGenerator<unknown, TargetSummary, undefined>,
  states: StateSink,
): Promise<TargetSummary> {
  for (;;) {
    const step = await run.next();
    if (step.done) return step.value;
    try {
      await states.writeValue(step.value);
    } catch (error) {
      // Ends the run (its finally runs); nothing more is loaded once a state cannot be written.
      await run.return(undefined as never);
      throw error;
    }
  }
}
