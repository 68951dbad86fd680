import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../../../wms-simulator/index.js';
import { startHttpGate } from '../../helpers/http-gate.js';
import { meltanoPluginEnv, requireMeltano, runMeltano } from '../../helpers/meltano.js';
import {
  createTestSchema,
  requireOwnDatabase,
  withClient,
  type PgConfig,
  type TestDatabase,
  type TestSchema,
} from '../../helpers/postgres.js';
import type { ProcessResult } from '../../helpers/run-bin.js';
import { createWorkingCopy, type WorkingCopy } from './working-copy.js';

const ROWS = 600;
const AUTH = { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` };

interface TargetRow {
  qty: number;
  deleted: boolean;
}

/**
 * allocation-full and allocation-incremental at the same time: separate state ids, so neither Meltano nor the
 * target's run lock keeps them apart. The full job is held mid-load (its lower id range waits at an HTTP gate, its
 * upper range is read) while a row it already read changes, a row is inserted above every id, and the incremental job
 * runs to the end. No overlap and no lag: nothing but the handoff makes a later window reach back to those changes.
 */
describe('Meltano: allocation-full and allocation-incremental running at once (real Meltano 4.4.1, simulator over HTTP, PostgreSQL 15) @integration', function () {
  this.timeout(900_000); // a hang guard: four Meltano runs on a loaded machine
  let pg: PgConfig;
  let sim: RunningSimulator;
  let schema: TestSchema;
  let database: TestDatabase;
  let copy: WorkingCopy;
  let dir: string;
  let env: Record<string, string | undefined>;
  let changed: number; // read by the full job, then changed in WMS
  let inserted: number; // inserted in WMS after the full job passed the top of the table

  const meltano = (args: string[], extraEnv: Record<string, string> = {}): Promise<ProcessResult> =>
    runMeltano(copy.dir, ['--environment', 'dev', ...args], { env: { ...env, ...extraEnv }, timeoutMs: 600_000 });
  const wmsRows = async (): Promise<Map<number, number>> => {
    const response = await fetch(
      `${sim.baseUrl}/wms/lgfapi/v10/entity/allocation/?page_size=1250&ordering=id&fields=id,alloc_qty`,
      { headers: AUTH },
    );
    const rows = ((await response.json()) as { results: { id: number; alloc_qty: string }[] }).results;
    return new Map(rows.map((row) => [row.id, Number(row.alloc_qty)]));
  };
  const targetRows = (): Promise<Map<number, TargetRow>> =>
    withClient(async (c) => {
      const table = `${c.escapeIdentifier(schema.schema)}.allocation`;
      const result = await c.query(`SELECT id, alloc_qty::text AS q, _sdc_deleted_at FROM ${table}`);
      return new Map(
        result.rows.map((r: { id: string; q: string; _sdc_deleted_at: Date | null }) => [
          Number(r.id),
          { qty: Number(r.q), deleted: r._sdc_deleted_at !== null },
        ]),
      );
    }, pg);
  const relationsOfSomeRow = async (): Promise<{ order_dtl_id: number; from_inventory_id: number }> => {
    const response = await fetch(
      `${sim.baseUrl}/wms/lgfapi/v10/entity/allocation/?page_size=100&fields=id,order_dtl_id,from_inventory_id`,
      { headers: AUTH },
    );
    type Row = { order_dtl_id: { id: number } | null; from_inventory_id: { id: number } | null };
    const row = ((await response.json()) as { results: Row[] }).results.find(
      (r) => r.order_dtl_id !== null && r.from_inventory_id !== null,
    )!;
    return { order_dtl_id: row.order_dtl_id!.id, from_inventory_id: row.from_inventory_id!.id };
  };
  /** Resolves once the simulator's clock has passed the whole second of `instant` (windows start on a whole second). */
  const nextSecond = async (instant: string): Promise<void> => {
    const second = Math.floor(Date.parse(instant.replace(/(\.\d{3})\d+/, '$1')) / 1000);
    while (Math.floor(Date.parse(sim.admin.now()) / 1000) <= second)
      await new Promise((resolve) => setTimeout(resolve, 50));
  };

  before(async function () {
    requireMeltano(this);
    // The target's run lock is per database, and other files run the same Meltano jobs at once.
    database = await requireOwnDatabase(this, 'meltano_overlap_db');
    pg = database.config;
    sim = await startSimulator({ port: 0, rows: { allocation: ROWS } });
    schema = await createTestSchema('meltano_overlap', pg);
    copy = await createWorkingCopy('meltano-overlap');
    dir = await mkdtemp(path.join(os.tmpdir(), 'meltano-overlap-db-'));
    env = {
      MELTANO_DATABASE_URI: `sqlite:///${path.join(dir, 'meltano.db')}`,
      MELTANO_SYS_DIR_ROOT: undefined,
      ...meltanoPluginEnv(sim.baseUrl, pg, schema.schema),
      // Two id ranges of one page each: the upper one is read while the lower one waits at the gate.
      TAP_ORACLE_WMS_PAGE_SIZE: '1000',
      TAP_ORACLE_WMS_FULL_SYNC_PARTITIONS: '2',
      TAP_ORACLE_WMS_MAX_CONCURRENT_REQUESTS: '2',
      // The incremental job's first window starts now (not a full sync of its own).
      TAP_ORACLE_WMS_START_DATE: new Date().toISOString(),
      TAP_ORACLE_WMS_REPLICATION_LAG_SECONDS: '0',
      TAP_ORACLE_WMS_MAX_RETRIES: '0',
    };
    // Decimal settings go into the working copy's meltano.yml: Meltano 4.4.1 reads a decimal setting from the
    // environment as a Python Decimal and then fails to serialize the plugin config ("Object of type Decimal is not
    // JSON serializable").
    for (const [plugin, setting, value] of [
      // Later windows start exactly at the bookmark (whole second): only the handoff can move them back.
      ['tap-oracle-wms--allocation-incremental', 'incremental_overlap_minutes', '0'],
      // The full job's target keeps what it read until its closing ACTIVATE_VERSION (an hour is a hang guard).
      ['target-oracle', 'max_batch_age_seconds', '3600'],
    ]) {
      const set = await meltano(['config', 'set', plugin, setting, value]);
      assert.equal(set.exitCode, 0, set.stderr.slice(-2000));
    }
  });

  after(async () => {
    await sim?.close();
    await schema?.drop();
    await copy?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('both run to the end side by side; when the full job ends, the row it read before the change is stale and the row inserted meanwhile is marked deleted', async () => {
    const ids = [...(await wmsRows()).keys()];
    changed = ids[ids.length - 1]; // in the upper range, which is read first
    const template = await relationsOfSomeRow();
    // The lower range waits at the gate; the upper range's page is answered.
    const gate = await startHttpGate(
      sim.baseUrl,
      (url) => url.pathname.endsWith('/entity/allocation/') && url.searchParams.has('id__lt'),
    );
    let upperRead!: () => void;
    const upperReadOnce = new Promise<void>((resolve) => (upperRead = resolve));
    const stop = sim.admin.onRequest((entry) => {
      const query = new URLSearchParams(entry.query);
      if (entry.path.endsWith('/entity/allocation/') && query.has('id__gte') && entry.status === 200) upperRead();
    });
    try {
      const full = meltano(['run', 'allocation-full'], {
        TAP_ORACLE_WMS_BASE_URL: gate.url,
      });
      const endedEarly = full.then((r) => assert.fail(`allocation-full ended while held: ${r.stderr.slice(-2000)}`));
      await Promise.race([Promise.all([gate.holding, upperReadOnce]), endedEarly]);

      inserted = sim.admin.insert('allocation', { ...template, alloc_qty: '33.750' });
      await nextSecond(sim.admin.now());
      sim.admin.update('allocation', changed, { alloc_qty: '22.500' });

      const incremental = await Promise.race([meltano(['run', 'allocation-incremental']), endedEarly]);
      assert.equal(incremental.exitCode, 0, incremental.stderr.slice(-4000));
      // The full job has not completed (its state, if any, still holds id ranges): nothing is taken over.
      assert.match(
        `${incremental.stdout}\n${incremental.stderr}`,
        /allocation: nothing handed over from \S+allocation-full/,
      );
      const during = await targetRows();
      assert.deepEqual(during.get(changed), { qty: 22.5, deleted: false }, 'the incremental job wrote the change');
      assert.deepEqual(during.get(inserted), { qty: 33.75, deleted: false }, 'the incremental job wrote the new row');

      gate.release();
      const result = await full;
      assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    } finally {
      stop();
      await gate.close();
    }
    const after = await targetRows();
    assert.notEqual(after.get(changed)?.qty, 22.5, 'the full job wrote its older read of the changed row over it');
    assert.equal(after.get(inserted)?.deleted, true, "the full job's ACTIVATE_VERSION retired the row it never read");
  });

  it("the incremental job's next run takes that full load over and repairs both rows: the target equals WMS", async () => {
    const result = await meltano(['run', 'allocation-incremental']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    assert.match(`${result.stdout}\n${result.stderr}`, /allocation: .* now starts at /);
    const [source, target] = [await wmsRows(), await targetRows()];
    assert.deepEqual(target.get(changed), { qty: 22.5, deleted: false });
    assert.deepEqual(target.get(inserted), { qty: 33.75, deleted: false });
    assert.equal([...target.values()].filter((row) => !row.deleted).length, source.size, 'live target rows = WMS rows');
    for (const [id, qty] of source) assert.deepEqual(target.get(id), { qty, deleted: false }, `allocation ${id}`);
  });
});
