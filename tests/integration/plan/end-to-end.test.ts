import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { createOrchestrator, type Orchestrator, type RunResult } from '../../../orchestrator/index.js';
import { PlanConfigError } from '../../helpers/plan-config.js';
import { systemsLabelFromEnv } from '../../helpers/plan-config.js';
import {
  PLAN_ENTITIES,
  planSession,
  registerPlanSession,
  requirePostgresTargetOrSkip,
  requireSimulatorOrSkip,
  type PlanEnvironment,
} from '../../helpers/plan-session.js';
import { withClient } from '../../helpers/postgres.js';

registerPlanSession();

/** Exact decimal text without trailing fractional zeros, whatever the database returns. */
const decimalText = (value: unknown): string =>
  String(value)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function totals(env: PlanEnvironment): Promise<{ source: number; target: number }> {
  let source = 0;
  let target = 0;
  for (const entity of PLAN_ENTITIES) {
    source += await env.sourceCount(entity);
    target += await env.targetCount(entity);
  }
  return { source, target };
}

/** The stored bookmark of each stream after an incremental run (the orchestrator keeps the target's last state). */
function bookmarks(result: RunResult): Record<string, string> {
  const state = result.data.state as { bookmarks?: Record<string, { replication_key_value?: unknown }> } | undefined;
  return Object.fromEntries(
    Object.entries(state?.bookmarks ?? {}).map(([stream, b]) => [stream, String(b.replication_key_value)]),
  );
}

