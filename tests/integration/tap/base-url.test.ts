import { createServer } from 'node:net';
import { expect } from 'chai';
import { type Catalog, type FailureReport, parseFailureLine } from '../../../singer/index.js';
import { startSim, type Sim } from './sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig, type TapRun } from './tap-harness.js';

function failureOf(run: TapRun): FailureReport | undefined {
  return run.stderr
    .split('\n')
    .map(parseFailureLine)
    .filter((report) => report !== undefined)
    .at(-1);
}

/** A local port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('tap-oracle-wms fails fast on a wrong or unreachable base_url (real tap process, real simulator)', function () {
  this.timeout(120_000);
  const dir = scratchDir();
  let sim: Sim;
  let catalog: Catalog;
  const state = { bookmarks: { item: { replication_key: 'mod_ts', replication_key_value: '2020-01-01T00:00:00Z' } } };

  before(async () => {
    sim = await startSim();
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['item']);
  });
  after(async () => sim?.close());

  describe('a wrong environment segment', () => {
    for (const mode of ['sync', 'discover'] as const) {
      it(`${mode}: exit 2 naming the URL and the environment segment, nothing read, no bookmark written`, async () => {
        const wrong = `${sim.url.replace('http://', 'http://demo:demo@')}/demo_test`;
        sim.admin.clearRequests();
        const run = await runTap({
          dir,
          config: tapConfig(wrong),
          ...(mode === 'sync' ? { catalog, state } : { args: ['--discover'] }),
        });
        expect(run.exitCode, run.stderr).to.equal(2);
        expect(run.report.states, 'no STATE').to.have.length(0);
        expect(Object.keys(run.report.records), 'no RECORD').to.have.length(0);
        expect(run.stderr)
          .to.contain(`GET ${sim.url}/demo_test/wms/lgfapi/v10/entity/ answered HTTP 404`)
          .and.contain('environment segment')
          .and.not.contain('demo:demo');
        expect(failureOf(run)).to.include({ exit_code: 2, exit_class: 'config', retriable: false });
        // The entity list was the only request: no list was read as "no rows".
        expect(sim.admin.requests().map((r) => r.path)).to.deep.equal(['/demo_test/wms/lgfapi/v10/entity/']);
      });
    }
  });

  describe('empty_response_http_code (lgfapi 26A)', () => {
    it('200: an empty list answers 200 with no rows and the run succeeds', async () => {
      sim.admin.clearRequests();
      const run = await runTap({
        dir,
        config: tapConfig(sim.baseUrl, {
          empty_response_http_code: 200,
          enable_incremental: false,
          entity_filters: { item: { id__lt: 0 } },
        }),
        catalog,
      });
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.report.records.item ?? []).to.have.length(0);
      const lists = sim.admin.requests().filter((r) => r.path.endsWith('/entity/item/'));
      // The id bounds of the full sync, then its listing: every one asked for 200 and got it.
      expect(lists).to.not.have.length(0);
      for (const list of lists) {
        expect(new URLSearchParams(list.query).get('empty_response_http_code'), list.query).to.equal('200');
        expect(list.status, list.query).to.equal(200);
      }
    });

    it('200: a 404 on a list is a wrong URL: exit 2 naming the URL, no bookmark written', async () => {
      const missing = structuredClone(catalog);
      missing.streams[0].tap_stream_id = 'item_gone';
      missing.streams[0].stream = 'item_gone';
      const run = await runTap({
        dir,
        config: tapConfig(sim.baseUrl, { empty_response_http_code: 200 }),
        catalog: missing,
        state,
      });
      expect(run.exitCode, run.stderr).to.equal(2);
      expect(run.report.states).to.have.length(0);
      expect(run.stderr)
        .to.contain(`GET ${sim.baseUrl}/wms/lgfapi/v10/entity/item_gone/ answered HTTP 404`)
        .and.contain("entity 'item_gone'");
    });

    it('without it, the same 404 still reads as no rows (lgfapi before 26A)', async () => {
      const missing = structuredClone(catalog);
      missing.streams[0].tap_stream_id = 'item_gone';
      missing.streams[0].stream = 'item_gone';
      const run = await runTap({
        dir,
        config: tapConfig(sim.baseUrl, { enable_incremental: false }),
        catalog: missing,
      });
      expect(run.exitCode, run.stderr).to.equal(0);
    });
  });

  describe('an unreachable WMS', () => {
    it('a closed local port: exit 4 naming http://127.0.0.1:<port> and what to check, within connect_retry_seconds', async () => {
      const port = await closedPort();
      const run = await runTap({
        dir,
        // Real backoff and retry defaults: only the connect budget is shortened, to keep the suite quick.
        config: {
          base_url: `http://demo:demo@127.0.0.1:${port}/demo`,
          username: 'demo',
          password: 'demo',
          connect_retry_seconds: 2,
        },
        catalog,
        state,
      });
      expect(run.exitCode, run.stderr).to.equal(4);
      expect(run.report.states).to.have.length(0);
      expect(run.stderr)
        .to.contain(
          `cannot reach the WMS at http://127.0.0.1:${port}: nothing accepts connections there (ECONNREFUSED)`,
        )
        .and.contain('check the host and port in base_url')
        .and.not.contain('demo:demo')
        .and.not.match(/retry \d+\/5/);
      expect(failureOf(run)).to.include({ exit_code: 4, exit_class: 'source', retriable: true });
    });

    it('a host name that does not resolve (.invalid): exit 4, not retriable, naming the host and port', async () => {
      const run = await runTap({
        dir,
        config: { base_url: 'http://wms.invalid:8765/demo', username: 'demo', password: 'demo' },
        args: ['--discover'],
      });
      expect(run.exitCode, run.stderr).to.equal(4);
      expect(run.stderr)
        .to.match(
          /cannot reach the WMS at http:\/\/wms\.invalid:8765: the (host name does not resolve|DNS lookup of the host failed)/,
        )
        .and.contain('check the host name in base_url');
      expect(failureOf(run)?.exit_class).to.equal('source');
    });
  });
});
