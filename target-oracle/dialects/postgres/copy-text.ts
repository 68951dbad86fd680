import type { LogicalType } from '../../logical-type.js';
import type { Cell } from '../../values.js';

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what PostgreSQL text cannot hold
const NEEDS_ESCAPE = /[\\\n\r\t\u0000]/;
const JSON_NUL = /\\u0000/;
const NEWLINE = 0x0a;

/**
 * The column kinds whose cells are canonical texts made of digits, signs, `.`, `e`, `:`, `-`, `T` and the words
 * `true`/`false` (values.ts toCell writes them so): they never hold a character COPY text escapes, so they skip the
 * check that every text cell needs.
 */
const CANONICAL_KINDS: ReadonlySet<LogicalType['kind']> = new Set([
  'integer',
  'decimal',
  'timestamp',
  'date',
  'boolean',
]);

/**
 * Encodes rows in COPY text format. PostgreSQL text and jsonb cannot hold U+0000: it is removed (raw in text
 * values, `\u0000` escapes in JSON values) and each changed value is counted for a warning.
 */
export class CopyTextEncoder {
  readonly #json: boolean[];
  readonly #canonical: boolean[];
  /** One row's cells as COPY text, reused from row to row: joined in one call, no string built per cell. */
  readonly #texts: string[];
  sanitized = 0;

  constructor(kinds: readonly LogicalType['kind'][]) {
    this.#json = kinds.map((kind) => kind === 'json');
    this.#canonical = kinds.map((kind) => CANONICAL_KINDS.has(kind));
    this.#texts = new Array<string>(kinds.length);
  }

  cell(value: Cell, index: number): string {
    if (value === null) return '\\N';
    if (this.#canonical[index]) return value;
    let text = value;
    if (this.#json[index] && JSON_NUL.test(text)) {
      const cleaned = text.replace(/(\\*)\\u0000/g, (match, slashes: string) =>
        slashes.length % 2 === 0 ? slashes : match,
      );
      if (cleaned !== text) this.sanitized += 1;
      text = cleaned;
    }
    if (!NEEDS_ESCAPE.test(text)) return text;
    if (text.includes('\u0000')) {
      text = text.replaceAll('\u0000', '');
      this.sanitized += 1;
    }
    return text.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
  }

  /**
   * COPY input as UTF-8 pieces of up to about `chunkBytes` bytes. Each row is joined into one string and written
   * straight into the piece's buffer: building it cell by cell made two strings per cell, and joining rows into one
   * string per piece made the socket write convert it again.
   */
  *chunks(rows: Cell[][], chunkBytes = 1 << 18): Generator<Buffer> {
    const texts = this.#texts;
    let piece = Buffer.allocUnsafe(chunkBytes);
    let used = 0;
    for (const row of rows) {
      for (let i = 0; i < texts.length; i += 1) texts[i] = this.cell(row[i], i);
      const line = texts.join('\t');
      // A UTF-16 code unit takes at most 3 bytes in UTF-8; one more for the newline.
      const most = line.length * 3 + 1;
      if (used + most > piece.length) {
        if (used > 0) yield piece.subarray(0, used);
        piece = Buffer.allocUnsafe(Math.max(chunkBytes, most));
        used = 0;
      }
      used += piece.write(line, used);
      piece[used] = NEWLINE;
      used += 1;
    }
    if (used > 0) yield piece.subarray(0, used);
  }
}
