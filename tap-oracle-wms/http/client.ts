import { type Logger, type Metrics, SourceError } from '../../singer/index.js';
import type { Authenticator } from './auth.js';
import type { PageTranscoder } from '../page-transcoder.js';
import { OriginGuard } from './origin.js';
import { entityNames, NextPagePaginator, pageSizeOf, readEnvelope, withPageSize, type WmsPage } from './pagination.js';
import { type Outcome, type RequestPlan, Requester } from './requester.js';
import type { RetryPolicy } from './retry.js';
import { NetworkFailure, type Transport } from './transport.js';
import { unreachableError } from './unreachable.js';
import { shownOrigin } from './url-text.js';
import type { WmsSource } from './wms-source.js';
import { listNotFound, wrongBaseUrl } from './wrong-url.js';

export type { WmsSource } from './wms-source.js';

/** The smallest page we shrink to after timeouts (FIVETRAN's floor). */
export const MIN_PAGE_SIZE = 25;

/** lgfapi 26A+: the status a list that matches nothing answers with, when the request asks (404 is the old answer). */
export type EmptyResponseCode = 200 | 204 | 404;

export interface WmsClientOptions {
  baseUrl: string;
  apiVersion: string;
  transport: Transport;
  auth: Authenticator;
  retry: RetryPolicy;
  /** Seconds spent retrying requests that cannot connect (DNS, refused, no route); 0 fails at the first one. */
  connectRetrySeconds?: number;
  /** Sent on every list request as `empty_response_http_code` when set. */
  emptyResponseCode?: EmptyResponseCode;
  timeoutMs: number;
  maxConcurrentRequests: number;
  ratePerSecond: number;
  headers: Record<string, string>;
  logger: Logger;
  metrics: Metrics;
  signal?: AbortSignal;
  now?: () => number;
}

/** lgfapi v10 over HTTP: what to ask (entity list, describe, list pages, counts, samples) and what answers mean. */
export class WmsClient implements WmsSource {
  readonly #options: WmsClientOptions;
  readonly #root: string;
  readonly #moduleRoot: string;
  readonly #guard: OriginGuard;
  readonly #requester: Requester;
  readonly #describes = new Map<string, Promise<Record<string, unknown>>>();
  #entities: Promise<string[]> | undefined;

