import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { SingerMessage } from './messages.js';
import { parseMessage } from './parse-message.js';

export interface NumberedMessage {
  message: SingerMessage;
  /** 1-based line number in the input, for error messages. */
  line: number;
}

/**
 * Reads Singer lines from a stream. Handles CRLF, a last line without a newline, lines of many MB, and skips blank
 * lines. Throws ProtocolError naming the line number.
 */
export async function* readNumberedMessages(input: Readable): AsyncGenerator<NumberedMessage> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const text of lines) {
      lineNumber += 1;
      if (text.trim() === '') continue;
      yield { message: parseMessage(text, lineNumber), line: lineNumber };
    }
  } finally {
    lines.close();
  }
}

export async function* readMessages(input: Readable): AsyncGenerator<SingerMessage> {
  for await (const { message } of readNumberedMessages(input)) yield message;
}
