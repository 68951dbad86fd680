import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { openBackend, runTarget, type TargetBackend } from '../../helpers/target-backend.js';
import { startSim, type Sim } from './sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig } from './tap-harness.js';

/**
 * The real-tenant shapes the simulator now produces (issue 14 items 1-3), through the real tap and the real target
 * into PostgreSQL: `[]` sets, null in fields describe marks required, `""` relation keys and urls, record urls.
 */
describe('tap → target with real WMS shapes (simulator, real processes, PostgreSQL)', function () {
  this.timeout(180_000);
  let sim: Sim;
  let db: TargetBackend;
  const dir = scratchDir();

  before(async function () {
    db = await openBackend(this, 'postgres', 'shapes');
    sim = await startSim();
  });

  after(async () => {
    await sim?.close();
    await db?.close();
  });

  it('order_hdr and allocation load completely; [] and null land as sent', async () => {
    const config = tapConfig(sim.baseUrl, { entities: ['order_hdr', 'allocation'], enable_incremental: false });
    const catalog = selectStreams(await discoverCatalog(dir, config), ['order_hdr', 'allocation']);
    const tap = await runTap({ dir, config, catalog });
    assert.equal(tap.exitCode, 0, tap.stderr);
    assert.deepEqual(tap.report.problems, []);
    const output = path.join(dir, 'shapes.singer');
    writeFileSync(output, tap.stdout);
    const target = await runTarget(db.config, { file: output });
    assert.equal(target.exitCode, 0, target.stderr);

    const orders = await db.rows('order_hdr', 'id');
    assert.equal(orders.length, tap.report.counts.order_hdr);
    assert.equal(orders.length, 1000);
    assert.ok(orders.every((row) => row.order_instructions_set === '[]'));
    const sent = tap.report.records.order_hdr ?? [];
    const nullPrices = sent.filter((record) => record.orig_sale_price === null).length;
    assert.ok(nullPrices > 0);
    assert.equal(orders.filter((row) => row.orig_sale_price === null).length, nullPrices);
    assert.ok(orders.every((row) => row.url === `${sim.url}/demo/wms/lgfapi/v10/entity/order_hdr/${row.id}`));

    const allocations = await db.rows('allocation', 'id');
    assert.equal(allocations.length, 5000);
    assert.ok(allocations.every((row) => row.from_inventory_key === ''));
    assert.ok(allocations.every((row) => row.type_key !== null && row.type_key !== ''));
  });
});
