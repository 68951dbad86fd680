import { ConfigError, SourceError } from '../../../singer/index.js';
import { BasicAuth, OAuthAuth } from '../../../tap-oracle-wms/http/auth.js';
import { type EmptyResponseCode, WmsClient } from '../../../tap-oracle-wms/http/client.js';
import { RetryPolicy } from '../../../tap-oracle-wms/http/retry.js';
import {
  NetworkFailure,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from '../../../tap-oracle-wms/http/transport.js';
import { expect, testLogger } from './helpers.js';

type Reply = TransportResponse | NetworkFailure;
const json = (status: number, body: unknown, headers: Record<string, string> = {}): TransportResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  text: JSON.stringify(body),
});

/** A scripted transport: answers requests in order and records them. */
class ScriptedTransport implements Transport {
  readonly requests: TransportRequest[] = [];
  readonly #replies: ((request: TransportRequest) => Reply)[];

  constructor(replies: ((request: TransportRequest) => Reply)[]) {
    this.#replies = replies;
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    this.requests.push(request);
    const next = this.#replies.shift();
    if (!next) throw new Error(`unexpected request ${request.url}`);
    const reply = next(request);
    if (reply instanceof NetworkFailure) throw reply;
    return reply;
  }

  close(): void {}
}

interface ClientOptions {
  maxRetries?: number;
  auth?: 'basic' | 'oauth';
  baseUrl?: string;
  connectRetrySeconds?: number;
  emptyResponseCode?: EmptyResponseCode;
  now?: () => number;
}

function client(transport: Transport, options: ClientOptions = {}) {
  const { logger, metrics, stderr } = testLogger();
  logger.addSecrets(['s3cret', 'tok-1', 'tok-2']);
  const auth =
    options.auth === 'oauth'
      ? new OAuthAuth({
          transport,
          timeoutMs: 1000,
          onToken: () => undefined,
          request: {
            url: 'https://h/env/api/oauth2/token/',
            clientId: 'cid',
            clientSecret: 's3cret',
            form: { grant_type: 'password' },
          },
        })
      : new BasicAuth('demo', 's3cret');
  const wms = new WmsClient({
    baseUrl: options.baseUrl ?? 'https://h/env/',
    apiVersion: 'v10',
    connectRetrySeconds: options.connectRetrySeconds,
    emptyResponseCode: options.emptyResponseCode,
    now: options.now,
    transport,
    auth,
    retry: new RetryPolicy({ maxRetries: options.maxRetries ?? 3, initialSeconds: 0.001, maxSeconds: 0.002 }, () => 0),
    timeoutMs: 1000,
    maxConcurrentRequests: 2,
    ratePerSecond: 0,
    headers: {},
    logger,
    metrics,
  });
  return { wms, stderr };
}

async function collect(gen: AsyncGenerator<{ results: Record<string, unknown>[] }>): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const page of gen) rows.push(...page.results);
  return rows;
}

const page = (ids: number[], next: string | null) =>
  json(200, { next_page: next, previous_page: null, results: ids.map((id) => ({ id })) });

