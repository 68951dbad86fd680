import type { Readable } from 'node:stream';
import { parseJsonExact } from '../../singer/index.js';
import { FileFormatError, type FileRow } from './file-row.js';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/**
 * Rows of a JSON file, streamed: JSON lines (one object per line, or objects separated by any whitespace) or one
 * JSON array of objects. A byte scanner cuts the text into top-level objects (array elements) without parsing it;
 * each object is parsed on its own by the exact parser, so decimals and big ids keep every digit and only one row
 * is ever held. `"`, `\` and brackets never occur inside a multi-byte UTF-8 character, so bytes are safe to scan.
 */
export async function* jsonRows(text: Readable): AsyncGenerator<FileRow> {
  let parts: Buffer[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let rowLine = 1;
  /** undefined until the first value: whether the file is one array. */
  let array: boolean | undefined;
  let arrayClosed = false;
  let expectComma = false;
  const fail = (problem: string): never => {
    throw new FileFormatError(problem, line);
  };
  for await (const chunk of text as AsyncIterable<Buffer>) {
    let start = -1;
    for (let index = 0; index < chunk.length; index += 1) {
      const byte = chunk[index];
      if (byte === NEWLINE) line += 1;
      if (depth > 0) {
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) inString = false;
          continue;
        }
        if (byte === QUOTE) inString = true;
        else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
        else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
          depth -= 1;
          if (depth === 0) {
            parts.push(chunk.subarray(start === -1 ? 0 : start, index + 1));
            start = -1;
            yield row(Buffer.concat(parts), rowLine);
            parts = [];
            expectComma = array === true;
          }
        }
        continue;
      }
      // Between rows.
      if (isSpace(byte)) continue;
      if (arrayClosed) fail('text after the closing ] of the JSON array');
      if (array === undefined && byte === OPEN_BRACKET) {
        array = true;
        continue;
      }
      if (array === undefined) array = false;
      if (array && byte === CLOSE_BRACKET) {
        arrayClosed = true;
        continue;
      }
      if (array && byte === COMMA && expectComma) {
        expectComma = false;
        continue;
      }
      if (byte !== OPEN_BRACE || (array && expectComma))
        fail(array ? 'expected a JSON object, a comma or ] in the array' : 'expected a JSON object');
      depth = 1;
      start = index;
      rowLine = line;
    }
    if (depth > 0) parts.push(chunk.subarray(start === -1 ? 0 : start));
  }
  if (depth > 0) throw new FileFormatError('the file ends inside a JSON object (truncated?)', rowLine);
  if (array === true && !arrayClosed) throw new FileFormatError('the file ends before the JSON array is closed', line);
}

function row(text: Buffer, line: number): FileRow {
  let value: unknown;
  try {
    value = parseJsonExact(text.toString('utf8'));
  } catch {
    throw new FileFormatError('not a valid JSON object', line);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FileFormatError('not a JSON object', line);
  return { line, values: value as Record<string, unknown> };
}
