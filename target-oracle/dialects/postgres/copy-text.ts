import type { Cell } from '../../values.js';

// eslint-disable-next-line no-control-regex -- U+0000 is exactly what PostgreSQL text cannot hold
const NEEDS_ESCAPE = /[\\\n\r\t\u0000]/;
const JSON_NUL = /\\u0000/;

/**
 * Encodes rows in COPY text format. PostgreSQL text and jsonb cannot hold U+0000: it is removed (raw in text
 * values, `\u0000` escapes in JSON values) and each changed value is counted for a warning.
 */
export class CopyTextEncoder {
  readonly #json: boolean[];
  sanitized = 0;

  constructor(jsonColumns: boolean[]) {
    this.#json = jsonColumns;
  }

  cell(value: Cell, index: number): string {
    if (value === null) return '\\N';
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

  row(cells: Cell[]): string {
    let line = '';
    for (let i = 0; i < cells.length; i += 1) line += (i === 0 ? '' : '\t') + this.cell(cells[i], i);
    return `${line}\n`;
  }

  /** COPY input in pieces of about `chunkChars` characters. */
  *chunks(rows: Cell[][], chunkChars = 1 << 18): Generator<string> {
    let piece = '';
    for (const row of rows) {
      piece += this.row(row);
      if (piece.length >= chunkChars) {
        yield piece;
        piece = '';
      }
    }
    if (piece !== '') yield piece;
  }
}
