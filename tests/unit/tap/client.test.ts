import { SourceError } from '../../../singer/index.js';
import { BasicAuth, OAuthAuth } from '../../../tap-oracle-wms/http/auth.js';
import { WmsClient } from '../../../tap-oracle-wms/http/client.js';
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

function client(transport: Transport, options: { maxRetries?: number; auth?: 'basic' | 'oauth' } = {}) {
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
    baseUrl: 'https://h/env/',
    apiVersion: 'v10',
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

  it('accepts the entity list as a dict, a list, or {results}', async () => {
    const t = new ScriptedTransport([
      () => json(200, { order_hdr: 'u', allocation: 'u' }),
      () => json(200, ['b', 'a']),
      () => json(200, { results: ['z'] }),
    ]);
    const { wms } = client(t);
    expect(await wms.entities()).to.deep.equal(['allocation', 'order_hdr']);
    expect(await wms.entities()).to.deep.equal(['a', 'b']);
    expect(await wms.entities()).to.deep.equal(['z']);
  });
});
