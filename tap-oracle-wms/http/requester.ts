import { InterruptedError, type Logger, type Metrics, sleep, SourceError } from '../../singer/index.js';
import { Semaphore } from '../concurrency.js';
import type { Authenticator } from './auth.js';
import { describeErrorBody, parseBody, type ParsedBody } from './body.js';
import { HttpFailure, kindOfStatus, sourceErrorOf } from './errors.js';
import type { OriginGuard } from './origin.js';
import { redactQuery } from './pagination.js';
import { RateLimiter } from './rate-limiter.js';
import { parseRetryAfter, type RetryPolicy } from './retry.js';
import { NetworkFailure, ResponseTooLarge, type Transport } from './transport.js';
import { connectRetriable, unreachableError, unreachableReason } from './unreachable.js';

/** Same-origin redirects followed per request (a trailing-slash or path redirect needs one). */
const MAX_REDIRECTS = 5;

export interface RequesterOptions {
  transport: Transport;
  auth: Authenticator;
  retry: RetryPolicy;
  /** Seconds spent retrying a request that cannot connect at all (DNS, refused, no route) before it fails. */
  connectRetrySeconds: number;
  timeoutMs: number;
  maxConcurrentRequests: number;
  ratePerSecond: number;
  headers: Record<string, string>;
  guard: OriginGuard;
  logger: Logger;
  metrics: Metrics;
  signal?: AbortSignal;
  /** Milliseconds; injected so the connect budget is testable without waiting. */
  now?: () => number;
}

export interface RequestPlan {
  url: string;
  /** Metric tag and log label: the path template, e.g. `entity/allocation`. */
  endpoint: string;
  /** A list request: a 204 (No Content) means no rows. */
  list: boolean;
  /** A JSON body to POST (Data Extract's export trigger); unset: a GET. */
  body?: string;
  /**
   * What an HTTP 404 means here: no rows (`'empty'`, lgfapi's answer to a list that matches nothing unless
   * empty_response_http_code says otherwise), or the error to end the run with. Unset: a fatal HTTP failure.
   */
  notFound?: 'empty' | ((url: string, detail: string | undefined) => Error);
  /** After consecutive timeouts, a smaller request (page_size halved) or undefined to keep the same one. */
  shrink?: (url: string, timeouts: number) => string | undefined;
  /** Decodes a successful body in place of parseJsonExact; undefined leaves the body to it. */
  transcode?: (text: string) => unknown;
}

export type Outcome = { kind: 'ok'; body: ParsedBody; url: string } | { kind: 'empty'; url: string };
type Answer = Omit<Outcome, 'url'> | { kind: 'redirect'; location: string };

/**
 * One logical lgfapi request: bounded concurrency, rate limit, retries with backoff (max_retries), a separate short
 * budget for connection failures (connect_retry_seconds), one re-authentication on 401, page_size shrunk on repeated
 * timeouts, same-origin redirects.
 */
export class Requester {
  readonly #options: RequesterOptions;
  readonly #semaphore: Semaphore;
  readonly #rate: RateLimiter;
  readonly #now: () => number;

  constructor(options: RequesterOptions) {
    this.#options = options;
    this.#semaphore = new Semaphore(options.maxConcurrentRequests);
    this.#rate = new RateLimiter(options.ratePerSecond);
    this.#now = options.now ?? Date.now;
  }

