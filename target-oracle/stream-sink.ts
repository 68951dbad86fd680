import {
  ProtocolError,
  stringifyJson,
  type JsonSchema,
  type Logger,
  type RecordLine,
  type RecordMessage,
  type SchemaMessage,
} from '../singer/index.js';
import type { Dialect, TableSpec, WriteMode } from './dialect.js';
import type { LogicalType } from './logical-type.js';
import { compileRecordLineDecoder, type RecordLineDecoder } from './record-line.js';
import type { RecordMetadata } from './record-metadata.js';
import { compileRecordCheck, type RecordCheck } from './record-validator.js';
import { keyCellProblem } from './row-key.js';
import type { TargetConfig } from './settings.js';
import { StreamBuffer } from './stream-buffer.js';
import { buildTableSpec, effectiveKeys } from './table-spec.js';
import { integerRange, toCell, valueProblem, type Cell, type IntegerRange } from './values.js';

/** What a SCHEMA message asks for, worked out before the database is touched. */
export interface StreamDesign {
  stream: string;
  /** Canonical text of schema and keys: an identical SCHEMA later changes nothing. */
  schemaText: string;
  schema: JsonSchema;
  /** The table the schema maps to; the database may hold it wider (see StreamSink's `table`). */
  desired: TableSpec;
  keyProperties: string[];
  properties: Set<string>;
  check: RecordCheck | undefined;
  /** The database, for the range of its integer columns. */
  dialect: Dialect['name'];
}

export function schemaTextOf(message: SchemaMessage): string {
  return stringifyJson([message.schema, message.key_properties]);
}

/** Maps a SCHEMA message to its table and record check; a bad schema is a ProtocolError naming the line. */
export function designStream(
  message: SchemaMessage,
  line: number,
  config: TargetConfig,
  dialect: Pick<Dialect, 'name' | 'naming' | 'nativeType'>,
): StreamDesign {
  const shape = { stream: message.stream, schema: message.schema, keyProperties: message.key_properties };
  let desired: TableSpec;
  try {
    desired = buildTableSpec(shape, config, dialect);
  } catch (error) {
    if (error instanceof ProtocolError) throw new ProtocolError(error.message, { line });
    throw error;
  }
  if (config.loadMethod === 'append-only') desired = { ...desired, keyColumns: [] };
  return {
    stream: message.stream,
    schemaText: schemaTextOf(message),
    schema: message.schema,
    desired,
    keyProperties: effectiveKeys(shape, config),
    properties: new Set(Object.keys(message.schema.properties ?? {})),
    check: config.validateRecords ? compileRecordCheck(message.stream, message.schema) : undefined,
    dialect: dialect.name,
  };
}

/** One stream's rows taken out of its sink for a flush. */
export interface TakenStream {
  sink: StreamSink;
  rows: Cell[][];
  deletes: Cell[][];
  /** Records received (before dedupe). */
  received: number;
}

/**
 * One stream between its SCHEMA and the database: validates each record, encodes it into cells aligned with the
 * table's columns, and buffers it (deduplicated by key) until a flush takes the batch. A changed SCHEMA makes a new
 * sink that carries the stream's run-long facts over.
 */
export class StreamSink {
  readonly stream: string;
  readonly schemaText: string;
  /** The table as the database now holds it. */
  readonly table: TableSpec;
  readonly mode: WriteMode;
  readonly #design: StreamDesign;
  readonly #columns: { property: string; type: LogicalType; range: IntegerRange | undefined }[];
  readonly #buffer: StreamBuffer;
  /** Plain RECORD lines straight to cells (record-line.ts), when the schema allows. */
  readonly #decodeLine: RecordLineDecoder | undefined;
  /** Indexes of the key columns in a row, with their properties (checked before buffering). */
  readonly #keyCells: { index: number; property: string }[];
  readonly #config: TargetConfig;
  /** Record fields without a schema property, each warned about once per run. */
  readonly #warnedFields: Set<string>;
  /**
   * load_method overwrite: the table this run loads instead of `table` (same columns), swapped in at the end of the
   * run; `loaded` once a batch of this stream went into it.
   */
  shadow: { table: TableSpec; loaded: boolean } | undefined;
  /** Rows arrived since the last ACTIVATE_VERSION: a version announced before them waits for them. */
  recordsSinceActivation: boolean;
  /** An ACTIVATE_VERSION deferred until the rows of its version are loaded. */
  pendingVersion: number | undefined;