describe('tap WmsClient over a scripted in-memory transport (no network)', () => {
  it('builds lgfapi URLs and follows next_page verbatim', async () => {
    const next = 'https://h:443/env/wms/lgfapi/v10/entity/item?cursor=cD0y&page_size=2';
    const t = new ScriptedTransport([() => page([1, 2], next), () => page([3], null)]);
    const rows = await collect(client(t).wms.pages('item', new URLSearchParams({ page_size: '2' })));
    expect(rows).to.deep.equal([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(t.requests.map((r) => r.url)).to.deep.equal(['https://h/env/wms/lgfapi/v10/entity/item/?page_size=2', next]);
    expect(t.requests[0].headers.Authorization).to.equal(`Basic ${Buffer.from('demo:s3cret').toString('base64')}`);
  });

  it('reads a 404 on a list as no rows', async () => {
    const t = new ScriptedTransport([() => json(404, { code: 'NOT_FOUND', message: 'No data found' })]);
    expect(await collect(client(t).wms.pages('item', new URLSearchParams()))).to.deep.equal([]);
  });

  it('retries 429/5xx/resets and HTML gateway pages, honouring Retry-After', async () => {
    const t = new ScriptedTransport([
      () => json(429, { message: 'slow down' }, { 'retry-after': '0.05' }),
      () => ({
        status: 502,
        headers: { 'content-type': 'text/html' },
        text: '<html><title>502 Bad Gateway</title></html>',
      }),
      () => new NetworkFailure('ECONNRESET', false),
      () => page([7], null),
    ]);
    const { wms, stderr } = client(t, { maxRetries: 3 });
    const started = Date.now();
    expect(await collect(wms.pages('item', new URLSearchParams()))).to.deep.equal([{ id: 7 }]);
    expect(Date.now() - started).to.be.at.least(45);
    expect(stderr.text)
      .to.match(/HTTP 429/)
      .and.match(/502 Bad Gateway/)
      .and.match(/ECONNRESET/);
    expect(stderr.text).to.match(/"metric":"http_request_duration".*"http_status_code":429.*"status":"failed"/);
  });

  it('gives up after max_retries with a SourceError naming the failure', async () => {
    const t = new ScriptedTransport([() => json(503, { message: 'down' }), () => json(503, { message: 'down' })]);
    const error = await collect(client(t, { maxRetries: 1 }).wms.pages('item', new URLSearchParams())).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(SourceError);
    expect((error as Error).message).to.match(/after 2 attempts: HTTP 503 \(down\)/);
  });

  it('401/403/400 are fatal at once, with a clear hint and no credentials in the message', async () => {
    for (const status of [401, 403, 400]) {
      const t = new ScriptedTransport([() => json(status, { code: 'X', message: 'no' })]);
      const error = (await collect(
        client(t).wms.pages('item', new URLSearchParams({ facility_id__code: 'DC01' })),
      ).catch((e: unknown) => e)) as SourceError;
      expect(error).to.be.instanceOf(SourceError);
      expect(t.requests).to.have.length(1);
      expect(error.message).to.contain(`HTTP ${status}`).and.not.contain('s3cret').and.not.contain('DC01');
    }
  });

  it('halves page_size on repeated timeouts (floor 25) and goes on', async () => {
    const timeout = () => new NetworkFailure('ECONNABORTED', true);
    const t = new ScriptedTransport([
      timeout,
      timeout,
      timeout,
      (r) => page([Number(new URL(r.url).searchParams.get('page_size'))], null),
    ]);
    const rows = await collect(
      client(t, { maxRetries: 5 }).wms.pages('item', new URLSearchParams({ page_size: '100' })),
    );
    const sizes = t.requests.map((r) => new URL(r.url).searchParams.get('page_size'));
    expect(sizes).to.deep.equal(['100', '100', '50', '25']);
    expect(rows).to.deep.equal([{ id: 25 }]);
  });

  it('OAuth: caches the token, refreshes once on 401, never leaks it', async () => {
    let issued = 0;
    const token = () => json(200, { access_token: `tok-${++issued}`, expires_in: 3600 });
    const t = new ScriptedTransport([
      token,
      () => page([1], 'https://h/n?c=2'),
      () => json(401, {}),
      token,
      () => page([2], null),
    ]);
    const { wms, stderr } = client(t, { auth: 'oauth' });
    expect(await collect(wms.pages('item', new URLSearchParams()))).to.deep.equal([{ id: 1 }, { id: 2 }]);
    expect(t.requests[0].method).to.equal('POST');
    expect(t.requests[0].headers.Authorization).to.equal(`Basic ${Buffer.from('cid:s3cret').toString('base64')}`);
    expect(t.requests[1].headers.Authorization).to.equal('Bearer tok-1');
    expect(t.requests[4].headers.Authorization).to.equal('Bearer tok-2');
    expect(stderr.text).to.not.contain('tok-');
  });

  it("follows next_page links on base_url's origin written with the default port (:443) or none", async () => {
    const t = new ScriptedTransport([
      () => page([1], 'https://h:443/env/wms/lgfapi/v10/entity/item?cursor=cD0x'),
      () => page([2], 'https://H/env/wms/lgfapi/v10/entity/item?cursor=cD0y'),
      () => page([3], null),
    ]);
    expect(await collect(client(t).wms.pages('item', new URLSearchParams()))).to.deep.equal([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
  });

  it('refuses a next_page link to another host, port or scheme (exit 4, names the origin, sends nothing there)', async () => {
    const foreign: [string, string][] = [
      ['https://evil.example/env/wms/lgfapi/v10/entity/item?cursor=cD0x', 'https://evil.example'],
      ['https://h:8443/env/wms/lgfapi/v10/entity/item?cursor=cD0x', 'https://h:8443'],
      ['http://h/env/wms/lgfapi/v10/entity/item?cursor=cD0x', 'http://h'],
      ['https://demo:s3cret@evil.example:444/x?cursor=cD0x', 'https://evil.example:444'],
    ];
    for (const [next, origin] of foreign) {
      const t = new ScriptedTransport([() => page([1], next)]);
      const error = (await collect(client(t).wms.pages('item', new URLSearchParams())).catch(
        (e: unknown) => e,
      )) as SourceError;
      expect(error, next).to.be.instanceOf(SourceError);
      expect(error.exitCode).to.equal(4);
      expect(error.message)
        .to.contain(`entity/item: the next_page link points to ${origin},`)
        .and.contain('not the configured WMS origin https://h')
        .and.not.contain('s3cret')
        .and.not.contain('cursor');
      expect(t.requests).to.have.length(1);
    }
  });

  it('follows a same-origin redirect with its credentials; refuses one to another origin without following it', async () => {
    const redirect = (location: string) => ({ status: 302, headers: { location }, text: '' });
    const t = new ScriptedTransport([() => redirect('/env/wms/lgfapi/v10/entity/item/?page=1'), () => page([1], null)]);
    expect(await collect(client(t).wms.pages('item', new URLSearchParams()))).to.deep.equal([{ id: 1 }]);
    expect(t.requests[1].url).to.equal('https://h/env/wms/lgfapi/v10/entity/item/?page=1');
    expect(t.requests[1].headers.Authorization).to.match(/^Basic /);

    const away = new ScriptedTransport([() => redirect('https://login.example:8443/sso?next=x')]);
    const error = (await collect(client(away).wms.pages('item', new URLSearchParams())).catch(
      (e: unknown) => e,
    )) as SourceError;
    expect(error).to.be.instanceOf(SourceError);
    expect(error.exitCode).to.equal(4);
    expect(error.message).to.contain('HTTP 302 redirect points to https://login.example:8443,');
    expect(away.requests).to.have.length(1);
  });

  it('parses bodies exactly: ids beyond 2^53 are not rounded', async () => {
    const t = new ScriptedTransport([
      () => ({ status: 200, headers: {}, text: '{"next_page":null,"results":[{"id":12345678901234567890}]}' }),
    ]);
    const rows = (await collect(client(t).wms.pages('item', new URLSearchParams()))) as { id: { text: string } }[];
    expect(rows[0].id.text).to.equal('12345678901234567890');
  });

  it('accepts the entity list as a dict, a list, or {results}, and asks for it once per run', async () => {
    const shapes: [unknown, string[]][] = [
      [{ order_hdr: 'u', allocation: 'u' }, ['allocation', 'order_hdr']],
      [
        ['b', 'a'],
        ['a', 'b'],
      ],
      [{ results: ['z'] }, ['z']],
    ];
    for (const [body, names] of shapes) {
      const t = new ScriptedTransport([() => json(200, body)]);
      const { wms } = client(t);
      expect(await wms.entities()).to.deep.equal(names);
      expect(await wms.entities()).to.deep.equal(names);
      expect(t.requests).to.have.length(1);
    }
  });
});

describe('tap WmsClient: a wrong base URL is a configuration error, never an empty tenant', () => {
  const notFound = () => json(404, { code: 'NOT_FOUND', message: 'Not found.' });

  it('a 404 on the entity list fails (exit 2) naming the URL without credentials and what to check', async () => {
    const t = new ScriptedTransport([notFound]);
    const error = (await client(t, { baseUrl: 'https://demo:s3cret@h/wrong_env/' })
      .wms.entities()
      .catch((e: unknown) => e)) as ConfigError;
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.exitCode).to.equal(2);
    expect(error.retriable).to.equal(false);
    expect(error.message)
      .to.contain('GET https://h:443/wrong_env/wms/lgfapi/v10/entity/ answered HTTP 404 (NOT_FOUND — Not found.)')
      .and.contain('environment segment')
      .and.contain('api_version')
      .and.not.contain('s3cret')
      .and.not.contain('demo:');
    expect(t.requests).to.have.length(1);
  });

  it('sends empty_response_http_code on list requests when configured, and not otherwise', async () => {
    const sent = new ScriptedTransport([() => page([1], null), () => json(200, { result_count: 0, results: [] })]);
    const { wms } = client(sent, { emptyResponseCode: 200 });
    await collect(wms.pages('item', new URLSearchParams({ page_size: '2' })));
    expect(await wms.count('item', new URLSearchParams())).to.equal(0);
    for (const request of sent.requests)
      expect(new URL(request.url).searchParams.get('empty_response_http_code')).to.equal('200');

    const plain = new ScriptedTransport([() => page([1], null)]);
    await collect(client(plain).wms.pages('item', new URLSearchParams()));
    expect(plain.requests[0].url).to.not.contain('empty_response_http_code');
  });

  it('with empty_response_http_code 200 or 204, a 404 on a first page is a wrong URL (exit 2), not "no rows"', async () => {
    for (const code of [200, 204] as const) {
      const t = new ScriptedTransport([notFound]);
      const error = (await collect(
        client(t, { emptyResponseCode: code }).wms.pages('item', new URLSearchParams()),
      ).catch((e: unknown) => e)) as ConfigError;
      expect(error, String(code)).to.be.instanceOf(ConfigError);
      expect(error.exitCode).to.equal(2);
      expect(error.message)
        .to.contain('GET https://h:443/env/wms/lgfapi/v10/entity/item/ answered HTTP 404')
        .and.contain(`empty_response_http_code=${code}`)
        .and.contain("entity 'item'")
        .and.not.contain('?');
    }
  });

  it("with empty_response_http_code, 204 and an empty 200 are no rows; a later page's 404 ends the listing", async () => {
    const noContent = new ScriptedTransport([() => ({ status: 204, headers: {}, text: '' })]);
    expect(
      await collect(client(noContent, { emptyResponseCode: 204 }).wms.pages('item', new URLSearchParams())),
    ).to.deep.equal([]);
    const emptyPage = new ScriptedTransport([() => page([], null)]);
    expect(
      await collect(client(emptyPage, { emptyResponseCode: 200 }).wms.pages('item', new URLSearchParams())),
    ).to.deep.equal([]);
    // A stale page count leads past the end: the page after it answers 404, whatever the parameter.
    const stale = new ScriptedTransport([
      () => page([1], 'https://h/env/wms/lgfapi/v10/entity/item/?page=2'),
      notFound,
    ]);
    expect(
      await collect(client(stale, { emptyResponseCode: 200 }).wms.pages('item', new URLSearchParams())),
    ).to.deep.equal([{ id: 1 }]);
  });

  it('with empty_response_http_code 404 (or unset), a 404 on a list stays "no rows"', async () => {
    const t = new ScriptedTransport([notFound]);
    expect(await collect(client(t, { emptyResponseCode: 404 }).wms.pages('item', new URLSearchParams()))).to.deep.equal(
      [],
    );
  });
});

describe('tap WmsClient: an unreachable WMS fails within connect_retry_seconds, naming scheme://host:port', () => {
  /** Each connection attempt takes 3 s of a fake clock, as a slow DNS lookup would; nothing really waits. */
  function unreachable(code: string, answers = Infinity) {
    let nowMs = 0;
    let left = answers;
    const replies = Array.from({ length: 20 }, () => () => {
      nowMs += 3000;
      return left-- > 0 ? new NetworkFailure(code, false) : page([9], null);
    });
    return { transport: new ScriptedTransport(replies), now: () => nowMs };
  }

  it('connection refused: retried for connect_retry_seconds only (not max_retries), then exit 4 naming the origin', async () => {
    const { transport, now } = unreachable('ECONNREFUSED');
    const { wms, stderr } = client(transport, {
      baseUrl: 'https://demo:s3cret@wms.test:8443/prod',
      maxRetries: 1,
      connectRetrySeconds: 10,
      now,
    });
    const error = (await collect(wms.pages('item', new URLSearchParams({ facility_id__code: 'DC01' }))).catch(
      (e: unknown) => e,
    )) as SourceError;
    expect(error).to.be.instanceOf(SourceError);
    expect(error.exitCode).to.equal(4);
    expect(error.retriable).to.equal(true);
    // Failures at 3, 6, 9, 12, 15 s: the fifth comes 12 s after the first, past the 10 s budget.
    expect(transport.requests).to.have.length(5);
    expect(error.message)
      .to.match(/^cannot reach the WMS at https:\/\/wms\.test:8443: nothing accepts connections there \(ECONNREFUSED\)/)
      .and.contain('(5 attempts in 12.0 s)')
      .and.contain('check the host and port in base_url')
      .and.not.contain('s3cret')
      .and.not.contain('DC01');
    expect(stderr.text).to.contain('cannot reach the WMS at https://wms.test:8443').and.not.contain('s3cret');
  });

  it('a host name that does not resolve fails at once (not retried, not retriable) and says to check the host name', async () => {
    const { transport, now } = unreachable('ENOTFOUND');
    const error = (await client(transport, { baseUrl: 'https://wms.invalid/prod', connectRetrySeconds: 60, now })
      .wms.entities()
      .catch((e: unknown) => e)) as SourceError;
    expect(error).to.be.instanceOf(SourceError);
    expect(error.retriable).to.equal(false);
    expect(transport.requests).to.have.length(1);
    expect(error.message)
      .to.contain('cannot reach the WMS at https://wms.invalid:443: the host name does not resolve (ENOTFOUND)')
      .and.contain('check the host name in base_url');
  });

  it('a connection that comes back within the budget goes on, max_retries untouched', async () => {
    const { transport, now } = unreachable('ECONNREFUSED', 2);
    const { wms } = client(transport, { maxRetries: 0, connectRetrySeconds: 10, now });
    expect(await collect(wms.pages('item', new URLSearchParams()))).to.deep.equal([{ id: 9 }]);
    expect(transport.requests).to.have.length(3);
  });

  it('reachable() (wms-pipeline health) names the origin of a refused connection', async () => {
    const { transport, now } = unreachable('ECONNREFUSED');
    const error = (await client(transport, { baseUrl: 'http://127.0.0.1:9/demo', now })
      .wms.reachable()
      .catch((e: unknown) => e)) as SourceError;
    expect(error).to.be.instanceOf(SourceError);
    expect(error.message).to.contain('cannot reach the WMS at http://127.0.0.1:9: nothing accepts connections there');
  });
  it('a transcoder decodes list pages it can; a page it leaves alone, and a gateway page, take the usual way', async () => {
    const next = 'https://h/env/wms/lgfapi/v10/entity/item/?page=2';
    const t = new ScriptedTransport([
      () => page([1], next),
      () => ({ status: 200, headers: { 'content-type': 'text/html' }, text: '<html>gateway</html>' }),
      () => json(200, { next_page: null, results: [{ id: 2, note: 'a"b' }] }),
    ]);
    const seen: string[] = [];
    const transcoder = (text: string) => {
      seen.push(text);
      return text.includes('\\') || text.startsWith('<')
        ? undefined
        : { results: [{ id: 1 }], recordTexts: ['{"id":1}'], next_page: next };
    };
    const pages = [];
    for await (const one of client(t, { maxRetries: 2 }).wms.pages('item', new URLSearchParams(), transcoder))
      pages.push(one);
    expect(pages.map((one) => [one.results, one.recordTexts, one.nextPage])).to.deep.equal([
      [[{ id: 1 }], ['{"id":1}'], next],
      [[{ id: 2, note: 'a"b' }], undefined, null],
    ]);
    expect(seen).to.have.length(3);
  });
});
