import { type MessageWriter, type SingerMessage, stringifyJson, type TapState } from '../singer/index.js';

/**
 * The one door to stdout. Streams and partitions run concurrently, but each writes its page's RECORDs before it
 * updates its own bookmark, and a STATE carries the whole state: so every STATE only covers records already written.
 */
export class SingerOutput {
  readonly #writer: MessageWriter;
  #state: TapState;
  #lastStateLine: string | undefined;

  constructor(writer: MessageWriter, state: TapState) {
    this.#writer = writer;
    this.#state = state;
  }

  get state(): TapState {
    return this.#state;
  }

  write(message: SingerMessage): Promise<void> {
    return this.#writer.write(message);
  }

  /**
   * A page of RECORDs in one write: lines of one page never interleave with other streams'. The envelope around the
   * record is the same for the whole page, so it is serialized once: each line is that envelope's head, the record's
   * JSON and its tail, the bytes `stringifyJson({type, stream, record, version, time_extracted})` would give, without
   * a wrapper object per row and without serializing the stream name and the time again for each row.
   */
  async records(
    stream: string,
    records: readonly Record<string, unknown>[],
    timeExtracted: string,
    version?: number,
  ): Promise<void> {
    await this.writeRecordLines(this.recordsChunk(stream, records, timeExtracted, version));
  }

  /** As `records`, for records already serialized (each its stringifyJson text). */
  async recordTexts(stream: string, texts: readonly string[], timeExtracted: string, version?: number): Promise<void> {
    await this.writeRecordLines(this.recordTextsChunk(stream, texts, timeExtracted, version));
  }

  /** The RECORD lines of `records` (see `records`) as one chunk, each line ending in a newline; empty for none. */
  recordsChunk(
    stream: string,
    records: readonly Record<string, unknown>[],
    timeExtracted: string,
    version?: number,
  ): string {
    if (records.length === 0) return '';
    const { head, tail } = envelope(stream, timeExtracted, version);
    return `${records.map((record) => `${head}${stringifyJson(record)}${tail}`).join('\n')}\n`;
  }

  /**
   * As `recordsChunk`, for records already serialized. One string, not a Buffer: on a pipe (synchronous on Linux)
   * stdout copies it into memory of its own that is freed when the write completes, so it dies young, while a Buffer's
   * bytes stay until V8's next full GC, which a slow, paced run may not reach for many pages (RSS then grew by about
   * 20 MB over 25 s of a 1,100 rows/s sync, and the leak monitor said leak).
   */
  recordTextsChunk(stream: string, texts: readonly string[], timeExtracted: string, version?: number): string {
    if (texts.length === 0) return '';
    const { head, tail } = envelope(stream, timeExtracted, version);
    return `${texts.map((text) => `${head}${text}${tail}`).join('\n')}\n`;
  }

  /** Writes a chunk from `recordsChunk`/`recordTextsChunk` (nothing for an empty one), waiting on 'drain'. */
  async writeRecordLines(chunk: string): Promise<void> {
    if (chunk.length > 0) await this.#writer.writeLines(chunk);
  }

  /** Applies a bookmark change and emits the full state (skipped when nothing changed). */
  async checkpoint(update: (state: TapState) => TapState): Promise<void> {
    this.#state = update(this.#state);
    const line = stringifyJson({ type: 'STATE', value: this.#state });
    if (line === this.#lastStateLine) return;
    this.#lastStateLine = line;
    await this.#writer.writeLine(line);
  }

  end(): Promise<void> {
    return this.#writer.end();
  }
}

/** The JSON around a RECORD's record, the same for every row of a page. */
function envelope(stream: string, timeExtracted: string, version?: number): { head: string; tail: string } {
  return {
    head: `{"type":"RECORD","stream":${JSON.stringify(stream)},"record":`,
    tail: `${version === undefined ? '' : `,"version":${JSON.stringify(version)}`},"time_extracted":${JSON.stringify(timeExtracted)}}`,
  };
}
