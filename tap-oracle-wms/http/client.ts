import { InterruptedError, type Logger, type Metrics, sleep, SourceError } from '../../singer/index.js';
import { Semaphore } from '../concurrency.js';
import type { Authenticator } from './auth.js';
import { describeErrorBody, parseBody, type ParsedBody } from './body.js';
import { HttpFailure, kindOfStatus, sourceErrorOf } from './errors.js';
import { OriginGuard } from './origin.js';
import {
  entityNames,
  NextPagePaginator,
  pageSizeOf,
  readEnvelope,
  redactQuery,
  withPageSize,
  type WmsPage,
} from './pagination.js';
import { RateLimiter } from './rate-limiter.js';
import { parseRetryAfter, type RetryPolicy } from './retry.js';
import { NetworkFailure, ResponseTooLarge, type Transport } from './transport.js';

/** The smallest page we shrink to after timeouts (FIVETRAN's floor). */
export const MIN_PAGE_SIZE = 25;

/** Same-origin redirects followed per request (a trailing-slash or path redirect needs one). */
const MAX_REDIRECTS = 5;

/** What discovery and sync need from the WMS. The HTTP client implements it; unit tests use an in-memory one. */
export interface WmsSource {
  entities(): Promise<string[]>;
  describe(entity: string): Promise<Record<string, unknown>>;
  /** One page after another of a list request; an empty result (lgfapi: 404) yields nothing. */
  pages(entity: string, params: URLSearchParams): AsyncGenerator<WmsPage>;
}

export interface WmsClientOptions {
  baseUrl: string;
  apiVersion: string;
  transport: Transport;
  auth: Authenticator;
  retry: RetryPolicy;
  timeoutMs: number;
  maxConcurrentRequests: number;
  ratePerSecond: number;
  headers: Record<string, string>;
  logger: Logger;
  metrics: Metrics;
  signal?: AbortSignal;
}

interface RequestPlan {
  url: string;
  /** Metric tag and log label: the path template, e.g. `entity/allocation`. */
  endpoint: string;
  /** A list request: 404 means no rows. */
  list: boolean;
  /** After consecutive timeouts, a smaller request (page_size halved) or undefined to keep the same one. */
  shrink?: (url: string, timeouts: number) => string | undefined;
}

type Outcome = { kind: 'ok'; body: ParsedBody; url: string } | { kind: 'empty'; url: string };
type Answer = Omit<Outcome, 'url'> | { kind: 'redirect'; location: string };

/** lgfapi v10 over HTTP: auth, bounded concurrency, rate limit, retries with backoff, next_page pagination. */
export class WmsClient implements WmsSource {
  readonly #options: WmsClientOptions;
  readonly #root: string;
  readonly #semaphore: Semaphore;
  readonly #rate: RateLimiter;
  readonly #guard: OriginGuard;
  readonly #describes = new Map<string, Promise<Record<string, unknown>>>();

  constructor(options: WmsClientOptions) {
    this.#options = options;
    this.#root = `${options.baseUrl.replace(/\/+$/, '')}/wms/lgfapi/${options.apiVersion}/entity/`;
    this.#semaphore = new Semaphore(options.maxConcurrentRequests);
    this.#rate = new RateLimiter(options.ratePerSecond);
    this.#guard = new OriginGuard(options.baseUrl);
  }

  entityUrl(entity: string, suffix = ''): string {
    return `${this.#root}${encodeURIComponent(entity)}/${suffix}`;
  }

  /** `GET …/entity/`: a `{name: url}` object, a list of names, or `{results: [...]}`; sorted names. */
  async entities(): Promise<string[]> {
    const outcome = await this.#request({ url: this.#root, endpoint: 'entity', list: false });
    const value = outcome.kind === 'ok' && outcome.body.json ? outcome.body.value : undefined;
    const names = entityNames(value);
    if (!names) throw new SourceError('the WMS entity list (GET …/entity/) has an unexpected shape');
    return [...new Set(names)].sort();
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

  async *pages(entity: string, params: URLSearchParams): AsyncGenerator<WmsPage> {
    const first = new URL(this.entityUrl(entity));
    first.search = params.toString();
    const paginator = new NextPagePaginator(first.toString());
    const endpoint = `entity/${entity}`;
    const shrink = (url: string, timeouts: number): string | undefined => {
      const size = pageSizeOf(url);
      if (timeouts < 2 || size === undefined || size <= MIN_PAGE_SIZE) return undefined;
      const smaller = Math.max(MIN_PAGE_SIZE, Math.floor(size / 2));
      this.#options.logger.warning(`${entity}: repeated timeouts, page_size ${size} → ${smaller}`, { stream: entity });
      return withPageSize(url, smaller);
    };
    while (paginator.current !== undefined) {
      const outcome = await this.#request({ url: paginator.current, endpoint, list: true, shrink });
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
      if (error instanceof NetworkFailure)
        throw new SourceError(`WMS not reachable: ${error.message}`, { retriable: true, cause: error });
      throw error;
    }
  }

  /** `result_count` of the paged mode with these filters (an empty result, lgfapi's 404, counts 0). */
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

  /** The body of one `page_mode=paged` list request, or undefined for an empty result. */
  async #onePage(entity: string, filters: URLSearchParams, extra: Record<string, string>): Promise<unknown> {
    const url = new URL(this.entityUrl(entity));
    const params = new URLSearchParams(filters);
    params.set('page_mode', 'paged');
    for (const [name, value] of Object.entries(extra)) params.set(name, value);
    url.search = params.toString();
    const endpoint = `entity/${entity}`;
    const outcome = await this.#request({ url: url.toString(), endpoint, list: true });
    if (outcome.kind === 'empty') return undefined;
    if (!outcome.body.json) throw new SourceError(`${endpoint}: ${outcome.body.summary}`);
    return outcome.body.value;
  }

