import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Where the scanner is: outside a quoted field, inside one, after a backslash or after a quote inside one. */
const OUTSIDE = 0;
const QUOTED = 1;
const AFTER_BACKSLASH = 2;
const AFTER_QUOTE = 3;
type Mode = typeof OUTSIDE | typeof QUOTED | typeof AFTER_BACKSLASH | typeof AFTER_QUOTE;

/**
 * Data Extract's CSV escapes a quote inside a quoted field as `\"` (documented since 26B); RFC 4180 doubles it (`""`).
 * This byte stream rewrites the backslash escapes inside quoted fields to what a strict RFC 4180 parser reads: `\"`
 * becomes `""` (one quote) and `\\` one backslash (how a backslash-escaping writer such as Python's csv module with
 * escapechar keeps a value ending in a backslash readable; Oracle documents no rule for backslashes, so this is a
 * guess, and the simulator writes so). A backslash before any other byte is kept (`\n` stays a backslash and an n);
 * `""` passes through as RFC 4180's quote. Works on bytes: `"` and `\` never occur inside a multi-byte UTF-8 character.
 * A chunk without a backslash (most of them) goes out as it came.
 *
 * The same scan tells which fields are null and where each record ends: `onRecord` gets, for every record in order
 * (the header first; empty lines, which the parser skips, left out), the indexes of its unquoted empty fields and its
 * line as csv-parse's `info.lines` gives it (1 plus the CR and LF bytes before the record's break, a CRLF break's LF
 * not counted). The parser cannot say so cheaply: its per-field cast callback builds a context object for every
 * field, and `info` two objects for every record.
 */
export class BackslashQuoteTransform extends Transform {
  #mode: Mode = OUTSIDE;
  /** The last byte outside quotes ended a field or record (only a quote at a field's start opens one). */
  #atFieldStart = true;
  readonly #onRecord: ((nullFields: number[], line: number) => void) | undefined;
  /** Null tracking: the current field's index, whether it has a byte yet, the record's nulls so far. */
  #field = 0;
  #fieldHasBytes = false;
  #recordHasBytes = false;
  /** A CR outside quotes not yet known to start a CRLF record end (`\r` alone is a field's content). */
  #pendingCr = false;
  #nulls: number[] = [];
  /** CR and LF bytes so far, but a CRLF record end's LF (csv-parse's line count, less one). */
  #breaks = 0;

  constructor(onRecord?: (nullFields: number[], line: number) => void) {
    super();
    this.#onRecord = onRecord;
  }

  #endRecord(line: number): void {
    if (this.#recordHasBytes) {
      if (!this.#fieldHasBytes) this.#nulls.push(this.#field);
      this.#onRecord?.(this.#nulls, line);
    }
    this.#nulls = [];
    this.#field = 0;
    this.#fieldHasBytes = this.#recordHasBytes = false;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // The scan's state in locals: a private field read and written for every byte costs more than the scan itself.
    let mode = this.#mode;
    const copy = mode === AFTER_BACKSLASH || chunk.includes(BACKSLASH);
    const out = copy ? Buffer.allocUnsafe(chunk.length * 2 + 2) : chunk;
    let length = 0;
    let atFieldStart = this.#atFieldStart;
    let fieldHasBytes = this.#fieldHasBytes;
    let recordHasBytes = this.#recordHasBytes;
    let pendingCr = this.#pendingCr;
    let breaks = this.#breaks;
    for (let index = 0; index < chunk.length; index += 1) {
      const byte = chunk[index];
      if (mode === QUOTED) {
        if (byte === BACKSLASH) {
          mode = AFTER_BACKSLASH;
          continue;
        }
        if (byte === QUOTE) mode = AFTER_QUOTE;
        else if (byte === LF || byte === CR) breaks += 1;
        if (copy) out[length++] = byte;
        continue;
      }
      if (mode === AFTER_BACKSLASH) {
        // Only reached with `copy`: the chunk holds the backslash, or the mode came from the last chunk.
        if (byte === QUOTE) {
          out[length++] = QUOTE;
          out[length++] = QUOTE;
        } else {
          // `\\` is one backslash; before anything else the backslash is the character itself.
          out[length++] = BACKSLASH;
          if (byte !== BACKSLASH) {
            out[length++] = byte;
            if (byte === LF || byte === CR) breaks += 1;
          }
        }
        mode = QUOTED;
        continue;
      }
      if (copy) out[length++] = byte;
      if (mode === AFTER_QUOTE) {
        // `""` inside a quoted field is RFC 4180's escaped quote; anything else means the quote closed the field.
        if (byte === QUOTE) {
          mode = QUOTED;
          continue;
        }
        mode = OUTSIDE;
      } else if (byte === QUOTE && atFieldStart) mode = QUOTED;
      // A byte outside quotes: a comma ends a field, LF (or CRLF) a record, anything else is content.
      atFieldStart = byte === COMMA || byte === LF || byte === CR;
      const afterCr = pendingCr;
      if (pendingCr) {
        pendingCr = false;
        if (byte !== LF) fieldHasBytes = recordHasBytes = true;
      }
      if (byte === COMMA) {
        if (!fieldHasBytes) this.#nulls.push(this.#field);
        this.#field += 1;
        fieldHasBytes = false;
        recordHasBytes = true;
      } else if (byte === LF) {
        this.#fieldHasBytes = fieldHasBytes;
        this.#recordHasBytes = recordHasBytes;
        // csv-parse counts a break once the byte after it is read: a CRLF end is on the CR's line, which is counted.
        this.#endRecord(afterCr ? breaks : breaks + 1);
        fieldHasBytes = recordHasBytes = false;
        if (!afterCr) breaks += 1;
      } else if (byte === CR) {
        pendingCr = true;
        breaks += 1;
      } else fieldHasBytes = recordHasBytes = true;
    }
    this.#mode = mode;
    this.#atFieldStart = atFieldStart;
    this.#fieldHasBytes = fieldHasBytes;
    this.#recordHasBytes = recordHasBytes;
    this.#pendingCr = pendingCr;
    this.#breaks = breaks;
    callback(null, copy ? out.subarray(0, length) : chunk);
  }

  override _flush(callback: TransformCallback): void {
    // The last record, when the file does not end with a line break.
    if (this.#pendingCr) this.#fieldHasBytes = this.#recordHasBytes = true;
    // A last CR is content, counted here but not yet by csv-parse (no byte came after it).
    this.#endRecord(this.#pendingCr ? this.#breaks : this.#breaks + 1);
    // A backslash as the very last byte of the file, inside an unclosed quote: kept, the parser reports the quote.
    callback(null, this.#mode === AFTER_BACKSLASH ? Buffer.from([BACKSLASH]) : undefined);
  }
}
