import { paginateByCursor } from './cursor-paginator.js';
import { renderDescribe } from './describe.js';
import { ListQueryEngine } from './list-query.js';
import { parseListParams } from './list-params.js';
import { RecordRenderer } from './record-renderer.js';
import { formatTimestamp, parseTimestamp } from './time-zone.js';
import type { Fault, FaultPlan } from './fault-plan.js';
import type { QueryString } from './query-string.js';
import type { RuntimeSettings } from './simulator-options.js';
import type { Tenant } from './tenant.js';
import type { RowRef, VirtualTable } from './virtual-table.js';
import { WmsError } from './wms-error.js';

export interface ApiRequest {
  readonly method: 'GET' | 'HEAD';
  /** Path segments after `/{env}/wms/lgfapi/v10/entity/`, empty ones dropped. */
  readonly segments: readonly string[];
  readonly query: QueryString;
  /** `http://host:port`, echoing the Host header with an explicit port. */
  readonly origin: string;
  /** `/{env}`. */
  readonly envPath: string;
  /** The request path as received, for next/previous links (DRF's build_absolute_uri). */
  readonly rawPath: string;
  readonly ifModifiedSince: string | undefined;
  /** Faults that shaped the answer are added here, for the request log. */
  readonly fired: Fault[];
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  /** Records in the body (drives per-row latency). */
  readonly rows: number;
}

const PHANTOM = new Set(['phantom'] as const);
const NO_ORDERING = new Set(['no-ordering'] as const);
const SHORT = new Set(['short'] as const);
const SHRINK = new Set(['shrink'] as const);
const OVERCOUNT = new Set(['overcount'] as const);

/** The read side of lgfapi v10 `entity/`: entity list, describe, list and retrieve. */
export class WmsApi {
  private readonly engine: ListQueryEngine;

  constructor(
    private readonly tenant: Tenant,
    private readonly settings: RuntimeSettings,
    private readonly faults: () => FaultPlan,
  ) {
    this.engine = new ListQueryEngine(tenant);
  }

  handle(req: ApiRequest): ApiResponse {
    const [name, second, third] = req.segments;
    if (name === undefined) return this.entityList(req);
    const table = this.tenant.table(name);
    if (!table) throw WmsError.notFound(`Unknown entity '${name}'.`);
    if (second === undefined) return this.list(req, table);
    if (second === 'describe' && third === undefined)
      return json(200, renderDescribe(table, this.settings.requiredStyle), 0);
    if (/^\d+$/.test(second) && third === undefined) return this.retrieve(req, table, Number(second));
    throw WmsError.notFound('Not found.');
  }

  private entityBase(req: ApiRequest): string {
    return `${req.origin}${req.envPath}/wms/lgfapi/v10/entity/`;
  }

  private entityList(req: ApiRequest): ApiResponse {
    const base = this.entityBase(req);
    if (this.settings.entityListStyle === 'list') return json(200, JSON.stringify(this.tenant.names), 0);
    return json(200, JSON.stringify(Object.fromEntries(this.tenant.names.map((n) => [n, `${base}${n}/`]))), 0);
  }

  private link(req: ApiRequest, query: string): string {
    return `${req.origin}${req.rawPath}${query === '' ? '' : `?${query}`}`;
  }

