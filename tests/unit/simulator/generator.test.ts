import assert from 'node:assert/strict';
import { Tenant } from '../../../wms-simulator/tenant.js';
import type { VirtualTable } from '../../../wms-simulator/virtual-table.js';

const options = (seed: number, rows: Record<string, number> = {}) => ({
  seed,
  rows,
  dataEpochMs: Date.parse('2025-07-01T00:00:00Z'),
  historyDays: 365,
});
const row = (t: VirtualTable, i: number) => t.materialise(i);

describe('wms-simulator data generator', () => {
  it('is deterministic: same seed, same rows; another seed, other rows', () => {
    const a = new Tenant(options(7)).table('allocation')!;
    const b = new Tenant(options(7)).table('allocation')!;
    const c = new Tenant(options(8)).table('allocation')!;
    for (const i of [0, 1, 2, 999, 4999]) assert.deepEqual(row(a, i), row(b, i));
    assert.notDeepEqual(
      [0, 1, 2, 3].map((i) => row(a, i).slice(5)),
      [0, 1, 2, 3].map((i) => row(c, i).slice(5)),
    );
  });

  it('any row can be generated on demand in a million-row table, without holding the table', () => {
    const t = new Tenant(options(1, { allocation: 1_000_000 })).table('allocation')!;
    const before = process.memoryUsage().heapUsed;
    const last = row(t, 999_999);
    assert.equal(last[0], t.idAt(999_999));
    assert.ok(process.memoryUsage().heapUsed - before < 5_000_000);
  });

  it('ids are sparse, large, strictly increasing and map back to their index', () => {
    const t = new Tenant(options(1, { allocation: 100_000 })).table('allocation')!;
    let prev = -1;
    for (let i = 0; i < 100_000; i += 97) {
      const id = t.idAt(i);
      assert.ok(id > prev && Number.isSafeInteger(id) && id >= 49_000_000);
      assert.equal(t.indexOfId(id), i);
      assert.equal(t.indexOfId(id + 1) === -1 || t.idAt(i + 1) === id + 1, true);
      prev = id;
    }
  });

  it('generated mod_ts grows strictly with the index and ends before the data epoch', () => {
    const t = new Tenant(options(1, { allocation: 50_000 })).table('allocation')!;
    for (let i = 1; i < 50_000; i++) assert.ok(t.modTsAt(i) > t.modTsAt(i - 1));
    assert.ok(t.modTsAt(49_999) <= Date.parse('2025-07-01T00:00:00Z') * 1000);
    const createTs = t.fieldPos.get('create_ts')!;
    for (let i = 0; i < 1000; i++) assert.ok((t.value(i, createTs) as number) <= t.modTsAt(i));
  });

  it('order_status is a lookup without timestamps; the tenant lists 311 entities', () => {
    const tenant = new Tenant(options(1));
    assert.deepEqual(
      tenant.table('order_status')!.def.fields.map((f) => f.name),
      ['id', 'description'],
    );
    assert.equal(tenant.names.length, 311);
  });

  it('relations point at rows that exist and child counts add up', () => {
    const tenant = new Tenant(options(1));
    const alloc = tenant.table('allocation')!;
    const dtl = tenant.table('order_dtl')!;
    const hdr = tenant.table('order_hdr')!;
    for (let i = 0; i < alloc.count; i += 37)
      assert.notEqual(dtl.resolve(alloc.value(i, alloc.fieldPos.get('order_dtl_id')!) as number), null);
    const setPos = hdr.fieldPos.get('order_dtl_set')!;
    let total = 0;
    for (let i = 0; i < hdr.count; i++) total += hdr.value(i, setPos) as number;
    assert.equal(total, dtl.count);
  });

  it('puts one decimal no double can hold at a fixed place', () => {
    const tenant = new Tenant(options(1));
    const alloc = tenant.table('allocation')!;
    assert.equal(alloc.value(2, alloc.fieldPos.get('alloc_qty')!), '12345678901234567.891');
    const dtl = tenant.table('order_dtl')!;
    assert.equal(dtl.value(1, dtl.fieldPos.get('cost')!), '12345678901234567.891');
  });
});
