import assert from 'node:assert/strict';
import { SimFixture } from './sim-fixture.js';

/** Epoch µs of a WMS timestamp (offsets differ per facility, so compare instants). */
const us = (ts: string) => Date.parse(ts) * 1000 + (Number(ts.slice(20, 26)) % 1000);
const CLOCK_US = Date.parse('2025-08-01T00:00:00Z') * 1000;

describe('wms-simulator over HTTP: admin mutations, clock and request log', function () {
  this.timeout(20000);
  let fx: SimFixture;
  before(async () => {
    fx = await SimFixture.start({ rows: { allocation: 2000 }, clockStart: '2025-08-01T00:00:00Z' });
  });
  afterEach(() => fx.admin('POST', 'reset'));
  after(() => fx.close());

  it('inserted rows get a new id above the generated ones and show up in the incremental window', async () => {
    const before = (await fx.get('allocation/?page_size=1')).json.result_count;
    const created = await fx.admin('POST', 'rows/allocation', {
      alloc_qty: '7.25',
      status_id: 90,
      order_dtl_id: 316000004,
    });
    assert.equal(created.status, 201);
    const id = created.json.id;
    const page = await fx.get('allocation/?mod_ts__gte=2025-07-31T00:00:00Z&ordering=mod_ts,id');
    assert.deepEqual(
      page.json.results.map((r: { id: number }) => r.id),
      [id],
    );
    const rec = page.json.results[0];
    assert.equal(rec.alloc_qty, '7.25');
    assert.equal(rec.order_dtl_id.id, 316000004);
    assert.ok(Math.abs(us(rec.mod_ts) - CLOCK_US) < 60e6, 'stamped with the simulator clock');
    assert.equal((await fx.get('allocation/?page_size=1')).json.result_count, before + 1);
    assert.equal((await fx.get(`allocation/${id}/`)).json.id, id);
  });

  it('updates move a row to the end of mod_ts order; later pages of a running scan still see every row once', async () => {
    const first = await fx.get('allocation/?page_mode=sequenced&ordering=mod_ts,id&page_size=500&fields=id,mod_ts');
    const seen = first.json.results.map((r: { id: number }) => r.id);
    // A row already read is updated: it must come again at the end (new mod_ts).
    const updatedId = seen[10];
    assert.equal((await fx.admin('PATCH', `rows/allocation/${updatedId}`, { packed_qty: '3' })).status, 200);
    const rest = await fx.drain(first.json.next_page);
    const all = [...seen, ...rest.records.map((r: { id: number }) => r.id)];
    assert.equal(all.filter((x: number) => x === updatedId).length, 2, 'read before and after the update');
    assert.equal(new Set(all).size, 2000);
    assert.equal(all[all.length - 1], updatedId);
    const rec = (await fx.get(`allocation/${updatedId}/`)).json;
    assert.equal(rec.packed_qty, '3');
    assert.ok(Math.abs(us(rec.mod_ts) - CLOCK_US) < 60e6);
  });

  it('a back-dated mod_ts (late commit) lands behind the bookmark', async () => {
    const rows = (await fx.get('allocation/?page_size=5&ordering=id')).json.results;
    const late = '2025-06-30T23:59:00.123456-03:00';
    await fx.admin('PATCH', `rows/allocation/${rows[0].id}`, { mod_ts: late });
    const window = await fx.get(
      `allocation/?mod_ts__gte=${encodeURIComponent('2025-06-30T23:58:00-03:00')}&ordering=mod_ts,id&page_size=1250&fields=id,mod_ts`,
    );
    assert.ok(
      window.json.results.some((r: { id: number; mod_ts: string }) => r.id === rows[0].id && us(r.mod_ts) === us(late)),
    );
  });

  it('deleted rows disappear from lists and retrieve', async () => {
    const ids = (await fx.get('allocation/?page_size=3&ordering=id')).json.results.map((r: { id: number }) => r.id);
    assert.equal((await fx.admin('DELETE', `rows/allocation/${ids[1]}`)).status, 200);
    assert.equal((await fx.get(`allocation/${ids[1]}/`)).status, 404);
    const after = (await fx.get('allocation/?page_size=2&ordering=id')).json.results.map((r: { id: number }) => r.id);
    assert.deepEqual(after, [ids[0], ids[2]]);
    assert.equal((await fx.admin('DELETE', `rows/allocation/${ids[1]}`)).status, 404);
  });

  it('purge drops the oldest rows by mod_ts', async () => {
    const all = (await fx.drain(`${fx.entityUrl}allocation/?page_size=1250&ordering=mod_ts,id&fields=id,mod_ts`))
      .records;
    const cutoff = all[500].mod_ts;
    const purged = await fx.admin('POST', 'purge/allocation', { modTsBefore: cutoff });
    assert.equal(purged.json.purged, 500);
    const left = await fx.get('allocation/?page_size=1&ordering=mod_ts,id');
    assert.equal(left.json.result_count, 1500);
    assert.equal(left.json.results[0].id, all[500].id);
  });

  it('clock: set, advance, freeze', async () => {
    await fx.admin('POST', 'clock', { set: '2026-01-01T00:00:00Z', freeze: true });
    assert.equal((await fx.admin('GET', 'clock')).json.now, '2026-01-01T00:00:00.000Z');
    await fx.admin('POST', 'clock', { advanceSeconds: 90 });
    const clock = (await fx.admin('GET', 'clock')).json;
    assert.equal(clock.now, '2026-01-01T00:01:30.000Z');
    assert.equal(clock.wms, '2025-12-31T21:01:30.000000-03:00');
  });

  it('reset restores generated data', async () => {
    const id = (await fx.get('allocation/?page_size=1&ordering=id')).json.results[0].id;
    await fx.admin('DELETE', `rows/allocation/${id}`);
    await fx.admin('POST', 'reset');
    assert.equal((await fx.get(`allocation/${id}/`)).status, 200);
  });

  it('bad admin calls are refused', async () => {
    assert.equal((await fx.admin('POST', 'rows/allocation', { nope: 1 })).status, 400);
    assert.equal((await fx.admin('POST', 'rows/allocation', { alloc_qty: 'x' })).status, 400);
    assert.equal((await fx.admin('POST', 'rows/shipment', {})).status, 404);
    assert.equal((await fx.admin('PATCH', 'rows/allocation/1', {})).status, 404);
    assert.equal((await fx.admin('GET', 'nothing')).status, 404);
  });

  it('request log: method, path, query, status, duration; clearable; admin calls not logged', async () => {
    await fx.admin('DELETE', 'requests');
    await fx.get('allocation/?page_size=2&ordering=id');
    await fx.get('nope/');
    const log = (await fx.admin('GET', 'requests')).json.requests;
    assert.equal(log.length, 2);
    assert.deepEqual(
      log.map((e: { method: string; path: string; query: string; status: number }) => [
        e.method,
        e.path,
        e.query,
        e.status,
      ]),
      [
        ['GET', '/demo/wms/lgfapi/v10/entity/allocation/', 'page_size=2&ordering=id', 200],
        ['GET', '/demo/wms/lgfapi/v10/entity/nope/', '', 404],
      ],
    );
    assert.equal(typeof log[0].durationMs, 'number');
    assert.ok(!JSON.stringify(log).includes('Basic'), 'no credentials in the log');
    await fx.admin('DELETE', 'requests');
    assert.equal((await fx.admin('GET', 'requests')).json.requests.length, 0);
  });

  it('the in-process admin API does the same as the HTTP one', async () => {
    const id = fx.sim.admin.insert('item', { code: 'SKU-NEW' });
    const page = await fx.get(`item/?code=SKU-NEW`);
    assert.deepEqual(
      page.json.results.map((r: { id: number }) => r.id),
      [id],
    );
    fx.sim.admin.update('item', id, { description: 'changed' });
    assert.equal((await fx.get(`item/${id}/`)).json.description, 'changed');
    assert.ok(fx.sim.admin.delete('item', id));
    assert.equal(fx.sim.admin.requests().length > 0, true);
  });
});