  constructor(design: StreamDesign, table: TableSpec, config: TargetConfig, previous?: StreamSink) {
    this.stream = design.stream;
    this.schemaText = design.schemaText;
    this.table = table;
    this.mode = table.keyColumns.length === 0 ? 'append' : config.historyMode ? 'history' : 'upsert';
    this.#design = design;
    this.#columns = table.columns.map((c) => ({
      property: c.property,
      type: c.type,
      range: c.range ?? integerRange(design.dialect, c.type),
    }));
    this.#buffer = new StreamBuffer(table, this.mode !== 'append');
    this.#decodeLine = compileRecordLineDecoder(
      design.schema,
      this.#columns,
      design.keyProperties,
      config.addRecordMetadata,
    );
    this.#keyCells = table.keyColumns.map((name) => {
      const index = table.columns.findIndex((c) => c.name === name);
      return { index, property: table.columns[index].property };
    });
    this.#config = config;
    this.#warnedFields = previous ? previous.#warnedFields : new Set();
    this.shadow = previous?.shadow;
    this.recordsSinceActivation = previous ? previous.recordsSinceActivation : false;
    this.pendingVersion = previous?.pendingVersion;
  }

  /** Rows held for the next flush (after dedupe). */
  get size(): number {
    return this.#buffer.size;
  }

  /** Validates, encodes and buffers one record; a bad record is a ProtocolError naming line and field. */
  add(message: RecordMessage, line: number, at: number, metadata: RecordMetadata, logger: Logger): void {
    const record = message.record;
    const config = this.#config;
    for (const key of this.#design.keyProperties) {
      if (record[key] === undefined || record[key] === null)
        throw new ProtocolError('Record is missing a key property', { line, stream: this.stream, field: key });
    }
    this.#design.check?.(record, line);
    for (const field in record) {
      if (
        !this.#design.properties.has(field) &&
        !this.#warnedFields.has(field) &&
        !(field.startsWith('_sdc_') && !config.addRecordMetadata)
      ) {
        this.#warnedFields.add(field);
        logger.warning(`No schema for record field '${field}' of stream '${this.stream}': it is not loaded`);
      }
    }
    let iso: string | undefined;
    const columns = this.#columns;
    const cells = new Array<Cell>(columns.length);
    for (let i = 0; i < columns.length; i += 1) {
      const { property, type, range } = columns[i];
      let value: unknown = record[property];
      if (config.addRecordMetadata && property.startsWith('_sdc_')) {
        iso ??= new Date(at).toISOString();
        value = metadata.value(property, message, iso, this.#buffer.oldestAt ?? at);
      }
      try {
        cells[i] = toCell(value, type, range);
      } catch (error) {
        throw valueProblem(error, this.stream, property, line);
      }
    }
    for (const { index, property } of this.#keyCells) {
      const problem = keyCellProblem(cells[index]);
      if (problem) throw new ProtocolError(problem, { line, stream: this.stream, field: property });
    }
    const deleted =
      config.hardDelete &&
      this.mode !== 'append' &&
      record._sdc_deleted_at !== undefined &&
      record._sdc_deleted_at !== null;
    this.#buffer.add(cells, at, deleted);
    this.recordsSinceActivation = true;
  }

  /**
   * Buffers the record of a plain RECORD line (singer's RecordLine) decoded straight into cells; false, buffering
   * nothing, when the line needs the general path (parse it, then `add`), which also reports every problem.
   */
  addLine(line: RecordLine, now: () => number): boolean {
    const cells = this.#decodeLine?.(line.text, line.ascii, line.recordAt, line.end);
    if (cells === undefined) return false;
    // No field of `_sdc_deleted_at` or metadata reaches here, and a cell of a plain line holds no NUL.
    this.#buffer.add(cells, now(), false);
    this.recordsSinceActivation = true;
    return true;
  }

  /** Hands the buffered rows to a flush and empties the buffer. */
  take(): TakenStream {
    if (this.shadow) this.shadow.loaded = true;
    return { sink: this, ...this.#buffer.take() };
  }

  /** Where this stream's batches go: the overwrite's shadow, or the table. */
  get loadTable(): TableSpec {
    return this.shadow?.table ?? this.table;
  }
}
