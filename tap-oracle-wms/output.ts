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

  /** A page of RECORDs in one write: lines of one page never interleave with other streams'. */
  async records(
    stream: string,
    records: readonly Record<string, unknown>[],
    timeExtracted: string,
    version?: number,
  ): Promise<void> {
    if (records.length === 0) return;
    const lines = records.map((record) =>
      stringifyJson(
        version === undefined
          ? { type: 'RECORD', stream, record, time_extracted: timeExtracted }
          : { type: 'RECORD', stream, record, version, time_extracted: timeExtracted },
      ),
    );
    await this.#writer.writeLine(lines.join('\n'));
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