describe(`plan: end-to-end integration [${systemsLabelFromEnv()}] @integration @oracle`, function () {
  this.timeout(180_000);
  let env: PlanEnvironment;
  const open: Orchestrator[] = [];
  /** The plan's create_integration_orchestrator(). */
  const orchestrator = (extra: Record<string, unknown> = {}): Orchestrator => {
    const o = createOrchestrator(env.settings(extra));
    open.push(o);
    return o;
  };

  before(async function () {
    this.timeout(60_000);
    try {
      env = await planSession();
    } catch (error) {
      if (error instanceof PlanConfigError) throw new Error(`plan configuration: ${error.message}`, { cause: error });
      throw error;
    }
  });
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
  });

  it('test_complete_full_sync_workflow: records processed > 0, no errors, duration > 0, source count = target count', async () => {
    const result = await orchestrator().executeFullSync(env.config.companyCode, env.config.facilityCode);
    assert.equal(result.success, true, result.error);
    assert.ok(result.data.recordsProcessed > 0);
    assert.equal(result.data.errorsCount, 0);
    assert.ok(result.data.durationSeconds > 0);
    const { source, target } = await totals(env);
    assert.ok(source > 0, 'the company/facility has rows in WMS');
    assert.equal(target, source, 'get_wms_record_count = get_target_db_record_count');
    assert.equal(result.data.recordsProcessed, source, 'a full sync processes every scoped row once');
    console.log(`      full sync: ${result.data.recordsProcessed} rows in ${result.data.durationSeconds} s`);
  });

  it('test_incremental_sync_workflow: processes exactly the records modified since the last sync', async function () {
    // No overlap and no lag, so the window is exactly [last bookmark, run start): "exactly" is then well defined.
    const settings = { tap_config: { incremental_overlap_minutes: 0, replication_lag_seconds: 0 } };
    const pipeline = orchestrator(settings);
    const first = await pipeline.executeIncrementalSync(env.config.companyCode, env.config.facilityCode);
    assert.equal(first.success, true, first.error);
    const lastSync = bookmarks(first); // get_last_sync_timestamp()
    assert.deepEqual(Object.keys(lastSync).sort(), [...PLAN_ENTITIES].sort());

    let changed = 0;
    if (env.wms.sim) {
      // Change a few rows of the company/facility in WMS between the two syncs.
      const rows = await env.targetRows('order_hdr', await firstIds(env, 'order_hdr', 3));
      for (const row of rows)
        env.wms.sim.admin.update('order_hdr', Number(row.id), { cust_name: `INCREMENTAL ${String(row.id)}` });
      const allocations = await firstIds(env, 'allocation', 2);
      for (const id of allocations) env.wms.sim.admin.update('allocation', Number(id), { alloc_qty: '42.125' });
      changed = rows.length + allocations.length;
      assert.equal(changed, 5);
    } else {
      console.log('      live WMS: counting whatever changed since the last sync (no test data written)');
    }
    let expected = 0; // get_modified_records_count_since(last_sync_timestamp)
    for (const entity of PLAN_ENTITIES)
      expected += await env.sourceCount(entity, { extra: { mod_ts__gte: lastSync[entity] } });

    const second = await pipeline.executeIncrementalSync(env.config.companyCode, env.config.facilityCode);
    assert.equal(second.success, true, second.error);
    assert.equal(second.data.recordsProcessed, expected);
    if (env.wms.sim) {
      assert.equal(expected, changed, 'only the rows changed by the test are newer than the bookmark');
      const names = await env.targetRows('order_hdr', await firstIds(env, 'order_hdr', 3));
      assert.ok(
        names.every((r) => r.cust_name === `INCREMENTAL ${String(r.id)}`),
        'the changes arrived',
      );
    }
    console.log(
      `      incremental: ${second.data.recordsProcessed} rows processed, ${expected} modified since the last sync`,
    );
  });

  it('test_data_consistency_across_systems: a created allocation has the same id, quantity and location in WMS and the target; then cleaned up', async function () {
    const sim = requireSimulatorOrSkip(this, env, 'creating a test allocation in WMS');
    const parent = (await env.targetRows('allocation', await firstIds(env, 'allocation', 1)))[0];
    // WMS ids are integers: "INTEGRATION_TEST_001" becomes the allocation's location text, the id is WMS's own.
    const id = sim.admin.insert('allocation', {
      order_dtl_id: Number(parent.order_dtl_id),
      from_inventory_id: Number(parent.from_inventory_id),
      alloc_qty: '12345678901234.567',
      pick_locn_str: 'INTEGRATION_TEST_001',
    });
    const result = await orchestrator().executeFullSync(env.config.companyCode, env.config.facilityCode);
    assert.equal(result.success, true, result.error);
    assert.equal(
      result.data.consistency?.ok,
      true,
      JSON.stringify(result.data.consistency?.streams.filter((s) => !s.ok)),
    );

    const wms = await wmsAllocation(env, id);
    const [target] = await env.targetRows('allocation', [id]);
    assert.ok(wms && target, 'the allocation is in both systems');
    assert.equal(String(target.id), String(wms.id));
    assert.equal(decimalText(target.alloc_qty), decimalText(wms.alloc_qty));
    assert.equal(decimalText(target.alloc_qty), '12345678901234.567', 'exact, not through a double');
    assert.equal(target.pick_locn_str, wms.pick_locn_str);
    assert.equal(target.pick_locn_str, 'INTEGRATION_TEST_001');

    // Cleanup: delete it in WMS; the next full sync removes it from the target (ACTIVATE_VERSION acts on the
    // _sdc_table_version column, so the record metadata columns are needed, and hard_delete deletes the row).
    assert.equal(sim.admin.delete('allocation', id), true);
    const cleanup = await orchestrator({
      full_sync_target_config: { hard_delete: true, add_record_metadata: true },
    }).executeFullSync(env.config.companyCode, env.config.facilityCode);
    assert.equal(cleanup.success, true, cleanup.error);
    assert.deepEqual(await env.targetRows('allocation', [id]), [], 'the test allocation is gone from the target');
  });

  it('test_wms_connection_failure_recovery: a WMS connection failure is a failure result naming the connection, then the next run succeeds', async () => {
    const down = orchestrator({
      wms_base_url: `http://127.0.0.1:${await closedPort()}/down`,
      max_retries: 0,
      tap_config: { max_retries: 0, connect_retry_seconds: 0 },
      consistency_check: false,
    });
    const failed = await down.executeFullSync(env.config.companyCode, env.config.facilityCode);
    assert.equal(failed.success, false);
    assert.match(failed.error ?? '', /connection/i);
    const recovered = await orchestrator().executeFullSync(env.config.companyCode, env.config.facilityCode);
    assert.equal(recovered.success, true, recovered.error);
    const { source, target } = await totals(env);
    assert.equal(target, source);
  });

  it('test_database_transaction_rollback: a database error during the load leaves the target count unchanged', async function () {
    requirePostgresTargetOrSkip(this, env, 'injecting a database error during the load');
    const table = `${escapeId(env.target.schema!)}.allocation`;
    // Remove some rows first, so that any partial commit would change the count.
    const removed = await firstIds(env, 'allocation', 10);
    const failAt = (await firstIds(env, 'allocation', 40)).at(-1)!;
    await withClient(async (c) => {
      await c.query(`DELETE FROM ${table} WHERE id = ANY($1)`, [removed]);
      await c.query(`CREATE FUNCTION ${escapeId(env.target.schema!)}.fail_load() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected failure during load' USING ERRCODE = 'P0001'; END $$`);
      await c.query(
        `CREATE TRIGGER fail_load BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW WHEN (NEW.id = ${Number(failAt)}) EXECUTE FUNCTION ${escapeId(env.target.schema!)}.fail_load()`,
      );
    });
    try {
      const initial = await env.targetCount('allocation');
      // One batch for the whole run (batch_size_rows above the row count): the unit the target commits or rolls back.
      const result = await orchestrator({
        max_retries: 0,
        consistency_check: false,
        target_config: { batch_size_rows: 100_000 },
      }).executeFullSync(env.config.companyCode, env.config.facilityCode);
      assert.equal(result.success, false, 'the load failed');
      assert.equal(result.data.exitCode, 5, 'database failure exit code');
      assert.equal(await env.targetCount('allocation'), initial, 'no partial data was committed');
    } finally {
      await withClient(async (c) => {
        await c.query(`DROP TRIGGER IF EXISTS fail_load ON ${table}`);
        await c.query(`DROP FUNCTION IF EXISTS ${escapeId(env.target.schema!)}.fail_load()`);
      });
    }
    const rerun = await orchestrator().executeFullSync(env.config.companyCode, env.config.facilityCode);
    assert.equal(rerun.success, true, rerun.error);
    assert.equal(
      await env.targetCount('allocation'),
      await env.sourceCount('allocation'),
      'a rerun after the fix converges',
    );
  });
});

