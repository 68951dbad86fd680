import { parse as parseLossless } from 'lossless-json';
import { ExactNumber, parseNumberText } from './exact-number.js';

/**
 * JSON nested deeper than this is refused before it is parsed. JSON.parse itself copes with any depth, but every
 * recursive step after it (JSON.stringify, the exact parser, schema walks) would overflow the stack near 8,000
 * levels and crash with "Maximum call stack size exceeded", naming nothing. No Singer message needs 1,000 levels.
 */
export const MAX_JSON_DEPTH = 1000;

/** JSON nested deeper than MAX_JSON_DEPTH (a SyntaxError, so callers that catch invalid JSON catch it too). */
export class JsonTooDeepError extends SyntaxError {
  constructor() {
    super(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.name = 'JsonTooDeepError';
  }
}

/**
 * JSON.parse that keeps big integers and long decimals exact (as ExactNumber). Throws SyntaxError (JsonTooDeepError
 * beyond MAX_JSON_DEPTH levels). Only texts with a number of 16+ digits (dots allowed inside the run, so
 * `1234567890.1234567` counts) or an exponent of 3+ digits (`1e400` is no double) can hold such a number; they are
 * rare and take the slower lossless parser. Everything else uses the native JSON.parse.
 */
export function parseJsonExact(text: string): unknown {
  if (isSurelyPlain(text) || !scanJson(text)) return JSON.parse(text);
  return parseLossless(text, null, parseNumberText);
}

/** An exponent of 3+ digits (`1e400` is no double); in a string it only sends the text to scanJson. */
const LONG_EXPONENT = /[eE][+-]?\d{3}/;

/**
 * The quick verdict for most Singer lines, without a JavaScript loop over every character (scanJson's loop cost
 * most of what JSON.parse itself costs): an object (so every number follows `:`, `,` or `[`) with no value opening
 * with 16 digit-or-dot characters (opensLongNumber), no LONG_EXPONENT and at most MAX_JSON_DEPTH brackets, strings
 * included, holds no number a double changes and no nesting too deep. False means unsure, never wrong: scanJson
 * decides those texts, as it decided every text before, so no text takes another parser than it did.
 */
function isSurelyPlain(text: string): boolean {
  return (
    text.charCodeAt(0) === 0x7b &&
    !opensLongNumber(text) &&
    !LONG_EXPONENT.test(text) &&
    occurrences(text, '{', MAX_JSON_DEPTH) + occurrences(text, '[', MAX_JSON_DEPTH) <= MAX_JSON_DEPTH
  );
}

/** `0`-`9` or `.`: the characters of a number's run of digits, as scanJson counts them. */
function isDigitOrDot(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || code === 0x2e;
}

/**
 * Whether a run of 16+ digit-or-dot characters opens a value: it follows `:`, `,` or `[`, JSON whitespace and a `-`
 * allowed between (in valid JSON, every number a double may change). The same verdict as the regex
 * /[:,[][ \t\n\r]*-?[\d.]{16}/, which cost twice as much: it tried every `:` and `,` of the line. Any 16
 * consecutive characters hold one position that is 15 modulo 16, so only those positions are read, and a run is
 * measured only around one of them (runs inside strings too: a quote precedes them, so they pass).
 */
export function opensLongNumber(text: string): boolean {
  const length = text.length;
  for (let at = 15; at < length; at += 16) {
    if (!isDigitOrDot(text.charCodeAt(at))) continue;
    let start = at;
    while (start > 0 && isDigitOrDot(text.charCodeAt(start - 1))) start -= 1;
    let end = at + 1;
    while (end < length && isDigitOrDot(text.charCodeAt(end))) end += 1;
    if (end - start >= 16 && opensValue(text, start)) return true;
    // The run's other sampled positions would find the same run.
    while (at + 16 < end) at += 16;
  }
  return false;
}

/** Whether the run of digits at `start` follows `:`, `,` or `[`, then JSON whitespace, then at most one `-`. */
function opensValue(text: string, start: number): boolean {
  let before = start - 1;
  if (text.charCodeAt(before) === 0x2d) before -= 1;
  while (isJsonWhitespace(text.charCodeAt(before))) before -= 1;
  const code = text.charCodeAt(before);
  return code === 0x3a || code === 0x2c || code === 0x5b;
}

function isJsonWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** How often `char` occurs in `text`, counting no further than `limit` + 1. */
function occurrences(text: string, char: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1 && count <= limit; at = text.indexOf(char, at + 1)) count += 1;
  return count;
}

