import type { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import { BackslashQuoteTransform } from './csv-escape.js';
import { FileFormatError, type FileRow } from './file-row.js';

/**
 * Rows of a CSV file, streamed: RFC 4180 (quoted fields may hold commas, quotes and line breaks) plus Data Extract's
 * `\"` escape (see BackslashQuoteTransform). The first record is the header. An unquoted empty field is null and a
 * quoted one (`""`) the empty string, the usual way a database export tells them apart. A record with more or fewer
 * fields than the header, or a quote left open, fails with the line (csv-parse's own message would quote the value).
 */
export async function* csvRows(text: Readable): AsyncGenerator<FileRow> {
  const parser = parse({
    columns: (header: string[]) => header.map((name) => name.trim()),
    bom: true,
    info: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n'],
    cast: (value, context) => (!context.header && value === '' && !context.quoting ? null : value),
  });
  const escaped = text.pipe(new BackslashQuoteTransform());
  text.once('error', (error) => escaped.destroy(error));
  escaped.pipe(parser);
  escaped.once('error', (error) => parser.destroy(error));
  try {
    for await (const entry of parser as AsyncIterable<{ info: { lines: number }; record: Record<string, unknown> }>)
      yield { line: entry.info.lines, values: entry.record };
  } catch (error) {
    const csv = error as Partial<CsvError> & { lines?: number };
    if (typeof csv.code === 'string' && csv.code.startsWith('CSV_'))
      throw new FileFormatError(`not valid CSV (${csv.code})`, typeof csv.lines === 'number' ? csv.lines : undefined);
    throw error;
  }
}
