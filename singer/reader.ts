// Over 250 lines: one reader of Singer input (bytes into lines, lines into messages or unparsed RecordLines, the
// repairs it reports), whose two outputs must split lines, count them and fail on them the same way.
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { SingerMessage } from './messages.js';
import { parseMessage } from './parse-message.js';

export interface NumberedMessage {
  message: SingerMessage;
  /** 1-based line number in the input, for error messages. */
  line: number;
}

const NEWLINE = 0x0a;

/** Characters of one line that became U+FFFD: bytes that are not UTF-8, and `\uD800`-style lone surrogates. */
export interface ReplacedCharacters {
  line: number;
  invalidUtf8: number;
  loneSurrogates: number;
}

/**
 * A RECORD line handed out unparsed (readRecordBatches): `text` from `start` to `end` (no line break) opens with
 * `{"type":"RECORD","stream":"<stream>","record":{` (a stream name without backslash or control character) and ends
 * with `}`. Nothing else of it has been checked: the consumer decodes it itself when it can, declining any escape
 * or raw control character it meets, else parses it with parseRecordLine, which gives what readMessageBatches would
 * have: the same message, the same errors, the same onReplaced call.
 */
export interface RecordLine {
  message: undefined;
  /** The text of the chunk the line is part of: read in place, no string cut out per line. */
  text: string;
  /**
   * The bytes `text` was decoded from when every character is one byte (ASCII), else undefined. A value kept
   * beyond the line is better copied from them (`toString('latin1', from, to)`) than cut from `text`: V8 cuts a
   * string of 13+ characters as a view that holds on to the whole chunk text, for as long as the value is kept.
   */
  ascii: Buffer | undefined;
  start: number;
  end: number;
  stream: string;
  /** Index in `text` just after the `{` that opens the record. */
  recordAt: number;
  line: number;
  onReplaced: ReadOptions['onReplaced'];
}

/** The opening every RecordLine has, the stream's name after it. */
export const RECORD_LINE_PREFIX = '{"type":"RECORD","stream":"';
const RECORD_AFTER_STREAM = '","record":{';
/** What keeps a stream name from being read in place: an escape, or a character JSON refuses raw. */
// eslint-disable-next-line no-control-regex -- exactly the control characters
const SPECIAL = /[\\\u0000-\u001f]/;

/** Parses a RecordLine as readMessageBatches parses every line (throws its ProtocolError). */
export function parseRecordLine(record: RecordLine): NumberedMessage {
  return parseText(record.text.slice(record.start, record.end), record.line, 0, record.onReplaced) as NumberedMessage;
}

export interface ReadOptions {
  /**
   * Called for each line that held text no database can store: invalid UTF-8 sequences (decoded as U+FFFD) and
   * lone surrogates written as JSON escapes (replaced by U+FFFD here, as a driver would on the way to the database,
   * so that two keys that the database would see as one are one key here too). The caller warns.
   */
  onReplaced?: (replaced: ReplacedCharacters) => void;
}

/**
 * Reads Singer lines from a stream. Handles CRLF, a last line without a newline, lines of many MB, and skips blank
 * lines. Throws ProtocolError naming the line number.
 *
 * Lines are split on raw bytes rather than with readline: a newline byte never occurs inside a UTF-8 multi-byte
 * sequence, so each complete line can be decoded once, and the stream's own async iterator gives backpressure
 * (readline's iterator queues lines ahead of a slow consumer). A lone `\r` is not a line break (JSON escapes it).
 */
export async function* readNumberedMessages(
  input: Readable,
  options: ReadOptions = {},
): AsyncGenerator<NumberedMessage> {
  for await (const batch of readMessageBatches(input, options)) yield* batch;
}

/**
 * readNumberedMessages a chunk at a time: the messages of the complete lines of each chunk read, in order. For a
 * consumer on the hot path (the target): one await per chunk instead of one per line. A line that fails to parse
 * ends the batch before it; its error is thrown at the next pull, so every message before it is handed out first,
 * as line by line.
 */