  async request(plan: RequestPlan): Promise<Outcome> {
    const { retry, logger } = this.#options;
    let url = plan.url;
    let attempt = 0;
    let timeouts = 0;
    let reauthenticated = false;
    let redirects = 0;
    let connectFailures = 0;
    let connectSince: number | undefined;
    for (;;) {
      let failure: HttpFailure;
      try {
        const answer = await this.#attempt(plan, url);
        if (answer.kind !== 'redirect') return { ...answer, url } as Outcome;
        redirects += 1;
        if (redirects > MAX_REDIRECTS)
          throw new SourceError(`${methodOf(plan)} ${redactQuery(plan.url)}: more than ${MAX_REDIRECTS} redirects`);
        url = answer.location;
        continue;
      } catch (error) {
        if (!(error instanceof HttpFailure)) throw error;
        failure = error;
      }
      let delay: number | undefined;
      if (failure.connectCode !== undefined) {
        // Not the server being busy: retrying for minutes would only hide a wrong host or port.
        connectFailures += 1;
        connectSince ??= this.#now();
        const spent = (this.#now() - connectSince) / 1000;
        delay = retry.backoffSeconds(connectFailures);
        if (!connectRetriable(failure.connectCode) || spent + delay > this.#options.connectRetrySeconds)
          throw unreachableError(url, failure.connectCode, connectFailures, spent);
        logger.warning(
          `${unreachableReason(url, failure.connectCode)}; retry in ${delay.toFixed(1)} s (connect_retry_seconds ${this.#options.connectRetrySeconds})`,
        );
      } else {
        attempt += 1;
        if (failure.status === 401 && !reauthenticated && this.#options.auth.invalidate()) {
          reauthenticated = true;
          logger.info(`${plan.endpoint}: HTTP 401, fetching a fresh token`);
          continue;
        }
        timeouts = failure.timedOut ? timeouts + 1 : 0;
        delay = retry.delaySeconds(attempt, failure);
        if (delay === undefined) throw sourceErrorOf(failure, `${methodOf(plan)} ${redactQuery(url)}`, attempt);
        if (failure.timedOut && plan.shrink) url = plan.shrink(url, timeouts) ?? url;
        logger.warning(
          `${methodOf(plan)} ${redactQuery(url)}: ${failure.message}; retry ${attempt}/${retry.maxRetries} in ${delay.toFixed(1)} s`,
        );
      }
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
        response = await transport.send(
          plan.body === undefined
            ? { method: 'GET', url, headers, timeoutMs }
            : {
                method: 'POST',
                url,
                headers: { ...headers, 'Content-Type': 'application/json' },
                body: plan.body,
                timeoutMs,
              },
        );
      } catch (error) {
        if (error instanceof ResponseTooLarge) {
          // Retrying would inflate the same body again; a page this size is a gzip bomb or a misconfiguration.
          throw new SourceError(
            `${methodOf(plan)} ${redactQuery(url)}: the response decodes to more than max_response_mb (${formatMb(error.limitBytes)} MB) and was abandoned: lower page_size, or raise max_response_mb if pages this large are expected`,
            { retriable: false },
          );
        }
        if (!(error instanceof NetworkFailure)) throw error;
        metrics.timer('http_request_duration', seconds(), {
          endpoint: plan.endpoint,
          http_status_code: null,
          status: 'failed',
        });
        throw new HttpFailure(error.message, {
          kind: 'retriable',
          timedOut: error.timedOut,
          ...(error.connectFailure ? { connectCode: error.code } : {}),
        });
      }
      const ok = response.status >= 200 && response.status < 300;
      const notFound = response.status === 404 ? plan.notFound : undefined;
      const empty = (plan.list && response.status === 204) || notFound === 'empty';
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
        this.#options.guard.check(
          target,
          `${methodOf(plan)} ${redactQuery(url)}: the HTTP ${response.status} redirect`,
        );
        return { kind: 'redirect' as const, location: target };
      }
      const transcoded = ok && plan.transcode ? plan.transcode(response.text) : undefined;
      if (transcoded !== undefined) return { kind: 'ok' as const, body: { json: true as const, value: transcoded } };
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
      if (typeof notFound === 'function') throw notFound(url, detail);
      throw new HttpFailure(`HTTP ${response.status}${detail ? ` (${detail})` : ''}`, {
        kind: kindOfStatus(response.status),
        status: response.status,
        retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
        detail,
      });
    });
  }
}

function methodOf(plan: RequestPlan): 'GET' | 'POST' {
  return plan.body === undefined ? 'GET' : 'POST';
}

function formatMb(bytes: number): string {
  return String(Math.round((bytes / 1024 / 1024) * 1000) / 1000);
}
