import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from '../../helpers/repo-root.js';

/**
 * Real WMS evidence (reference data outside the repository, never copied into it): 2,200 real `allocation` rows and
 * 137 real `next_page` links captured from a live tenant. Tests that use it skip, saying why, when it is absent.
 */
export const PAYLOADS = path.resolve(repoRoot, '..', 'shared', 'reference', 'wms-payloads', 'real');
export const ROWS_FILE = path.join(PAYLOADS, 'allocation.rows.jsonl');
export const LINKS_FILE = path.join(PAYLOADS, 'next_page_links.txt');

export function skipWithoutPayloads(ctx: Mocha.Context): void {
  if (existsSync(ROWS_FILE) && existsSync(LINKS_FILE)) return;
  console.warn(
    `      skipped: the real WMS evidence ${PAYLOADS} is absent (reference data kept outside the repository)`,
  );
  ctx.skip();
}

/** One real row: its id and its JSON text exactly as captured (served byte for byte). */
export interface ReplayRow {
  id: number;
  text: string;
}

export function readRealRows(): ReplayRow[] {
  return readFileSync(ROWS_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((text) => ({ id: (JSON.parse(text) as { id: number }).id, text }));
}

/**
 * A sequenced-mode `next_page` link as lgfapi writes it (every one of the 137 real links has this form): absolute,
 * the origin with an explicit port, the list path without a trailing slash, the query keys sorted, and `cursor` the
 * base64 of `p=<id of the page's last row>` with its `=` padding percent-encoded.
 */
export function sequencedLink(origin: string, listPath: string, query: Record<string, string>, lastId: number): string {
  return `${origin}${listPath}?${sortedQuery({ ...query, cursor: Buffer.from(`p=${lastId}`).toString('base64') })}`;
}

/** A paged-mode link: the same absolute, sorted form with `page=N` (Oracle's own paged example). */
export function pagedLink(origin: string, listPath: string, query: Record<string, string>, page: number): string {
  return `${origin}${listPath}?${sortedQuery({ ...query, page: String(page) })}`;
}

function sortedQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((key) => `${key}=${encodeURIComponent(query[key])}`)
    .join('&');
}

export interface ReplayServer {
  baseUrl: string;
  /** Every request's path and query, in order. */
  requests: string[];
  close(): Promise<void>;
}

const LIST_PARAMS = new Set(['page_size', 'page_mode', 'ordering', 'cursor', 'page', 'id__gt']);

/**
 * lgfapi v10 serving one entity from the real rows: the entity list, a describe (written by the test), and list
 * pages in paged and sequenced mode (ordering by id or none, which is ascending id as real pulls were; `id__gt`). Any other
 * query parameter is refused with a 400, so the test proves the tap asked only what this replay answers exactly.
 */
export async function startReplay(options: {
  entity: string;
  rows: readonly ReplayRow[];
  describe: unknown;
  env: string;
}): Promise<ReplayServer> {
  const { entity, rows, env } = options;
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  const requests: string[] = [];
  const listPath = `/${env}/wms/lgfapi/v10/entity/${entity}`;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://replay');
    requests.push(`${url.pathname}${url.search}`);
    const origin = `http://${req.headers.host}`;
    const send = (status: number, body: string) =>
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
    const route = url.pathname.replace(/\/+/g, '/').replace(/\/$/, '');
    if (route === `/${env}/wms/lgfapi/v10/entity`)
      return send(200, JSON.stringify({ [entity]: `${origin}${listPath}/` }));
    if (route === `${listPath}/describe`) return send(200, JSON.stringify(options.describe));
    if (route !== listPath) return send(404, '{"code":"NOT_FOUND","message":"Not found."}');

    const query = Object.fromEntries(url.searchParams);
    const unknown = Object.keys(query).filter((key) => !LIST_PARAMS.has(key));
    const ordering = query.ordering ?? 'id';
    if (unknown.length > 0 || ordering !== 'id')
      return send(400, JSON.stringify({ code: 'VALIDATION_ERROR', message: 'Invalid input.', details: query }));
    const size = Math.min(1250, Number(query.page_size ?? 10));
    const kept: Record<string, string> = { ...query };
    delete kept.cursor;
    delete kept.page;
    const after = query.id__gt === undefined ? undefined : Number(query.id__gt);
    const listed = after === undefined ? sorted : sorted.filter((row) => row.id > after);
    const body = (results: readonly ReplayRow[], head: string) =>
      `{${head}"results":[${results.map((row) => row.text).join(',')}]}`;

    if (query.page_mode === 'sequenced') {
      const cursor = query.cursor === undefined ? undefined : Number(/^p=(\d+)$/.exec(atob(query.cursor))?.[1]);
      const rest = cursor === undefined ? listed : listed.filter((row) => row.id > cursor);
      const page = rest.slice(0, size);
      if (page.length === 0) return send(404, '{"code":"NOT_FOUND","message":"No data found."}');
      const next = rest.length > size ? JSON.stringify(sequencedLink(origin, listPath, kept, page.at(-1)!.id)) : 'null';
      return send(200, body(page, `"next_page":${next},"previous_page":null,`));
    }
    const pageNumber = Number(query.page ?? '1');
    const pageCount = Math.max(1, Math.ceil(listed.length / size));
    if (listed.length === 0) return send(404, '{"code":"NOT_FOUND","message":"No data found."}');
    if (!(pageNumber >= 1 && pageNumber <= pageCount))
      return send(404, '{"code":"NOT_FOUND","message":"Invalid page."}');
    const page = listed.slice((pageNumber - 1) * size, pageNumber * size);
    const next = pageNumber < pageCount ? JSON.stringify(pagedLink(origin, listPath, kept, pageNumber + 1)) : 'null';
    const previous = pageNumber > 1 ? JSON.stringify(pagedLink(origin, listPath, kept, pageNumber - 1)) : 'null';
    return send(
      200,
      body(
        page,
        `"result_count":${listed.length},"page_count":${pageCount},"page_nbr":${pageNumber},"next_page":${next},"previous_page":${previous},`,
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/${env}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