export function readMessageBatches(input: Readable, options: ReadOptions = {}): AsyncGenerator<NumberedMessage[]> {
  return readBatches(input, options, false) as AsyncGenerator<NumberedMessage[]>;
}

/**
 * readMessageBatches, but the usual RECORD lines (see RecordLine) are handed out unparsed, for a consumer that
 * decodes them straight into its own form and parses only the others (parseRecordLine). Lines spanning two chunks,
 * lines that are not UTF-8 and every other message are parsed as by readMessageBatches.
 */
export function readRecordBatches(
  input: Readable,
  options: ReadOptions = {},
): AsyncGenerator<(NumberedMessage | RecordLine)[]> {
  return readBatches(input, options, true);
}

async function* readBatches(
  input: Readable,
  options: ReadOptions,
  recordLines: boolean,
): AsyncGenerator<(NumberedMessage | RecordLine)[]> {
  const { onReplaced } = options;
  /** The stream of the last RecordLine and what follows it: most lines repeat it, read without a new string. */
  let lastStream = '';
  let lastAfter = '';
  /** `text` from `from` to `to` as a RecordLine, or undefined when it does not open and close as one. */
  const recordLine = (
    text: string,
    from: number,
    to: number,
    line: number,
    ascii: Buffer | undefined,
  ): RecordLine | undefined => {
    if (!text.startsWith(RECORD_LINE_PREFIX, from) || text.charCodeAt(to - 1) !== 0x7d) return undefined;
    const streamAt = from + RECORD_LINE_PREFIX.length;
    if (lastStream === '' || !text.startsWith(lastAfter, streamAt)) {
      const quote = text.indexOf('"', streamAt);
      if (quote === -1 || quote >= to || quote === streamAt || !text.startsWith(RECORD_AFTER_STREAM, quote))
        return undefined;
      if (SPECIAL.test(text.slice(streamAt, quote))) return undefined;
      lastStream = text.slice(streamAt, quote);
      lastAfter = lastStream + RECORD_AFTER_STREAM;
    }
    const recordAt = streamAt + lastAfter.length;
    if (recordAt >= to) return undefined;
    return { message: undefined, text, ascii, start: from, end: to, stream: lastStream, recordAt, line, onReplaced };
  };
  let lineNumber = 0;
  // Pieces of a line that spans chunks; joined once, so a line of many MB costs linear time.
  let pending: Buffer[] = [];
  for await (const chunk of input.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const batch: (NumberedMessage | RecordLine)[] = [];
    try {
      let start = 0;
      const first = bytes.indexOf(NEWLINE);
      if (first !== -1 && pending.length > 0) {
        lineNumber += 1;
        const message = parseLine(Buffer.concat([...pending, bytes.subarray(0, first)]), lineNumber, onReplaced);
        pending = [];
        if (message) batch.push(message);
        start = first + 1;
      }
      const last = bytes.lastIndexOf(NEWLINE);
      if (last >= start) {
        const whole = bytes.subarray(start, last);
        if (isUtf8(whole)) {
          // The usual chunk: its complete lines decoded in one call, then split as text.
          const text = whole.toString('utf8');
          const ascii = text.length === whole.length ? whole : undefined;
          for (let from = 0; from <= text.length;) {
            let to = text.indexOf('\n', from);
            if (to === -1) to = text.length;
            lineNumber += 1;
            const record = recordLines ? recordLine(text, from, to, lineNumber, ascii) : undefined;
            const message = record ?? parseText(text.slice(from, to), lineNumber, 0, onReplaced);
            if (message) batch.push(message);
            from = to + 1;
          }
        } else {
          for (let from = start; from <= last;) {
            const to = bytes.indexOf(NEWLINE, from);
            lineNumber += 1;
            const message = parseLine(bytes.subarray(from, to), lineNumber, onReplaced);
            if (message) batch.push(message);
            from = to + 1;
          }
        }
        start = last + 1;
      }
      if (start < bytes.length) pending.push(bytes.subarray(start));
    } catch (error) {
      // The lines before the bad one go out first, as line by line.
      if (batch.length > 0) yield batch;
      throw error;
    }
    if (batch.length > 0) yield batch;
  }
  if (pending.length > 0) {
    lineNumber += 1;
    const message = parseLine(Buffer.concat(pending), lineNumber, onReplaced);
    if (message) yield [message];
  }
}

