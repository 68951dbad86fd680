import assert from 'node:assert/strict';
import { request } from 'node:http';
import { SimFixture } from './sim-fixture.js';

describe('wms-simulator over HTTP: fault and latency injection', function () {
  this.timeout(20000);
  let fx: SimFixture;
  before(async () => {
    fx = await SimFixture.start({ rows: { allocation: 300 } });
  });
  afterEach(() => fx.admin('POST', 'reset'));
  after(() => fx.close());

  const setFaults = async (spec: string) => assert.equal((await fx.admin('PUT', 'faults', { spec })).status, 200);

  it('429 with Retry-After on the Nth request only, then recovers', async () => {
    await setFaults('allocation:429(7)@2');
    assert.equal((await fx.get('allocation/')).status, 200);
    const throttled = await fx.get('allocation/');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get('retry-after'), '7');
    assert.equal((await fx.get('allocation/')).status, 200);
    assert.equal((await fx.get('item/')).status, 200, 'other entities are not in scope');
  });

  for (const status of [500, 502, 503, 504]) {
    it(`${status} for the first N requests, JSON error body`, async () => {
      await setFaults(`*:${status}@1-2`);
      for (let i = 0; i < 2; i++) {
        const page = await fx.get('allocation/');
        assert.equal(page.status, status);
        assert.ok(page.json.code);
      }
      assert.equal((await fx.get('allocation/')).status, 200);
    });
  }

  it('html502: an HTML gateway page, not JSON', async () => {
    await setFaults('html502@1');
    const page = await fx.get('allocation/');
    assert.equal(page.status, 502);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.match(page.text, /<html>/);
  });

  it('probability triggers repeat exactly for the same seed', async () => {
    const run = async () => {
      await fx.admin('POST', 'reset');
      await setFaults('allocation:503@0.3');
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await fx.get('allocation/?page_size=1')).status);
      return out;
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(a, b);
    assert.ok(a.includes(503) && a.includes(200));
  });

  it('stall: the answer comes only after the client gave up', async () => {
    await setFaults('allocation:stall(3000)@1');
    const started = Date.now();
    await assert.rejects(
      fetch(`${fx.entityUrl}allocation/`, {
        headers: { Authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` },
        signal: AbortSignal.timeout(300),
      }),
    );
    assert.ok(Date.now() - started < 2000);
    assert.equal((await fx.get('allocation/')).status, 200);
  });

  it('reset: headers and part of the body, then the connection is destroyed', async () => {
    await setFaults('allocation:reset(100)@1');
    const outcome = await new Promise<{ status: number; bytes: number; error: string }>((resolve) => {
      const req = request(
        `${fx.entityUrl}allocation/`,
        { headers: { Authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` } },
        (res) => {
          let bytes = 0;
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('error', (e) => resolve({ status: res.statusCode!, bytes, error: e.message }));
          res.on('end', () => resolve({ status: res.statusCode!, bytes, error: '' }));
        },
      );
      req.on('error', (e) => resolve({ status: 0, bytes: 0, error: e.message }));
      req.end();
    });
    assert.equal(outcome.status, 200);
    assert.equal(outcome.bytes, 100);
    assert.match(outcome.error, /aborted|reset|closed/i);
  });

  it('phantom last page: the page after the last answers 500 instead of 404', async () => {
    assert.equal((await fx.get('allocation/?page_size=100&page=4')).status, 404);
    await setFaults('allocation:phantom');
    assert.equal((await fx.get('allocation/?page_size=100&page=3')).status, 200);
    assert.equal((await fx.get('allocation/?page_size=100&page=4')).status, 500);
    assert.equal((await fx.get('allocation/?page_size=100&page=5')).status, 404);
  });

  it('no-ordering: 400 when the entity is asked for an ordering, fine without', async () => {
    await setFaults('allocation:no-ordering');
    const page = await fx.get('allocation/?ordering=-mod_ts,id');
    assert.equal(page.status, 400);
    assert.equal(page.json.code, 'VALIDATION_ERROR');
    assert.equal((await fx.get('allocation/')).status, 200);
    assert.equal((await fx.get('item/?ordering=-id')).status, 200);
  });

  it('describe and entity-list scopes', async () => {
    await setFaults('allocation/describe:503@1,entities:500@1');
    assert.equal((await fx.get('allocation/describe/')).status, 503);
    assert.equal((await fx.get('allocation/describe/')).status, 200);
    assert.equal((await fx.get('')).status, 500);
    assert.equal((await fx.get('allocation/')).status, 200);
  });

  it('latency: base plus per-row, global setting and per-entity rule', async () => {
    await fx.admin('PATCH', 'settings', { latencyMs: 50, latencyMsPerRow: 2 });
    let started = Date.now();
    await fx.get('allocation/?page_size=100');
    assert.ok(Date.now() - started >= 250, 'global: 50 + 100 × 2 ms');
    await fx.admin('PATCH', 'settings', { latencyMs: 0, latencyMsPerRow: 0 });
    await setFaults('allocation:latency(300)');
    started = Date.now();
    await fx.get('allocation/?page_size=1');
    assert.ok(Date.now() - started >= 300);
    started = Date.now();
    await fx.get('item/?page_size=1');
    assert.ok(Date.now() - started < 250);
  });

  it('faults from the start options, and a bad spec is refused', async () => {
    const other = await SimFixture.start({ faults: 'item:500@1' });
    try {
      assert.equal((await other.get('item/')).status, 500);
      assert.equal((await other.get('item/')).status, 200);
    } finally {
      await other.close();
    }
    assert.equal((await fx.admin('PUT', 'faults', { spec: 'item:teapot' })).status, 400);
  });

  it('the request log records injected faults', async () => {
    await setFaults('allocation:500@1');
    await fx.get('allocation/?page_size=2');
    const log = (await fx.admin('GET', 'requests')).json.requests;
    assert.equal(log.length, 1);
    assert.deepEqual(log[0].faults, ['allocation:500@1']);
    assert.equal(log[0].status, 500);
  });
});
