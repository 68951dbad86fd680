import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Where the scanner is: outside a quoted field, inside one, after a backslash or after a quote inside one. */
type Mode = 'outside' | 'quoted' | 'backslash' | 'quote';

/**
 * Data Extract's CSV escapes a quote inside a quoted field as `\"` (documented since 26B); RFC 4180 doubles it (`""`).
 * This byte stream rewrites the backslash escapes inside quoted fields to what a strict RFC 4180 parser reads: `\"`
 * becomes `""` (one quote) and `\\` one backslash (how a backslash-escaping writer such as Python's csv module with
 * escapechar keeps a value ending in a backslash readable; Oracle documents no rule for backslashes, so this is a
 * guess, and the simulator writes so). A backslash before any other byte is kept (`\n` stays a backslash and an n);
 * `""` passes through as RFC 4180's quote. Works on bytes: `"` and `\` never occur inside a multi-byte UTF-8 character.
 *
 * The same scan tells which fields are null: `onRecord` gets, for every record in order (the header first; empty
 * lines, which the parser skips, left out), the indexes of its unquoted empty fields. The parser cannot say so
 * cheaply (its per-field cast callback builds a context object for every field: most of the read's CPU time).
 */
export class BackslashQuoteTransform extends Transform {
  #mode: Mode = 'outside';
  /** The last byte outside quotes ended a field or record (only a quote at a field's start opens one). */
  #atFieldStart = true;
  readonly #onRecord: ((nullFields: number[]) => void) | undefined;
  /** Null tracking: the current field's index, whether it has a byte yet, the record's nulls so far. */
  #field = 0;
  #fieldHasBytes = false;
  #recordHasBytes = false;
  /** A CR outside quotes not yet known to start a CRLF record end (`\r` alone is a field's content). */
  #pendingCr = false;
  #nulls: number[] = [];

  constructor(onRecord?: (nullFields: number[]) => void) {
    super();
    this.#onRecord = onRecord;
  }

  /** A byte outside quotes, for null tracking: a comma ends a field, LF (or CRLF) a record, anything else is content. */
  #track(byte: number): void {
    if (this.#pendingCr) {
      this.#pendingCr = false;
      if (byte !== LF) this.#fieldHasBytes = this.#recordHasBytes = true;
    }
    if (byte === COMMA) {
      if (!this.#fieldHasBytes) this.#nulls.push(this.#field);
      this.#field += 1;
      this.#fieldHasBytes = false;
      this.#recordHasBytes = true;
    } else if (byte === LF) this.#endRecord();
    else if (byte === CR) this.#pendingCr = true;
    else this.#fieldHasBytes = this.#recordHasBytes = true;
  }

  #endRecord(): void {
    if (this.#recordHasBytes) {
      if (!this.#fieldHasBytes) this.#nulls.push(this.#field);
      this.#onRecord?.(this.#nulls);
    }
    this.#nulls = [];
    this.#field = 0;
    this.#fieldHasBytes = this.#recordHasBytes = false;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = Buffer.allocUnsafe(chunk.length * 2 + 2);
    let length = 0;
    for (let index = 0; index < chunk.length; index += 1) {
      const byte = chunk[index];
      switch (this.#mode) {
        case 'outside':
          if (byte === QUOTE && this.#atFieldStart) this.#mode = 'quoted';
          this.#atFieldStart = byte === COMMA || byte === LF || byte === CR;
          this.#track(byte);
          out[length++] = byte;
          break;
        case 'quoted':
          if (byte === BACKSLASH) this.#mode = 'backslash';
          else {
            if (byte === QUOTE) this.#mode = 'quote';
            out[length++] = byte;
          }
          break;
        case 'backslash':
          if (byte === QUOTE) {
            out[length++] = QUOTE;
            out[length++] = QUOTE;
            this.#mode = 'quoted';
          } else {
            // `\\` is one backslash; before anything else the backslash is the character itself.
            out[length++] = BACKSLASH;
            if (byte !== BACKSLASH) out[length++] = byte;
            this.#mode = 'quoted';
          }
          break;
        case 'quote':
          // `""` inside a quoted field is RFC 4180's escaped quote; anything else means the quote closed the field.
          out[length++] = byte;
          if (byte === QUOTE) this.#mode = 'quoted';
          else {
            this.#mode = 'outside';
            this.#atFieldStart = byte === COMMA || byte === LF || byte === CR;
            this.#track(byte);
          }
          break;
      }
    }
    callback(null, out.subarray(0, length));
  }

  override _flush(callback: TransformCallback): void {
    // The last record, when the file does not end with a line break.
    if (this.#pendingCr) this.#fieldHasBytes = this.#recordHasBytes = true;
    this.#endRecord();
    // A backslash as the very last byte of the file, inside an unclosed quote: kept, the parser reports the quote.
    callback(null, this.#mode === 'backslash' ? Buffer.from([BACKSLASH]) : undefined);
  }
}