  private list(req: ApiRequest, table: VirtualTable): ApiResponse {
    const params = parseListParams(req.query, this.settings.pageSizeDefault);
    const target = { op: 'list', entity: table.def.name } as const;
    if (params.ordering.length > 0 && this.faults().fire(target, NO_ORDERING).length > 0) {
      throw WmsError.validation({ ordering: 'Ordering is not allowed on this entity.' }, 'Invalid ordering.');
    }
    const ctx = { zone: this.tenant.defaultZone, strictSeconds: this.settings.strictSeconds };
    const renderer = params.valuesList
      ? null
      : new RecordRenderer(this.tenant, table, this.entityBase(req), params.fields);
    const render = renderer
      ? (ref: RowRef) => renderer.render(ref)
      : RecordRenderer.valuesList(this.tenant, table, params.valuesList!);
    const renderRows = (refs: readonly RowRef[]) => (renderer ? renderer.renderRows(refs) : refs.map(render).join(','));
    const { ordering, rows } = this.engine.run(
      table,
      {
        filters: params.filters,
        ordering: params.ordering,
        ...(params.distinct ? { distinctKey: render, distinctTag: req.query.get('values_list') ?? '' } : {}),
      },
      ctx,
    );
    if (rows.length === 0) {
      // A GET's empty answer is its empty_response_http_code (release 26A), else the tenant-wide test switch, else
      // lgfapi's 404. HEAD keeps answering "exists?" with 200/404.
      const tenantWide = this.settings.emptyList200 ? 200 : 404;
      const code = req.method === 'HEAD' ? tenantWide : (params.emptyResponseCode ?? tenantWide);
      if (code === 404) throw WmsError.notFound('No data found.');
      if (code === 204) return json(204, '', 0);
    }
    if (req.method === 'HEAD') return json(200, '', 0);

    // A partial page (real tenants return some in mid-listing): only its first rows, its links as if it were whole.
    const short = this.faults().fire(target, SHORT)[0];
    if (short) req.fired.push(short);
    const keep = <T>(slice: readonly T[]): readonly T[] => (short ? slice.slice(0, short.args[0]) : slice);

    if (params.pageMode === 'sequenced') {
      const whole = paginateByCursor(rows, ordering, params.cursor, params.pageSize, this.tenant.defaultZone);
      // The cursor follows the rows actually sent (DRF builds it from the page's last row), so a short page loses nothing.
      const page = short
        ? paginateByCursor(rows, ordering, params.cursor, keep(whole.rows).length, this.tenant.defaultZone)
        : whole;
      const next = page.next === null ? 'null' : JSON.stringify(this.link(req, req.query.with('cursor', page.next)));
      const previous =
        page.previous === null ? 'null' : JSON.stringify(this.link(req, req.query.with('cursor', page.previous)));
      return json(
        200,
        `{"next_page":${next},"previous_page":${previous},"results":[${renderRows(page.rows)}]}`,
        page.rows.length,
      );
    }

    const size = params.pageSize;
    const pageCount = Math.max(1, Math.ceil(rows.length / size));
    const pageText = params.page ?? '1';
    const page = /^\d+$/.test(pageText) ? Number(pageText) : NaN;
    if (!(page >= 1)) throw WmsError.notFound('Invalid page.');
    if (page > pageCount) {
      const phantom = page === pageCount + 1 ? this.faults().fire(target, PHANTOM) : [];
      req.fired.push(...phantom);
      if (phantom.length > 0) {
        throw new WmsError(500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred.');
      }
      throw WmsError.notFound('Invalid page.');
    }
    const slice = keep(rows.slice((page - 1) * size, page * size));
    // A stale page_count (real tenants' counts drop mid-listing): this page says it is the last one.
    const shrink = this.faults().fire(target, SHRINK);
    req.fired.push(...shrink);
    // Or a stale count one page too high on the last page: its next_page leads past the end (a phantom page).
    const overcount = page === pageCount && shrink.length === 0 ? this.faults().fire(target, OVERCOUNT) : [];
    req.fired.push(...overcount);
    const reportedCount = shrink.length > 0 ? page : overcount.length > 0 ? pageCount + 1 : pageCount;
    const next =
      page < reportedCount ? JSON.stringify(this.link(req, req.query.with('page', String(page + 1)))) : 'null';
    const previous =
      page > 1 ? JSON.stringify(this.link(req, req.query.with('page', page === 2 ? null : String(page - 1)))) : 'null';
    const body = `{"result_count":${rows.length},"page_count":${reportedCount},"page_nbr":${page},"next_page":${next},"previous_page":${previous},"results":[${renderRows(slice)}]}`;
    return json(200, body, slice.length);
  }

  private retrieve(req: ApiRequest, table: VirtualTable, id: number): ApiResponse {
    const ref = table.resolve(id);
    if (ref === null) throw WmsError.notFound('Not found.');
    const headers: Record<string, string> = {};
    if (table.def.hasModTs) {
      const modTs = table.value(ref, table.fieldPos.get('mod_ts')!) as number;
      headers['Last-Modified'] = formatTimestamp(modTs, this.tenant.defaultZone);
      if (req.method === 'HEAD' && req.ifModifiedSince !== undefined) {
        const since = parseTimestamp(req.ifModifiedSince, this.tenant.defaultZone);
        if (!since.ok) throw WmsError.validation({ 'If-Modified-Since': since.reason });
        if (modTs <= since.epochUs) return { status: 304, body: '', headers, rows: 0 };
      }
    }
    if (req.method === 'HEAD') return { status: 200, body: '', headers, rows: 0 };
    const valuesList = parseListParams(req.query, 1).valuesList;
    const body = valuesList
      ? RecordRenderer.valuesList(this.tenant, table, valuesList)(ref)
      : new RecordRenderer(this.tenant, table, this.entityBase(req), parseListParams(req.query, 1).fields).render(ref);
    return { status: 200, body, headers, rows: 1 };
  }
}

function json(status: number, body: string, rows: number): ApiResponse {
  return { status, body, headers: {}, rows };
}
