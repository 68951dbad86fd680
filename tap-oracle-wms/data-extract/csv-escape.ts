import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Where the scanner is: outside a quoted field, inside one, after a backslash or after a quote inside one. */
type Mode = 'outside' | 'quoted' | 'backslash' | 'quote';

/**
 * Data Extract's CSV escapes a quote inside a quoted field as `\"` (documented since 26B); RFC 4180 doubles it (`""`).
 * This byte stream rewrites the backslash escapes inside quoted fields to what a strict RFC 4180 parser reads: `\"`
 * becomes `""` (one quote) and `\\` one backslash (how a backslash-escaping writer such as Python's csv module with
 * escapechar keeps a value ending in a backslash readable; Oracle documents no rule for backslashes, so this is a
 * guess, and the simulator writes so). A backslash before any other byte is kept (`\n` stays a backslash and an n);
 * `""` passes through as RFC 4180's quote. Works on bytes: `"` and `\` never occur inside a multi-byte UTF-8 character.
 */
export class BackslashQuoteTransform extends Transform {
  #mode: Mode = 'outside';
  /** The last byte outside quotes ended a field or record (only a quote at a field's start opens one). */
  #atFieldStart = true;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = Buffer.allocUnsafe(chunk.length * 2 + 2);
    let length = 0;
    for (let index = 0; index < chunk.length; index += 1) {
      const byte = chunk[index];
      switch (this.#mode) {
        case 'outside':
          if (byte === QUOTE && this.#atFieldStart) this.#mode = 'quoted';
          this.#atFieldStart = byte === 0x2c || byte === 0x0a || byte === 0x0d;
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
            this.#atFieldStart = byte === 0x2c || byte === 0x0a || byte === 0x0d;
          }
          break;
      }
    }
    callback(null, out.subarray(0, length));
  }

  override _flush(callback: TransformCallback): void {
    // A backslash as the very last byte of the file, inside an unclosed quote: kept, the parser reports the quote.
    callback(null, this.#mode === 'backslash' ? Buffer.from([BACKSLASH]) : undefined);
  }
}
