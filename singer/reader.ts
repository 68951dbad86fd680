import type { Readable } from 'node:stream';
import type { SingerMessage } from './messages.js';
import { parseMessage } from './parse-message.js';

export interface NumberedMessage {
  message: SingerMessage;
  /** 1-based line number in the input, for error messages. */
  line: number;
}

const NEWLINE = 0x0a;

/**
 * Reads Singer lines from a stream. Handles CRLF, a last line without a newline, lines of many MB, and skips blank
 * lines. Throws ProtocolError naming the line number.
 *
 * Lines are split on raw bytes rather than with readline: a newline byte never occurs inside a UTF-8 multi-byte
 * sequence, so each complete line can be decoded once, and the stream's own async iterator gives backpressure
 * (readline's iterator queues lines ahead of a slow consumer). A lone `\r` is not a line break (JSON escapes it).
 */
export async function* readNumberedMessages(input: Readable): AsyncGenerator<NumberedMessage> {
  let lineNumber = 0;
  // Pieces of a line that spans chunks; joined once, so a line of many MB costs linear time.
  let pending: Buffer[] = [];
  for await (const chunk of input.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    let end = bytes.indexOf(NEWLINE, start);
    while (end !== -1) {
      lineNumber += 1;
      let text: string;
      if (pending.length === 0) {
        text = bytes.toString('utf8', start, end);
      } else {
        pending.push(bytes.subarray(start, end));
        text = Buffer.concat(pending).toString('utf8');
        pending = [];
      }
      if (!isBlank(text)) yield { message: parseMessage(stripCarriageReturn(text), lineNumber), line: lineNumber };
      start = end + 1;
      end = bytes.indexOf(NEWLINE, start);
    }
    if (start < bytes.length) pending.push(bytes.subarray(start));
  }
  if (pending.length > 0) {
    lineNumber += 1;
    const text = Buffer.concat(pending).toString('utf8');
    if (!isBlank(text)) yield { message: parseMessage(stripCarriageReturn(text), lineNumber), line: lineNumber };
  }
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