  constructor(options: WmsClientOptions) {
    this.#options = options;
    this.#moduleRoot = `${options.baseUrl.replace(/\/+$/, '')}/wms/lgfapi/${options.apiVersion}/`;
    this.#root = `${this.#moduleRoot}entity/`;
    this.#guard = new OriginGuard(options.baseUrl);
    this.#requester = new Requester({
      ...options,
      connectRetrySeconds: options.connectRetrySeconds ?? 0,
      guard: this.#guard,
    });
  }

  entityUrl(entity: string, suffix = ''): string {
    return `${this.#root}${encodeURIComponent(entity)}/${suffix}`;
  }

  /**
   * `GET …/entity/`: a `{name: url}` object, a list of names, or `{results: [...]}`; sorted names, asked once per
   * run. It always exists, so a 404 here means base_url (or api_version) is wrong: the run's first check.
   */
  entities(): Promise<string[]> {
    this.#entities ??= this.#request({ url: this.#root, endpoint: 'entity', list: false, notFound: wrongBaseUrl }).then(
      (outcome) => {
        const value = outcome.kind === 'ok' && outcome.body.json ? outcome.body.value : undefined;
        const names = entityNames(value);
        if (!names) throw new SourceError('the WMS entity list (GET …/entity/) has an unexpected shape');
        return [...new Set(names)].sort();
      },
    );
    return this.#entities;
  }

  /** `GET …/entity/{name}/describe/`, once per entity per run. */
  describe(entity: string): Promise<Record<string, unknown>> {
    let pending = this.#describes.get(entity);
    if (!pending) {
      pending = this.#request({
        url: this.entityUrl(entity, 'describe/'),
        endpoint: `entity/${entity}/describe`,
        list: false,
      }).then((outcome) => {
        const value = outcome.kind === 'ok' && outcome.body.json ? outcome.body.value : undefined;
        if (typeof value !== 'object' || value === null || typeof (value as { fields?: unknown }).fields !== 'object') {
          throw new SourceError(`the describe of entity '${entity}' has no fields`);
        }
        return value as Record<string, unknown>;
      });
      this.#describes.set(entity, pending);
    }
    return pending;
  }

  async *pages(entity: string, params: URLSearchParams, transcoder?: PageTranscoder): AsyncGenerator<WmsPage> {
    const paginator = new NextPagePaginator(this.#listUrl(entity, params));
    const endpoint = `entity/${entity}`;
    const shrink = (url: string, timeouts: number): string | undefined => {
      const size = pageSizeOf(url);
      if (timeouts < 2 || size === undefined || size <= MIN_PAGE_SIZE) return undefined;
      const smaller = Math.max(MIN_PAGE_SIZE, Math.floor(size / 2));
      this.#options.logger.warning(`${entity}: repeated timeouts, page_size ${size} → ${smaller}`, { stream: entity });
      return withPageSize(url, smaller);
    };
    let first = true;
    while (paginator.current !== undefined) {
      const outcome = await this.#request({
        url: paginator.current,
        endpoint,
        list: true,
        notFound: this.#listNotFound(entity, first),
        shrink,
        ...(transcoder ? { transcode: transcoder } : {}),
      });
      first = false;
      if (outcome.url !== paginator.current) paginator.replaceCurrent(outcome.url);
      if (outcome.kind === 'empty') return;
      if (!outcome.body.json) throw new SourceError(`${endpoint}: ${outcome.body.summary}`);
      const page = readEnvelope(outcome.body.value, outcome.url);
      if (page.nextPage !== null) this.#guard.check(page.nextPage, `${endpoint}: the next_page link`);
      paginator.advance(page.nextPage);
      yield page;
    }
  }

  /** Any HTTP answer from the entity root, even 401, means the host is reachable: its status (no credentials sent). */
  async reachable(): Promise<number> {
    try {
      const response = await this.#options.transport.send({
        method: 'GET',
        url: this.#root,
        headers: this.#options.headers,
        timeoutMs: this.#options.timeoutMs,
      });
      return response.status;
    } catch (error) {
      if (!(error instanceof NetworkFailure)) throw error;
      if (error.connectFailure) throw unreachableError(this.#root, error.code, 1, 0);
      throw new SourceError(`no answer from the WMS at ${shownOrigin(this.#root)}: ${error.message}`, {
        retriable: true,
        cause: error,
      });
    }
  }

  /**
   * One JSON call to another lgfapi module (`…/wms/lgfapi/v10/<path>`, e.g. `data_extract/…`): a POST when `body`
   * is given, else a GET with `query`. Retried like every request; a 404 is a failure, not an empty list.
   */
  async moduleCall(path: string, request: { query?: URLSearchParams; body?: unknown }): Promise<unknown> {
    const url = new URL(`${this.#moduleRoot}${path}`);
    if (request.query) url.search = request.query.toString();
    const outcome = await this.#request({
      url: url.toString(),
      endpoint: path,
      list: false,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
    if (outcome.kind === 'empty' || !outcome.body.json) throw new SourceError(`${path}: the WMS answered no JSON`);
    return outcome.body.value;
  }

  /** `result_count` of the paged mode with these filters (an empty result counts 0). */
  async count(entity: string, filters: URLSearchParams): Promise<number> {
    const value = await this.#onePage(entity, filters, { page_size: '1' });
    if (value === undefined) return 0;
    const count = (value as { result_count?: unknown }).result_count;
    if (typeof count !== 'number')
      throw new SourceError(`the WMS answered the count of ${entity} without result_count`);
    return count;
  }

  /** The newest `size` records (by id) with these filters, exactly as the API sends them. */
  async sample(entity: string, filters: URLSearchParams, size: number): Promise<Record<string, unknown>[]> {
    const value = await this.#onePage(entity, filters, { page_size: String(size), ordering: '-id' });
    const results = (value as { results?: unknown } | undefined)?.results;
    return Array.isArray(results) ? (results as Record<string, unknown>[]) : [];
  }

  /** The first list URL of an entity: the caller's parameters, plus empty_response_http_code when configured. */
  #listUrl(entity: string, params: URLSearchParams): string {
    const url = new URL(this.entityUrl(entity));
    const query = new URLSearchParams(params);
    const code = this.#options.emptyResponseCode;
    if (code !== undefined) query.set('empty_response_http_code', String(code));
    url.search = query.toString();
    return url.toString();
  }

  /**
   * A 404 on a list is lgfapi's "nothing matches", unless the request asked for another code: then, on the first
   * page, it is a wrong URL. A later page's 404 stays the end of the listing (a page count that went stale).
   */
  #listNotFound(entity: string, firstPage: boolean): RequestPlan['notFound'] {
    const code = this.#options.emptyResponseCode;
    if (code === undefined || code === 404 || !firstPage) return 'empty';
    return (url, detail) => listNotFound(url, entity, code, detail);
  }

  /** The body of one `page_mode=paged` list request, or undefined for an empty result. */
  async #onePage(entity: string, filters: URLSearchParams, extra: Record<string, string>): Promise<unknown> {
    const params = new URLSearchParams(filters);
    params.set('page_mode', 'paged');
    for (const [name, value] of Object.entries(extra)) params.set(name, value);
    const endpoint = `entity/${entity}`;
    const outcome = await this.#request({
      url: this.#listUrl(entity, params),
      endpoint,
      list: true,
      notFound: this.#listNotFound(entity, true),
    });
    if (outcome.kind === 'empty') return undefined;
    if (!outcome.body.json) throw new SourceError(`${endpoint}: ${outcome.body.summary}`);
    return outcome.body.value;
  }

  #request(plan: RequestPlan): Promise<Outcome> {
    return this.#requester.request(plan);
  }
}