  /** One logical request: retried, re-authenticated once on 401, shrunk on repeated timeouts. */
  async #request(plan: RequestPlan): Promise<Outcome> {
    const { retry, logger } = this.#options;
    let url = plan.url;
    let attempt = 0;
    let timeouts = 0;
    let reauthenticated = false;
    let redirects = 0;
    for (;;) {
      let failure: HttpFailure;
      try {
        const answer = await this.#attempt(plan, url);
        if (answer.kind !== 'redirect') return { ...answer, url } as Outcome;
        redirects += 1;
        if (redirects > MAX_REDIRECTS)
          throw new SourceError(`GET ${redactQuery(plan.url)}: more than ${MAX_REDIRECTS} redirects`);
        url = answer.location;
        continue;
      } catch (error) {
        if (!(error instanceof HttpFailure)) throw error;
        failure = error;
      }
      attempt += 1;
      if (failure.status === 401 && !reauthenticated && this.#options.auth.invalidate()) {
        reauthenticated = true;
        logger.info(`${plan.endpoint}: HTTP 401, fetching a fresh token`);
        continue;
      }
      timeouts = failure.timedOut ? timeouts + 1 : 0;
      const delay = retry.delaySeconds(attempt, failure);
      if (delay === undefined) throw sourceErrorOf(failure, `GET ${redactQuery(url)}`, attempt);
      if (failure.timedOut && plan.shrink) url = plan.shrink(url, timeouts) ?? url;
      logger.warning(
        `GET ${redactQuery(url)}: ${failure.message}; retry ${attempt}/${retry.maxRetries} in ${delay.toFixed(1)} s`,
      );
      await sleep(delay * 1000, this.#options.signal);
      if (this.#options.signal?.aborted) throw new InterruptedError(String(this.#options.signal.reason ?? 'SIGTERM'));
    }
  }

  /** One HTTP exchange. Returns the outcome or a same-origin redirect, or throws HttpFailure (or SourceError). */
  async #attempt(plan: RequestPlan, url: string): Promise<Answer> {
    const { transport, metrics, timeoutMs } = this.#options;
    return this.#semaphore.run(async () => {
      await this.#rate.acquire();
      const headers = { ...this.#options.headers, ...(await this.#options.auth.headers()) };
      const started = process.hrtime.bigint();
      const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
      let response;
      try {
        response = await transport.send({ method: 'GET', url, headers, timeoutMs });
      } catch (error) {
        if (error instanceof ResponseTooLarge) {
          // Retrying would inflate the same body again; a page this size is a gzip bomb or a misconfiguration.
          throw new SourceError(
            `GET ${redactQuery(url)}: the response decodes to more than max_response_mb (${formatMb(error.limitBytes)} MB) and was abandoned: lower page_size, or raise max_response_mb if pages this large are expected`,
            { retriable: false },
          );
        }
        if (!(error instanceof NetworkFailure)) throw error;
        metrics.timer('http_request_duration', seconds(), {
          endpoint: plan.endpoint,
          http_status_code: null,
          status: 'failed',
        });
        throw new HttpFailure(error.message, { kind: 'retriable', timedOut: error.timedOut });
      }
      const ok = response.status >= 200 && response.status < 300;
      const empty = response.status === 404 && plan.list;
      metrics.timer('http_request_duration', seconds(), {
        endpoint: plan.endpoint,
        http_status_code: response.status,
        status: ok || empty ? 'succeeded' : 'failed',
      });
      if (empty) return { kind: 'empty' as const };
      const location = response.headers.location;
      if (response.status >= 300 && response.status < 400 && location) {
        // The transport never follows redirects itself: only here, after the origin check, with the same headers.
        const target = new URL(location, url).toString();
        this.#guard.check(target, `GET ${redactQuery(url)}: the HTTP ${response.status} redirect`);
        return { kind: 'redirect' as const, location: target };
      }
      const body = parseBody(response.text, response.headers['content-type']);
      if (ok) {
        // A gateway page with a 200 is a transient proxy problem, not data.
        if (!body.json)
          throw new HttpFailure(`HTTP ${response.status} with ${body.summary}`, {
            kind: 'retriable',
            status: response.status,
          });
        return { kind: 'ok' as const, body };
      }
      const detail = describeErrorBody(body);
      throw new HttpFailure(`HTTP ${response.status}${detail ? ` (${detail})` : ''}`, {
        kind: kindOfStatus(response.status),
        status: response.status,
        retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
        detail,
      });
    });
  }
}

function formatMb(bytes: number): string {
  return String(Math.round((bytes / 1024 / 1024) * 1000) / 1000);
}
