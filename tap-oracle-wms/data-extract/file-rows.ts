import { ProtocolError, SourceError } from '../../singer/index.js';
import { type CsvRecord, csvRecords, fileRowOf } from './csv-rows.js';
import { decodedBody } from './decoded-body.js';
import { FileFormatError, type FileRow } from './file-row.js';
import { jsonRows } from './json-rows.js';
import type { ObjectStore, StoredFile } from './object-store.js';

export type ExtractFormat = 'csv' | 'json';

/** What a file's rows become. */
export interface RowsAs<T> {
  /** A row read as a FileRow: every JSON file's, and a CSV file's that `csv` gives no plan for. */
  row: (row: FileRow) => T;
  /** A CSV file's records made straight from their fields, planned once from the header; undefined: `row`. */
  csv?: (header: readonly string[]) => CsvRecord<T> | undefined;
}

/**
 * The rows of one Data Extract file, streamed from the store (gunzipped when it is gzip), each made what `as` says
 * (a FileFormatError it throws is reported with the file). Every failure names the
 * file and the store, never a value: a file the store cannot give is a source failure (exit 4); bytes that are not
 * the format (a truncated gzip, a quote left open, a broken JSON object) are bad input (exit 3), with the line.
 */
export async function* fileRows<T>(
  store: ObjectStore,
  file: StoredFile,
  format: ExtractFormat,
  stream: string,
  as: RowsAs<T>,
): AsyncGenerator<T> {
  const where = `Data Extract file '${file.key}' in ${store.description}`;
  let body;
  try {
    body = await store.read(file.key);
  } catch (error) {
    throw new SourceError(`${where}: cannot be read (${reasonOf(error)})`, { cause: error });
  }
  const text = decodedBody(body);
  try {
    // Made here, so a value that does not fit its type is reported like the format's own errors.
    if (format === 'csv') {
      yield* csvRecords(text, (header): CsvRecord<T> => {
        const planned = as.csv?.(header);
        if (planned !== undefined) return planned;
        const fileRow = fileRowOf(header);
        return (fields, nulls, line) => as.row(fileRow(fields, nulls, line));
      });
    } else for await (const row of jsonRows(text)) yield as.row(row);
  } catch (error) {
    if (error instanceof FileFormatError) {
      const at = error.line === undefined ? '' : ` at line ${error.line}`;
      throw new ProtocolError(`${where}: ${error.message}${at}`, { stream }, { cause: error });
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_'))
      throw new ProtocolError(`${where}: the gzip data is truncated or corrupt (${reasonOf(error)})`, { stream });
    throw new SourceError(`${where}: reading failed (${reasonOf(error)})`, { cause: error });
  } finally {
    text.destroy();
  }
}

/** An error's code or message: store and zlib errors hold no record values. */
function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
