import { HttpFailure } from '../../../tap-oracle-wms/http/errors.js';
import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter, RetryPolicy } from '../../../tap-oracle-wms/http/retry.js';
import { expect } from './helpers.js';

const retriable = new HttpFailure('HTTP 503', { kind: 'retriable', status: 503 });
const fatal = new HttpFailure('HTTP 401', { kind: 'fatal', status: 401 });

describe('tap retry policy (pure)', () => {
  it('backs off exponentially with jitter in [d/2, d], capped at backoff_max_seconds', () => {
    const low = new RetryPolicy({ maxRetries: 6, initialSeconds: 1, maxSeconds: 8 }, () => 0);
    const high = new RetryPolicy({ maxRetries: 6, initialSeconds: 1, maxSeconds: 8 }, () => 1);
    expect([1, 2, 3, 4, 5].map((n) => low.delaySeconds(n, retriable))).to.deep.equal([0.5, 1, 2, 4, 4]);
    expect([1, 2, 3, 4, 5].map((n) => high.delaySeconds(n, retriable))).to.deep.equal([1, 2, 4, 8, 8]);
  });

  it('gives up after max_retries and never retries fatal failures', () => {
    const policy = new RetryPolicy({ maxRetries: 2, initialSeconds: 1, maxSeconds: 8 }, () => 0);
    expect(policy.delaySeconds(2, retriable)).to.be.a('number');
    expect(policy.delaySeconds(3, retriable)).to.equal(undefined);
    expect(policy.delaySeconds(1, fatal)).to.equal(undefined);
  });

  it('honours Retry-After when it asks for longer than the backoff, not shorter', () => {
    const policy = new RetryPolicy({ maxRetries: 5, initialSeconds: 1, maxSeconds: 8 }, () => 0);
    expect(
      policy.delaySeconds(1, new HttpFailure('429', { kind: 'retriable', status: 429, retryAfterSeconds: 7 })),
    ).to.equal(7);
    expect(
      policy.delaySeconds(4, new HttpFailure('429', { kind: 'retriable', status: 429, retryAfterSeconds: 0 })),
    ).to.equal(4);
    expect(
      policy.delaySeconds(
        1,
        new HttpFailure('503', { kind: 'retriable', retryAfterSeconds: MAX_RETRY_AFTER_SECONDS + 1 }),
      ),
    ).to.equal(undefined);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).to.equal(3);
    expect(parseRetryAfter(' 1.5 ')).to.equal(1.5);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).to.equal(10);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).to.equal(0);
    expect(parseRetryAfter('soon')).to.equal(undefined);
    expect(parseRetryAfter(undefined)).to.equal(undefined);
  });
});
