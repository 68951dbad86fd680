import type { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import { BackslashQuoteTransform } from './csv-escape.js';
import { FileFormatError, type FileRow } from './file-row.js';

/**
 * What a CSV record becomes, made once per file from its header: given the record's fields (text), the indexes of
 * its null fields (in increasing order) and its line.
 */
export type CsvRecord<T> = (fields: readonly string[], nulls: readonly number[], line: number) => T;

/** The record as a FileRow: its values by column name; a name the header repeats holds its last column's value. */
export function fileRowOf(header: readonly string[]): CsvRecord<FileRow> {
  return (fields, nulls, line) => {
    const values: Record<string, unknown> = {};
    let nextNull = 0;
    for (let index = 0; index < header.length; index += 1) {
      const isNull = nulls[nextNull] === index;
      if (isNull) nextNull += 1;
      values[header[index]] = isNull ? null : fields[index];
    }
    return { line, values };
  };
}

/** Rows of a CSV file as FileRows (see csvRecords). */
export function csvRows(text: Readable): AsyncGenerator<FileRow> {
  return csvRecords(text, fileRowOf);
}

/**
 * Records of a CSV file, streamed, each made by what `recordOf` gives for the file's header: RFC 4180 (quoted fields
 * may hold commas, quotes and line breaks) plus Data Extract's `\"` escape (see BackslashQuoteTransform). The first
 * record is the header (its names trimmed). An unquoted empty field is null and a quoted one (`""`) the empty string,
 * the usual way a database export tells them apart. A record with more or fewer fields than the header, or a quote
 * left open, fails with the line (csv-parse's own message would quote the value).
 */
export async function* csvRecords<T>(
  text: Readable,
  recordOf: (header: readonly string[]) => CsvRecord<T>,
): AsyncGenerator<T> {
  // Records as arrays: the parser's own objects cost a defineProperty per field. No `info`: it builds two objects
  // per record, and the scanner gives the line.
  const parser = parse({ bom: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n'] });
  // The scanner sees each record before the parser gives it out: its nulls and line wait here, in record order.
  const pendingNulls: number[][] = [];
  const pendingLines: number[] = [];
  const escaped = text.pipe(
    new BackslashQuoteTransform((nullFields, line) => {
      pendingNulls.push(nullFields);
      pendingLines.push(line);
    }),
  );
  text.once('error', (error) => escaped.destroy(error));
  escaped.pipe(parser);
  escaped.once('error', (error) => parser.destroy(error));
  try {
    let record: CsvRecord<T> | undefined;
    for await (const fields of parser as AsyncIterable<string[]>) {
      const nulls = pendingNulls.shift() ?? [];
      const line = pendingLines.shift() ?? 0;
      if (record === undefined) record = recordOf(fields.map((name) => name.trim()));
      else yield record(fields, nulls, line);
    }
  } catch (error) {
    const csv = error as Partial<CsvError> & { lines?: number };
    if (typeof csv.code === 'string' && csv.code.startsWith('CSV_'))
      throw new FileFormatError(`not valid CSV (${csv.code})`, typeof csv.lines === 'number' ? csv.lines : undefined);
    throw error;
  }
}