/**
 * Like parseJsonExact, but every number is an ExactNumber holding its text as written: `1.0`, `-0` and `1e400`
 * are written back as they came. For values that are passed on, never computed with (a STATE value).
 */
export function parseJsonVerbatim(text: string): unknown {
  scanJson(text);
  return parseLossless(text, null, (number) => new ExactNumber(number));
}

/**
 * One pass over the text outside strings: throws JsonTooDeepError past MAX_JSON_DEPTH open brackets, and returns
 * whether a number may need the exact parser. A plain loop: a regex like /\d{16}/ backtracks at every digit and cost
 * more than JSON.parse itself. Invalid JSON is left to the parser (an unbalanced text only makes this scan unsure).
 */
function scanJson(text: string): boolean {
  let exact = false;
  let depth = 0;
  let run = 0;
  /** -1 outside an exponent, else the digits of the exponent seen so far. */
  let exponentDigits = -1;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      index = closingQuote(text, index);
      run = 0;
      exponentDigits = -1;
    } else if (code >= 0x30 && code <= 0x39) {
      if (exponentDigits >= 0) {
        exponentDigits += 1;
        if (exponentDigits >= 3) exact = true;
      } else {
        run += 1;
        if (run >= 16) exact = true;
      }
    } else if (code === 0x2e) {
      // A dot continues the run of digits.
    } else if ((code === 0x65 || code === 0x45) && run > 0) {
      exponentDigits = 0;
      run = 0;
    } else if ((code === 0x2b || code === 0x2d) && exponentDigits === 0) {
      // The exponent's sign.
    } else {
      run = 0;
      exponentDigits = -1;
      if (code === 0x7b || code === 0x5b) {
        depth += 1;
        if (depth > MAX_JSON_DEPTH) throw new JsonTooDeepError();
      } else if (code === 0x7d || code === 0x5d) {
        depth -= 1;
      }
    }
  }
  return exact;
}

/**
 * The index of the quote closing the string opened at `open` (the text's length when none does). Strings are most
 * of a Singer line: indexOf skips them at native speed, where a loop over every character cost as much as a third
 * of JSON.parse. A quote preceded by an odd number of backslashes is escaped.
 */
function closingQuote(text: string, open: number): number {
  for (let at = text.indexOf('"', open + 1); at !== -1; at = text.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return at;
  }
  return text.length;
}

/**
 * Where `text` stops being JSON, as 1-based line and column, for error messages about config, catalog and state
 * files. The parser's own message is not shown: V8 quotes the text around the error, which may be a secret.
 */
export function jsonErrorLocation(text: string): { line: number; column: number } | undefined {
  let offset: number;
  try {
    scanJson(text);
    parseLossless(text);
    return undefined;
  } catch (error) {
    if (error instanceof JsonTooDeepError) return undefined;
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    offset = position === undefined ? text.length : Number(position);
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** ` (line L, column C)` for a text that is not JSON, or '' when no place is known. */
export function jsonErrorWhere(text: string): string {
  if (isTooDeep(text)) return ` (nested deeper than ${MAX_JSON_DEPTH} levels)`;
  const where = jsonErrorLocation(text);
  return where ? ` (line ${where.line}, column ${where.column})` : '';
}

function isTooDeep(text: string): boolean {
  try {
    scanJson(text);
    return false;
  } catch {
    return true;
  }
}
