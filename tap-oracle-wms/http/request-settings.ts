import { defineSettingGroup } from '../../singer/index.js';

/**
 * The tap's settings for its HTTP requests (part of TAP_SETTINGS, in this order): timeouts, the response size cap,
 * retries and backoff, concurrency and the client-side rate limit.
 */
export const REQUEST_SETTINGS = defineSettingGroup({
  request_timeout: {
    type: 'number',
    exclusiveMinimum: 0,
    default: 300,
    description: 'Seconds before one HTTP request is abandoned (then retried)',
  },
  max_response_mb: {
    type: 'number',
    exclusiveMinimum: 0,
    default: 100,
    description:
      'Largest decoded (decompressed) response body in MB; a larger one (a gzip bomb, a runaway page) fails the run (exit 4) instead of exhausting memory. (a real order_hdr row is about 7 KB of JSON, so a 1250-row page is about 10 MB)',
  },
  max_retries: {
    type: 'integer',
    minimum: 0,
    default: 5,
    description: 'Retries of a failed request (429, 5xx, timeouts, resets) before the run fails',
  },
  connect_retry_seconds: {
    type: 'number',
    minimum: 0,
    default: 10,
    description:
      'Seconds spent retrying a request that cannot connect at all (host name not found, connection refused, no route) before the run fails naming scheme://host:port; separate from max_retries, so a wrong or unreachable host fails in seconds',
  },
  empty_response_http_code: {
    type: 'integer',
    enum: [200, 204, 404],
    description:
      'Sent on list requests as empty_response_http_code (lgfapi release 26A and later): the status a list that matches nothing answers with. 200 or 204 make a 404 on a list mean a wrong URL (the run fails, exit 2) instead of "no rows"; unset (or 404) keeps the old answer, for tenants before 26A',
  },
  backoff_initial_seconds: {
    type: 'number',
    minimum: 0,
    default: 1,
    description: 'First backoff delay; doubles every retry, with jitter',
  },
  backoff_max_seconds: {
    type: 'number',
    minimum: 0,
    default: 60,
    description: 'Upper bound of one backoff delay (a longer Retry-After is still honoured, up to 300 s)',
  },
  max_concurrent_requests: {
    type: 'integer',
    minimum: 1,
    maximum: 32,
    default: 4,
    description: 'Requests in flight at once, across streams and partitions (Oracle recommends fewer than 10)',
  },
  rate_limit_per_second: {
    type: 'number',
    minimum: 0,
    default: 0,
    description: 'Client-side limit of requests started per second; 0 disables',
  },
});
