import { PassThrough, type Readable } from 'node:stream';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { csvHeader, csvLine, extractColumns, jsonLine } from './data-extract-files.js';
import { ListQueryEngine } from './list-query.js';
import { parseListParams } from './list-params.js';
import { QueryString } from './query-string.js';
import { RecordRenderer } from './record-renderer.js';
import type { SimClock } from './clock.js';
import type { Tenant } from './tenant.js';
import { WmsError } from './wms-error.js';

/** Where the files go: any object store with a write (the tap's ObjectStore has this shape). */
export interface ExtractFileSink {
  write(key: string, body: Readable | Buffer): Promise<void>;
}

export interface DataExtractExportOptions {
  entity: string;
  format: 'csv' | 'json';
  /** gzip each file (Data Extract's `compressed`); `.gz` is added to the name. */
  compressed?: boolean;
  /**
   * A file is closed before it would pass this many bytes of text (before gzip); a file holds at least one row.
   * Oracle's limits are 10 MB to 1 GB (default 10 MB): the trigger endpoint enforces them, tests use smaller files.
   */
  fileSizeBytes: number;
  /** Key prefix the files are written under, e.g. `exports/run-1/order_hdr/`. */
  prefix: string;
  /** lgfapi filters, e.g. `{ "mod_ts__gt": "2026-01-01T00:00:00Z" }` (Data Extract documents mod_ts/create_ts). */
  filter?: Readonly<Record<string, string>>;
  /** Called after each file is stored (tests change rows between files, or stop the export there). */
  afterFile?: (file: ExportedFile) => Promise<void> | void;
}

export interface ExportedFile {
  key: string;
  rows: number;
  /** Bytes of text before gzip. */
  bytes: number;
}

export interface DataExtractExportResult {
  /** The simulator clock when the export started reading, UTC with microseconds and `Z`. */
  startedAt: string;
  files: ExportedFile[];
  rows: number;
}

const PAGE_ROWS = 1000;
const WRITE_BYTES = 64 * 1024;

/**
 * Writes an entity's rows as Data Extract files (data-extract-files.ts has the format) into a store, streamed: the
 * rows are read page by page in id order as the export goes (a row changed mid-export shows whichever value it had
 * when its page was read, as a long-running export on a live table would), and each file is written as it fills.
 * Files are named `<prefix><entity>_<n>.csv|json[.gz]`, n from 1 with leading zeros so key order is file order.
 */
export async function writeDataExtract(
  tenant: Tenant,
  clock: SimClock,
  entityBase: string,
  sink: ExtractFileSink,
  options: DataExtractExportOptions,
): Promise<DataExtractExportResult> {
  const table = tenant.table(options.entity);
  if (!table) throw WmsError.notFound(`Unknown entity '${options.entity}'.`);
  if (!(options.fileSizeBytes > 0)) throw new RangeError('fileSizeBytes must be positive');
  const startedUs = clock.nowUs();
  const startedAt = `${new Date(Math.floor(startedUs / 1000)).toISOString().slice(0, 19)}.${String(startedUs % 1_000_000).padStart(6, '0')}Z`;
  const columns = extractColumns(table.def.fields);
  const renderer = new RecordRenderer(tenant, table, entityBase, null);
  const engine = new ListQueryEngine(tenant);
  const baseFilters = parseListParams(
    QueryString.parse(new URLSearchParams(options.filter ?? {}).toString()),
    1,
  ).filters;
  const header = options.format === 'csv' ? csvHeader(columns) : '';
  const line = options.format === 'csv' ? csvLine : jsonLine;
  const extension = `${options.format}${options.compressed ? '.gz' : ''}`;
  const files: ExportedFile[] = [];
  let current: { file: ExportedFile; text: PassThrough; stored: Promise<void> } | undefined;
  // Lines go to the file in pieces of about WRITE_BYTES: a write per line would cost a gzip call per line.
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (!current || pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    pendingBytes = 0;
    if (!current.text.write(text)) await once(current.text, 'drain');
  };

  const close = async () => {
    if (!current) return;
    await flush();
    const { file, text, stored } = current;
    current = undefined;
    text.end();
    await stored;
    files.push(file);
    await options.afterFile?.(file);
  };
  const open = () => {
    const key = `${options.prefix}${options.entity}_${String(files.length + 1).padStart(6, '0')}.${extension}`;
    const text = new PassThrough();
    const body = options.compressed ? text.pipe(createGzip()) : text;
    if (options.compressed) text.once('error', (error) => body.destroy(error));
    current = { file: { key, rows: 0, bytes: 0 }, text, stored: sink.write(key, body) };
    current.stored.catch(() => undefined);
    return current;
  };
  const put = async (text: string, bytes: number) => {
    pending.push(text);
    pendingBytes += bytes;
    if (pendingBytes >= WRITE_BYTES) await flush();
  };

  let lastId: number | undefined;
  for (;;) {
    const filters = [
      ...baseFilters,
      ...(lastId === undefined ? [] : [{ key: 'id__gt', negate: false, value: String(lastId) }]),
    ];
    const { rows } = engine.run(
      table,
      { filters, ordering: ['id'] },
      { zone: tenant.defaultZone, strictSeconds: false },
    );
    const page = rows.slice(0, PAGE_ROWS);
    if (page.length === 0) break;
    for (const ref of page) {
      const text = line(columns, JSON.parse(renderer.render(ref)) as Record<string, unknown>);
      const bytes = Buffer.byteLength(text);
      if (current && current.file.rows > 0 && current.file.bytes + bytes > options.fileSizeBytes) await close();
      const target = current ?? open();
      if (target.file.rows === 0 && header !== '') {
        const headerBytes = Buffer.byteLength(header);
        await put(header, headerBytes);
        target.file.bytes += headerBytes;
      }
      await put(text, bytes);
      target.file.bytes += bytes;
      target.file.rows += 1;
      lastId = table.idOf(ref);
    }
  }
  await close();
  return { startedAt, files, rows: files.reduce((sum, file) => sum + file.rows, 0) };
}
