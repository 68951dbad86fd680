import {
  parseRecordLine,
  ProtocolError,
  type Logger,
  type Metrics,
  type NumberedMessage,
  type RecordLine,
  type RecordMessage,
  type SchemaMessage,
} from '../singer/index.js';
import type { Dialect, RunLock } from './dialect.js';
import { FlushPipeline } from './flush-pipeline.js';
import { FlushScheduler } from './flush-scheduler.js';
import { prepareShadow, swapShadow } from './overwrite.js';
import type { PoolStats } from './pool-metric.js';
import { RecordMetadata } from './record-metadata.js';
import type { TargetConfig } from './settings.js';
import { designStream, schemaTextOf, StreamSink } from './stream-sink.js';
import { qualifiedName } from './table-spec.js';
import { TargetEvents } from './target-events.js';
import { VersionActivation } from './version-activation.js';

export interface RunTargetOptions {
  config: TargetConfig;
  dialect: Dialect;
  /**
   * The input, a batch of messages at a time (singer's readMessageBatches, or readRecordBatches: its plain RECORD
   * lines are decoded by their stream's sink, the others parsed as the reader would).
   */
  messages: AsyncIterable<readonly (NumberedMessage | RecordLine)[]>;
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

/**
 * The dialect-neutral target: one drain loop over one merged event stream (messages, settled flushes, batch age,
 * abort) that routes records into per-stream sinks (stream-sink.ts), lets the flush scheduler (flush-scheduler.ts)
 * load every stream in one transaction, and yields each STATE value once a commit covers it (docs/design-rules.md
 * rule 2), never `{}`/null and never a repeat. The caller writes a yielded value before asking for the next
 * (state-writer.ts): the run goes on only once it is out.
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
  const overwrite = config.loadMethod === 'overwrite';
  const scheduler = new FlushScheduler(flushes, events, sinks, overwrite);
  const versions = new VersionActivation(config, logger, flushes, options.runLock);

  async function* onSchema(message: SchemaMessage, line: number): AsyncGenerator<unknown, void, undefined> {
    const previous = sinks.get(message.stream);
    if (previous && previous.schemaText === schemaTextOf(message)) return;
    // DDL never runs under a flush (Oracle DDL commits), and rows buffered in the old shape are loaded first.
    if (previous && previous.size > 0) yield* scheduler.flushAll('schema_change');
    else yield* scheduler.settle();
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
    const shadow = overwrite
      ? await prepareShadow(flushes, dialect, config, message.stream, table, previous)
      : undefined;
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
    return buffered(sink);
  }

  /** A RECORD line its sink decodes, else parsed and handled as any message; true when a batch is full. */
  function onRecordLine(record: RecordLine): boolean | NumberedMessage {
    const sink = sinks.get(record.stream);
    if (sink?.addLine(record, now)) return buffered(sink);
    const parsed = parseRecordLine(record);
    // A key given twice may have made it another message: JSON.parse keeps the last.
    return parsed.message.type === 'RECORD' ? onRecord(parsed.message, parsed.line) : parsed;
  }

  function buffered(sink: StreamSink): boolean {
    scheduler.recordBuffered(config.maxBatchAgeSeconds);
    summary.records += 1;
    return sink.size >= config.batchSizeRows;
  }

  /** Every message but RECORD. */
  async function* onControl({ message, line }: NumberedMessage): AsyncGenerator<unknown, void, undefined> {
    switch (message.type) {
      case 'SCHEMA':
        return yield* onSchema(message, line);
      case 'STATE':
        return yield* scheduler.onState(message.value);
      case 'ACTIVATE_VERSION': {
        const sink = sinks.get(message.stream);
        yield* scheduler.flushAll('activate_version');
        return versions.onMessage(sink, message.stream, message.version, line);
      }
      case 'BATCH':
        throw new ProtocolError('BATCH messages are not supported by this target', { line, stream: message.stream });
    }
  }

  try {
    for (let reading = true; reading;) {
      // Without an await per message: the batch read is handed out synchronously (target-events.ts).
      const event = events.poll() ?? (await events.next());
      switch (event.kind) {
        case 'message': {
          const item = event.message;
          if (item.message === undefined) {
            const full = onRecordLine(item);
            if (full === true) yield* scheduler.startFlush('batch_size');
            else if (full !== false) yield* onControl(full);
          } else if (item.message.type !== 'RECORD') yield* onControl(item);
          else if (onRecord(item.message, item.line)) yield* scheduler.startFlush('batch_size');
          break;
        }
        case 'flushed':
          // Its states go out now, not at the next take; a failure ends the run here. (The flush this event
          // announced may already be settled, and the next one started: that one is not waited for.)
          yield* scheduler.landed();
          break;
        case 'age':
          yield* scheduler.onAge();
          break;
        case 'abort':
          summary.interrupted = true;
          reading = false;
          break;
        case 'end':
          reading = false;
      }
    }
    yield* scheduler.flushAll(summary.interrupted ? 'interrupted' : 'end_of_input');
    versions.warnUnclosed(sinks.values());
    if (!summary.interrupted) {
      for (const sink of sinks.values()) if (sink.shadow) await swapShadow(flushes, logger, sink);
      yield* scheduler.releaseHeld();
    } else if (overwrite && [...sinks.values()].some((sink) => sink.shadow?.loaded)) {
      logger.warning('Stopped early: the overwrite was not applied (tables keep their old rows; no state written)');
    }
    summary.flushes = flushes.flushes;
    summary.statesEmitted = scheduler.statesEmitted;
    return summary;
  } catch (error) {
    // As if flushes ran in line: the running flush holds earlier records, so it commits (and its states go out) or
    // its failure is the one reported.
    yield* scheduler.settle();
    throw error;
  } finally {
    events.close();
  }
}
