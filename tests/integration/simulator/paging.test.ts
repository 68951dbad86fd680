import assert from 'node:assert/strict';
import { SimFixture } from './sim-fixture.js';

type Rec = { id: number; mod_ts: string };
const instant = (ts: string) => {
  // µs precision: Date.parse keeps ms, so compare the fraction separately.
  const ms = Date.parse(ts);
  return ms * 1000 + (Number(ts.slice(20, 26)) % 1000);
};

function assertComplete(records: Rec[], expected: number): void {
  const ids = records.map((r) => r.id);
  assert.equal(ids.length, expected, 'row count');
  assert.equal(new Set(ids).size, expected, 'no duplicate ids');
}

describe('wms-simulator over HTTP: cursor and page paging over 10k rows', function () {
  this.timeout(60000);
  let fx: SimFixture;
  before(async () => {
    fx = await SimFixture.start({ rows: { allocation: 10000 } });
  });
  after(() => fx.close());

  it('sequenced ordering=id: every id once, ascending', async () => {
    const { records, pages } = await fx.drain(
      `${fx.entityUrl}allocation/?page_mode=sequenced&ordering=id&page_size=1000&fields=id,mod_ts`,
    );
    assertComplete(records, 10000);
    assert.equal(pages, 10);
    for (let i = 1; i < records.length; i++) assert.ok(records[i].id > records[i - 1].id);
  });

  it('sequenced ordering=-id: every id once, descending', async () => {
    const { records } = await fx.drain(`${fx.entityUrl}allocation/?page_mode=sequenced&ordering=-id&page_size=999`);
    assertComplete(records, 10000);
    for (let i = 1; i < records.length; i++) assert.ok(records[i].id < records[i - 1].id);
  });

  it('sequenced ordering=mod_ts,id: every id once, by instant then id', async () => {
    const { records } = await fx.drain(
      `${fx.entityUrl}allocation/?page_mode=sequenced&ordering=mod_ts,id&page_size=1250&fields=id,mod_ts`,
    );
    assertComplete(records, 10000);
    for (let i = 1; i < records.length; i++) {
      const a = instant(records[i - 1].mod_ts);
      const b = instant(records[i].mod_ts);
      assert.ok(a < b || (a === b && records[i - 1].id < records[i].id), `order at ${i}`);
    }
  });

  it('sequenced -mod_ts,id inside a mod_ts window (the tap incremental query)', async () => {
    const all = await fx.drain(`${fx.entityUrl}allocation/?page_mode=sequenced&page_size=1250&fields=id,mod_ts`);
    const lo = all.records[2000].mod_ts;
    const hi = all.records[7000].mod_ts;
    const expected = all.records.filter(
      (r: Rec) => instant(r.mod_ts) >= instant(lo) && instant(r.mod_ts) < instant(hi),
    ).length;
    const q = new URLSearchParams({
      mod_ts__gte: lo,
      mod_ts__lt: hi,
      ordering: '-mod_ts,id',
      page_mode: 'sequenced',
      page_size: '700',
    });
    const { records } = await fx.drain(`${fx.entityUrl}allocation/?${q.toString()}`);
    assertComplete(records, expected);
    assert.equal(expected, 5000);
  });

  it('paged mode: page through every page, no gaps or repeats', async () => {
    const { records, pages } = await fx.drain(`${fx.entityUrl}allocation/?page_size=1000&ordering=id&fields=id`);
    assertComplete(records, 10000);
    assert.equal(pages, 10);
  });

  it('a generic filter (scan) pages consistently in both modes', async () => {
    const paged = await fx.drain(
      `${fx.entityUrl}allocation/?status_id=99&ordering=-task_seq_nbr&page_size=100&fields=id`,
    );
    const seq = await fx.drain(
      `${fx.entityUrl}allocation/?status_id=99&ordering=-task_seq_nbr&page_size=100&page_mode=sequenced&fields=id`,
    );
    assert.ok(paged.records.length > 500);
    assert.deepEqual(seq.records, paged.records);
  });

  it('ties on mod_ts (frozen clock, many updates) are paged without loss using the cursor offset', async () => {
    await fx.admin('POST', 'clock', { set: '2025-08-01T12:00:00Z', freeze: true });
    try {
      const ids = (await fx.get('allocation/?page_size=9&ordering=id&fields=id')).json.results.map((r: Rec) => r.id);
      for (const id of ids)
        assert.equal((await fx.admin('PATCH', `rows/allocation/${id}`, { packed_qty: '1' })).status, 200);
      const { records } = await fx.drain(
        `${fx.entityUrl}allocation/?mod_ts__gte=2025-08-01T12:00:00Z&ordering=mod_ts,id&page_mode=sequenced&page_size=2`,
      );
      assert.deepEqual(
        records.map((r: Rec) => r.id),
        ids,
      );
      assert.ok(
        records.every((r: Rec) => r.mod_ts === records[0].mod_ts),
        'all tied',
      );
    } finally {
      await fx.admin('POST', 'reset');
    }
  });

  it('an invalid cursor → 404', async () => {
    const page = await fx.get('allocation/?page_mode=sequenced&cursor=!!!');
    assert.equal(page.status, 404);
    assert.equal(page.json.message, 'Invalid cursor');
  });
});