function parseLine(bytes: Buffer, line: number, onReplaced: ReadOptions['onReplaced']): NumberedMessage | undefined {
  const text = bytes.toString('utf8');
  return parseText(text, line, isUtf8(bytes) ? 0 : countReplacements(text, bytes), onReplaced);
}

/** One decoded line; `invalidUtf8` of its bytes became U+FFFD in the decoding. */
function parseText(
  text: string,
  line: number,
  invalidUtf8: number,
  onReplaced: ReadOptions['onReplaced'],
): NumberedMessage | undefined {
  if (isBlank(text)) return undefined;
  let message = parseMessage(stripCarriageReturn(text), line);
  // A lone surrogate can only come from a JSON escape (decoding UTF-8 never yields one): cheap to rule out.
  let loneSurrogates = 0;
  if (text.includes('\\u') && SURROGATE_ESCAPE.test(text)) {
    const counter = { count: 0 };
    const repaired = wellFormed(message, counter) as SingerMessage;
    if (counter.count > 0) message = repaired;
    loneSurrogates = counter.count;
  }
  if ((invalidUtf8 > 0 || loneSurrogates > 0) && onReplaced) onReplaced({ line, invalidUtf8, loneSurrogates });
  return { message, line };
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const REPLACEMENT = '\uFFFD';
/** U+FFFD in UTF-8: an input may hold the character itself, which is not a replacement. */
const REPLACEMENT_BYTES = Buffer.from(REPLACEMENT, 'utf8');

/** How many U+FFFD the decoder made: those in the text minus those written as such in the bytes. */
function countReplacements(text: string, bytes: Buffer): number {
  let inText = 0;
  for (let at = text.indexOf(REPLACEMENT); at !== -1; at = text.indexOf(REPLACEMENT, at + 1)) inText += 1;
  let inBytes = 0;
  for (let at = bytes.indexOf(REPLACEMENT_BYTES); at !== -1; at = bytes.indexOf(REPLACEMENT_BYTES, at + 3))
    inBytes += 1;
  return inText - inBytes;
}

/** A copy of `value` with every lone surrogate in strings and keys replaced by U+FFFD; counts them. */
function wellFormed(value: unknown, counter: { count: number }): unknown {
  if (typeof value === 'string') return wellFormedString(value, counter);
  if (Array.isArray(value)) return value.map((item) => wellFormed(item, counter));
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty: a key named __proto__ stays an own property, as JSON.parse made it.
    Object.defineProperty(out, wellFormedString(key, counter), {
      value: wellFormed(item, counter),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function wellFormedString(text: string, counter: { count: number }): string {
  let out: string | undefined;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0xd800 || code > 0xdfff) continue;
    const next = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
    if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      index += 1;
      continue;
    }
    counter.count += 1;
    out = (out ?? text).slice(0, index) + REPLACEMENT + (out ?? text).slice(index + 1);
  }
  return out ?? text;
}

export async function* readMessages(input: Readable): AsyncGenerator<SingerMessage> {
  for await (const { message } of readNumberedMessages(input)) yield message;
}

function stripCarriageReturn(text: string): string {
  return text.charCodeAt(text.length - 1) === 0x0d ? text.slice(0, -1) : text;
}

function isBlank(text: string): boolean {
  // Singer lines start with '{'; only lines starting with whitespace need the full check.
  return text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === '');
}
