import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Catalog } from '../../../singer/index.js';
import { startSim, type Sim } from './sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig } from './tap-harness.js';

type Mode = 'pass' | 'foreign-next-page' | 'foreign-redirect' | 'same-origin-redirect';

/** An HTTP server that only records what reaches it: the "other origin" credentials must never be sent to. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

describe('tap-oracle-wms sends credentials only to base_url’s origin (real tap process, simulator behind a test proxy)', function () {
  this.timeout(120_000);
  const dir = scratchDir();
  let sim: Sim;
  let proxy: { server: Server; origin: string };
  let foreign: { server: Server; origin: string };
  let catalog: Catalog;
  let mode: Mode = 'pass';
  const reachedForeign: IncomingMessage['headers'][] = [];

  before(async () => {
    sim = await startSim();
    foreign = await listen((req, res) => {
      reachedForeign.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"next_page":null,"results":[]}');
    });
    // Forwards to the simulator (whose links echo the proxy's Host), then bends list answers as `mode` says.
    proxy = await listen((req, res) => {
      const list = /\/entity\/item\/?(\?|$)/.test(req.url ?? '');
      if (list && mode === 'foreign-redirect') {
        res.writeHead(302, { Location: `${foreign.origin}${req.url}` }).end();
        return;
      }
      if (list && mode === 'same-origin-redirect' && /\/entity\/item\/\?/.test(req.url ?? '')) {
        res.writeHead(301, { Location: (req.url ?? '').replace('/item/?', '/item?') }).end();
        return;
      }
      const upstream = request(`${sim.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          let body = Buffer.concat(chunks).toString('utf8');
          if (list && mode === 'foreign-next-page')
            body = body.replace(/"next_page":"http:\/\/127\.0\.0\.1:\d+/, `"next_page":"${foreign.origin}`);
          const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) };
          res.writeHead(answer.statusCode ?? 502, headers).end(body);
        });
      });
      req.pipe(upstream);
    });
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(proxy.origin + '/demo')), ['item']);
  });
  after(async () => {
    await close(proxy?.server);
    await close(foreign?.server);
    await sim?.close();
  });
  beforeEach(() => {
    reachedForeign.length = 0;
  });

  const run = (m: Mode) => {
    mode = m;
    return runTap({
      dir,
      config: tapConfig(`${proxy.origin}/demo`, {
        start_date: '2000-01-01T00:00:00Z',
        page_size: 200,
        custom_headers: { 'X-Api-Key': 'fake-api-key-1234' },
      }),
      catalog,
    });
  };

  it('syncs every row through the proxy unchanged, and through a same-origin redirect', async () => {
    for (const m of ['pass', 'same-origin-redirect'] as const) {
      const result = await run(m);
      expect(result.exitCode, result.stderr).to.equal(0);
      expect(result.report.counts.item, m).to.equal(sim.admin.rowCounts().item);
    }
  });

  it('a next_page link to another port: exit 4 naming that origin, nothing sent there', async () => {
    const result = await run('foreign-next-page');
    expect(result.exitCode, result.stderr).to.equal(4);
    expect(result.stderr).to.contain(`the next_page link points to ${foreign.origin}, which is not the configured`);
    expect(result.stderr).to.contain(`WMS origin ${proxy.origin}`);
    expect(result.stderr).to.not.contain('fake-api-key-1234');
    expect(reachedForeign).to.have.length(0);
  });

  it('a redirect to another port: exit 4 naming that origin, not followed', async () => {
    const result = await run('foreign-redirect');
    expect(result.exitCode, result.stderr).to.equal(4);
    expect(result.stderr).to.match(
      new RegExp(`HTTP 302 redirect points to ${foreign.origin.replace(/\./g, '\\.')}, which is not the configured`),
    );
    expect(result.stderr).to.not.contain('fake-api-key-1234');
    expect(reachedForeign).to.have.length(0);
  });
});
