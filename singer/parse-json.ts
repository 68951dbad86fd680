import { parse as parseLossless } from 'lossless-json';
import { parseNumberText } from './exact-number.js';

/**
 * JSON.parse that keeps big integers and long decimals exact (as ExactNumber). Throws SyntaxError.
 * Only texts with a run of 16+ digits (dots allowed inside the run, so `1234567890.1234567` counts) can hold such a
 * number; they are rare and take the slower lossless parser. Everything else uses the native JSON.parse.
 */
export function parseJsonExact(text: string): unknown {
  if (!mayHoldLongNumber(text)) return JSON.parse(text);
  return parseLossless(text, null, parseNumberText);
}

/** A plain loop: a regex like /\d{16}/ backtracks at every digit and cost more than JSON.parse itself. */
function mayHoldLongNumber(text: string): boolean {
  let run = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 0x30 && code <= 0x39) {
      run += 1;
      if (run >= 16) return true;
    } else if (code !== 0x2e) {
      run = 0;
    }
  }
  return false;
}

/**
 * Where `text` stops being JSON, as 1-based line and column, for error messages about config, catalog and state
 * files. The parser's own message is not shown: V8 quotes the text around the error, which may be a secret.
 */
export function jsonErrorLocation(text: string): { line: number; column: number } | undefined {
  let offset: number;
  try {
    parseLossless(text);
    return undefined;
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    offset = position === undefined ? text.length : Number(position);
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** ` (line L, column C)` for a text that is not JSON, or '' when no place is known. */
export function jsonErrorWhere(text: string): string {
  const where = jsonErrorLocation(text);
  return where ? ` (line ${where.line}, column ${where.column})` : '';
}
