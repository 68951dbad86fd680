import assert from 'node:assert/strict';
import { createOrchestrator } from '../../../orchestrator/orchestrator.js';
import type { RunResult } from '../../../orchestrator/run-result.js';
import { COMPANY, FACILITY, startPipelineFixture, type PipelineFixture } from './fixture.js';

/** A full sync after a row was deleted in WMS, with each full_sync_delete_mode. */
describe('orchestrator full sync removes rows deleted in WMS (full_sync_delete_mode; real simulator, tap | target, PostgreSQL)', function () {
  this.timeout(120_000);

  async function deleteAndResync(
    fx: PipelineFixture,
    settings: Record<string, unknown>,
  ): Promise<{ id: string; before: RunResult; after: RunResult }> {
    const orchestrator = createOrchestrator(fx.settings(settings));
    try {
      const before = await orchestrator.executeFullSync(COMPANY, FACILITY);
      assert.equal(before.success, true, before.error);
      const [row] = await fx.query<{ id: string }>(
        `SELECT id::text AS id FROM "${fx.schema.schema}".allocation ORDER BY id LIMIT 1 OFFSET 5`,
      );
      assert.equal(fx.sim.admin.delete('allocation', Number(row.id)), true, 'deleted in the simulator');
      const after = await orchestrator.executeFullSync(COMPANY, FACILITY);
      assert.equal(after.success, true, after.error);
      return { id: row.id, before, after };
    } finally {
      orchestrator.close();
    }
  }

  const liveCount = async (fx: PipelineFixture): Promise<number> =>
    Number(
      (
        await fx.query<{ n: string }>(
          `SELECT count(*) AS n FROM "${fx.schema.schema}".allocation WHERE _sdc_deleted_at IS NULL`,
        )
      )[0].n,
    );

  describe('soft (the default)', () => {
    let fx: PipelineFixture;
    before(async function () {
      fx = await startPipelineFixture(this, 'orch_del_soft');
    });
    after(async () => fx?.close());

    it('marks the row deleted (_sdc_deleted_at set); live rows, run counts and the consistency check agree with WMS', async () => {
      const { id, before, after } = await deleteAndResync(fx, {});
      const source = await fx.wmsCount('allocation');
      assert.equal(after.data.recordsByStream.allocation.rows, source);
      assert.equal(before.data.recordsByStream.allocation.rows, source + 1);
      const [row] = await fx.query<{ deleted: boolean; version: string | null }>(
        `SELECT _sdc_deleted_at IS NOT NULL AS deleted, _sdc_table_version::text AS version FROM "${fx.schema.schema}".allocation WHERE id = $1`,
        [id],
      );
      assert.ok(row, 'the row is kept');
      assert.equal(row.deleted, true, 'and marked deleted');
      assert.equal(await fx.tableCount('allocation'), source + 1, 'the table still holds the deleted row');
      assert.equal(await liveCount(fx), source, 'live rows = WMS');
      // The consistency check counts live rows only.
      const stream = after.data.consistency!.streams.find((s) => s.stream === 'allocation')!;
      assert.deepEqual(
        [stream.sourceCount, stream.targetCount, stream.ok],
        [source, source, true],
        JSON.stringify(stream),
      );
      assert.equal(after.data.consistency!.ok, true);
      // Other streams were untouched: nothing marked deleted.
      const hdrDeleted = await fx.query(
        `SELECT 1 FROM "${fx.schema.schema}".order_hdr WHERE _sdc_deleted_at IS NOT NULL`,
      );
      assert.equal(hdrDeleted.length, 0);
    });

    it('an incremental sync afterwards still agrees (it neither revives nor counts the deleted row)', async () => {
      const orchestrator = createOrchestrator(fx.settings());
      try {
        const result = await orchestrator.executeIncrementalSync(COMPANY, FACILITY);
        assert.equal(result.success, true, result.error);
        assert.equal(result.data.consistency?.ok, true, JSON.stringify(result.data.consistency));
        assert.equal(await liveCount(fx), await fx.wmsCount('allocation'));
      } finally {
        orchestrator.close();
      }
    });
    it('a soft-deleted row that comes back in WMS is live again after the next incremental sync', async () => {
      const [gone] = await fx.query<{
        id: string;
        order_dtl_id: string;
        from_inventory_id: string;
        status_id: number;
        alloc_qty: string;
      }>(
        `SELECT id::text AS id, order_dtl_id::text AS order_dtl_id, from_inventory_id::text AS from_inventory_id, status_id, alloc_qty::text AS alloc_qty
           FROM "${fx.schema.schema}".allocation WHERE _sdc_deleted_at IS NOT NULL`,
      );
      assert.ok(gone, 'the first test left a soft-deleted row');
      // Inside the tap's incremental window (behind its replication lag), so the next incremental run reads it.
      const modTs = new Date(Date.now() - 120_000).toISOString();
      fx.sim.admin.insert('allocation', {
        id: Number(gone.id),
        order_dtl_id: Number(gone.order_dtl_id),
        from_inventory_id: Number(gone.from_inventory_id),
        status_id: Number(gone.status_id),
        alloc_qty: gone.alloc_qty,
        mod_ts: modTs,
      });
      const orchestrator = createOrchestrator(fx.settings());
      try {
        const result = await orchestrator.executeIncrementalSync(COMPANY, FACILITY);
        assert.equal(result.success, true, result.error);
      } finally {
        orchestrator.close();
      }
      const [row] = await fx.query<{ deleted: boolean }>(
        `SELECT _sdc_deleted_at IS NOT NULL AS deleted FROM "${fx.schema.schema}".allocation WHERE id = $1`,
        [gone.id],
      );
      assert.equal(row.deleted, false, 'revived by the incremental upsert');
      assert.equal(await liveCount(fx), await fx.wmsCount('allocation'));
    });
  });

  describe('hard', () => {
    let fx: PipelineFixture;
    before(async function () {
      fx = await startPipelineFixture(this, 'orch_del_hard');
    });
    after(async () => fx?.close());

    it('deletes the row; table count = WMS count and the consistency check agrees', async () => {
      const { id, after } = await deleteAndResync(fx, { full_sync_delete_mode: 'hard' });
      assert.equal(
        (await fx.query(`SELECT 1 FROM "${fx.schema.schema}".allocation WHERE id = $1`, [id])).length,
        0,
        'row gone',
      );
      const source = await fx.wmsCount('allocation');
      assert.equal(await fx.tableCount('allocation'), source);
      assert.equal(after.data.consistency?.ok, true, JSON.stringify(after.data.consistency));
    });
  });

  describe('none', () => {
    let fx: PipelineFixture;
    before(async function () {
      fx = await startPipelineFixture(this, 'orch_del_none');
    });
    after(async () => fx?.close());

    it('leaves the row (no ACTIVATE_VERSION, no _sdc_* columns), and the consistency check reports the extra row', async () => {
      const { id, after } = await deleteAndResync(fx, { full_sync_delete_mode: 'none' });
      assert.equal(
        (await fx.query(`SELECT 1 FROM "${fx.schema.schema}".allocation WHERE id = $1`, [id])).length,
        1,
        'row kept',
      );
      const columns = await fx.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'allocation' AND column_name LIKE '\\_sdc\\_%'`,
        [fx.schema.schema],
      );
      assert.deepEqual(columns, []);
      const stream = after.data.consistency!.streams.find((s) => s.stream === 'allocation')!;
      assert.equal(stream.targetCount, (stream.sourceCount ?? 0) + 1);
      assert.equal(stream.ok, false);
    });
  });
});
