import { SourceError } from '../../singer/index.js';

/**
 * What the caller does about a failed request:
 * - `retriable`: back off and try again (429, 5xx, timeouts, resets, a gateway's HTML page on a 200);
 * - `fatal`: stop the run with a clear message (400, 401, 403, other 4xx) — retrying cannot help;
 * - a 404 on a list is not an error at all (lgfapi answers an empty filter result with 404), unless the request
 *   asked for another empty answer (empty_response_http_code) or it is the entity list: then a wrong URL (wrong-url.ts);
 * - a request that never connected has its own short budget (unreachable.ts).
 */
export type FailureKind = 'retriable' | 'fatal';

/** One failed attempt, before the retry policy decides. Never carries credentials, tokens or record values. */
export class HttpFailure extends Error {
  readonly kind: FailureKind;
  readonly status?: number;
  /** Seconds the server asked us to wait (Retry-After), if any. */
  readonly retryAfterSeconds?: number;
  /** The request did not answer within request_timeout. */
  readonly timedOut: boolean;
  /** The lgfapi error body in one line (code — message — details), which names the parameter a 400 refused. */
  readonly detail?: string;
  /** The transport's code when no connection was made at all (ECONNREFUSED, ENOTFOUND, …): see unreachable.ts. */
  readonly connectCode?: string;

  constructor(
    message: string,
    options: {
      kind: FailureKind;
      status?: number;
      retryAfterSeconds?: number;
      timedOut?: boolean;
      detail?: string;
      connectCode?: string;
    },
  ) {
    super(message);
    this.name = 'HttpFailure';
    this.kind = options.kind;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.timedOut = options.timedOut ?? false;
    this.detail = options.detail;
    this.connectCode = options.connectCode;
  }
}

/**
 * Whether a run-ending error is the WMS refusing one query parameter: a 400 whose error body (not the request URL)
 * names it. Any other 400 (a bad filter, an unknown field) is the user's to fix and must not be worked around.
 */
export function refusedParameter(error: unknown, parameter: string): boolean {
  if (!(error instanceof SourceError) || error.status !== 400) return false;
  const failure = error.cause;
  return failure instanceof HttpFailure && (failure.detail ?? '').includes(parameter);
}

export function kindOfStatus(status: number): FailureKind {
  return status === 429 || status === 408 || status >= 500 ? 'retriable' : 'fatal';
}

const STATUS_HINTS: Record<number, string> = {
  400: 'the WMS rejected the request (check entity_filters, scope_filters and the entity name)',
  401: 'authentication failed (check username/password or the OAuth client settings)',
  403: 'permission denied (the WMS user needs lgfapi_read_access and eligibility for the company/facility)',
  404: 'not found',
};

/** The error that ends the run (exit code 4), with what to do about it. */
export function sourceErrorOf(failure: HttpFailure, what: string, attempts: number): SourceError {
  const hint = failure.status === undefined ? undefined : STATUS_HINTS[failure.status];
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  return new SourceError(`${what} failed${tries}: ${failure.message}${hint ? `: ${hint}` : ''}`, {
    status: failure.status,
    retriable: failure.kind === 'retriable',
    cause: failure,
  });
}