function escapeId(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The smallest `n` ids of an entity's target table. */
async function firstIds(env: PlanEnvironment, entity: string, n: number): Promise<string[]> {
  if (env.target.dialect !== 'postgres') {
    // Oracle: ask WMS instead (the same rows are in the target after a full sync).
    return (await wmsList(env, entity, `ordering=id&page_size=${n}&fields=id`)).map((r) => String(r.id));
  }
  return withClient(async (c) =>
    (
      await c.query(
        `SELECT id::text AS id FROM ${escapeId(env.target.schema!)}.${escapeId(entity)} ORDER BY id LIMIT $1`,
        [n],
      )
    ).rows.map((r: { id: string }) => r.id),
  );
}

async function wmsList(env: PlanEnvironment, entity: string, query: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${env.wms.baseUrl}/wms/lgfapi/v10/entity/${entity}/?${query}`, {
    headers: { authorization: `Basic ${Buffer.from(`${env.wms.username}:${env.wms.password}`).toString('base64')}` },
  });
  assert.equal(response.status, 200, `WMS ${entity} list`);
  return ((await response.json()) as { results: Record<string, unknown>[] }).results;
}

/** get_allocation_from_wms(id), as raw text so decimals stay exact. */
async function wmsAllocation(env: PlanEnvironment, id: number): Promise<Record<string, unknown> | undefined> {
  return (await wmsList(env, 'allocation', `id=${id}`))[0];
}
