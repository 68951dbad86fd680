import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { Catalog } from '../../../singer/index.js';
import { startSim, type Sim } from './sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig } from './tap-harness.js';

const MiB = 1024 * 1024;

/**
 * A ~1 MB gzip body that inflates to 1 GiB of JSON: gzip members of 1 MiB each, concatenated (a gzip stream may hold
 * several members, and every decoder reads them all). Built in milliseconds, unlike deflating 1 GiB.
 */
function gzipBomb(): Buffer {
  const member = gzipSync(Buffer.alloc(MiB, 0x61), { level: 9 });
  return Buffer.concat([
    gzipSync('{"next_page":null,"previous_page":null,"results":[{"id":1,"pad":"'),
    ...Array<Buffer>(1024).fill(member),
    gzipSync('"}]}'),
  ]);
}

describe('tap-oracle-wms caps the decoded size of a response (real tap process, gzip bomb behind a test proxy)', function () {
  this.timeout(180_000);
  const dir = scratchDir();
  const bomb = gzipBomb();
  let sim: Sim;
  let proxy: Server;
  let baseUrl: string;
  let catalog: Catalog;

  before(async () => {
    sim = await startSim();
    // The simulator for discovery (describe and sample rows); every page of an `item` sync is the bomb.
    proxy = createServer((req, res) => {
      if (/\/entity\/item\/?\?.*mod_ts__gte/.test(req.url ?? '')) {
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Encoding': 'gzip',
          'Content-Length': String(bomb.length),
        });
        res.end(bomb);
        return;
      }
      req.pipe(
        request(`${sim.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        }),
      );
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/demo`;
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(baseUrl)), ['item']);
  });
  after(async () => {
    proxy?.closeAllConnections();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await sim?.close();
  });

  it('a 1 MB body inflating to 1 GiB fails at once (exit 4) naming the URL and the cap, with RSS bounded', async () => {
    expect(bomb.length).to.be.below(2 * MiB);
    // The child's own peak RSS, written at exit by a preloaded module (no external tool needed).
    const rssFile = path.join(dir, 'max-rss.txt');
    const preload = path.join(dir, 'max-rss.mjs');
    writeFileSync(
      preload,
      `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));\n`,
    );
    const result = await runTap({
      dir,
      config: tapConfig(baseUrl, { start_date: '2000-01-01T00:00:00Z', max_response_mb: 8, max_retries: 2 }),
      catalog,
      env: { NODE_OPTIONS: `--import=${preload}` },
    });
    expect(result.exitCode, result.stderr).to.equal(4);
    expect(result.stderr).to.match(
      /CRITICAL GET \S+\/wms\/lgfapi\/v10\/entity\/item\/\?\S+: the response decodes to more than max_response_mb \(8 MB\) and was abandoned/,
    );
    // Not retried: the same body would inflate again.
    expect(result.stderr).to.not.match(/retry 1\//);
    expect(result.report.counts.item ?? 0).to.equal(0);
    const maxRssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
    expect(maxRssMiB, 'peak RSS of the tap in MiB').to.be.below(300);
  });
});
