import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../../../wms-simulator/index.js';
import { meltanoBin, meltanoPluginEnv, requireMeltano, runMeltano } from '../../helpers/meltano.js';
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

const FULL_STATE = 'dev:tap-oracle-wms--allocation-full-to-target-oracle';
const INCREMENTAL_STATE = 'dev:tap-oracle-wms--allocation-incremental-to-target-oracle';
const OVERLAP_MINUTES = 15; // the tap's default incremental_overlap_minutes
const ROWS = 600;

/** Microsecond-precise WMS/RFC 3339 text as epoch milliseconds (Date.parse wants at most milliseconds). */
const ms = (text: string): number => Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));

type Bookmark = Record<string, unknown>;

describe('Meltano full → incremental handoff between the separate jobs allocation-full and allocation-incremental (real Meltano 4.4.1, simulator over HTTP with latency, PostgreSQL 15) @integration', function () {
  // A hang guard: the last test runs Meltano eight times in a row, each tens of seconds on a loaded machine.
  this.timeout(900_000);
  let pg: PgConfig;
  let sim: RunningSimulator;
  let schema: TestSchema;
  let database: TestDatabase;
  let copy: WorkingCopy;
  let dir: string;
  let env: Record<string, string | undefined>;
  let snapshotStart: string;
  let bookmarkAfterHandoff: string;

  const meltano = (args: string[]): Promise<ProcessResult> =>
    runMeltano(copy.dir, ['--environment', 'dev', ...args], { env, timeoutMs: 240_000 });
  const bookmarkOf = async (stateId: string): Promise<Bookmark | undefined> => {
    const result = await meltano(['state', 'get', stateId]);
    assert.equal(result.exitCode, 0, result.stderr.slice(-2000));
    const state = JSON.parse(result.stdout) as { singer_state?: { bookmarks?: Record<string, Bookmark> } };
    return state.singer_state?.bookmarks?.allocation;
  };
  const listingRequests = () => sim.admin.requests().filter((r) => r.path.endsWith('/entity/allocation/'));
  const lowerBounds = (): number[] => [
    ...new Set(
      listingRequests()
        .map((r) => new URLSearchParams(r.query).get('mod_ts__gte'))
        .filter((v): v is string => v !== null)
        .map(ms),
    ),
  ];
  const windowStart = (bookmark: string): number => Math.floor(ms(bookmark) / 1000) * 1000 - OVERLAP_MINUTES * 60_000;
  const targetRows = () =>
    withClient(
      async (c) =>
        new Map(
          (
            await c.query(
              `SELECT id, alloc_qty::text AS q, _sdc_deleted_at FROM ${c.escapeIdentifier(schema.schema)}.allocation`,
            )
          ).rows.map((r: { id: string; q: string; _sdc_deleted_at: Date | null }) => [
            Number(r.id),
            { qty: r.q, deleted: r._sdc_deleted_at !== null },
          ]),
        ),
      pg,
    );
  const wmsRows = async (): Promise<Map<number, string>> => {
    const response = await fetch(
      `${sim.baseUrl}/wms/lgfapi/v10/entity/allocation/?page_size=1250&ordering=id&fields=id,alloc_qty`,
      { headers: { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` } },
    );
    const rows = ((await response.json()) as { results: { id: number; alloc_qty: string }[] }).results;
    return new Map(rows.map((row) => [row.id, row.alloc_qty]));
  };
  const relationsOfSomeRow = async (): Promise<{ order_dtl_id: number; from_inventory_id: number }> => {
    const response = await fetch(
      `${sim.baseUrl}/wms/lgfapi/v10/entity/allocation/?page_size=100&fields=id,order_dtl_id,from_inventory_id`,
      { headers: { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` } },
    );
    type Row = { order_dtl_id: { id: number } | null; from_inventory_id: { id: number } | null };
    const row = ((await response.json()) as { results: Row[] }).results.find(
      (r) => r.order_dtl_id !== null && r.from_inventory_id !== null,
    )!;
    return { order_dtl_id: row.order_dtl_id!.id, from_inventory_id: row.from_inventory_id!.id };
  };
  /** Every WMS row in the target, live, with WMS's quantity (compared as numbers: 11.250 = 11.25). */
  const assertTargetEqualsWms = async (): Promise<void> => {
    const [source, target] = [await wmsRows(), await targetRows()];
    const live = [...target].filter(([, row]) => !row.deleted);
    assert.equal(live.length, source.size, 'live target rows = WMS rows');
    for (const [id, qty] of source) {
      const row = target.get(id);
      assert.ok(row && !row.deleted, `allocation ${id} live in the target`);
      assert.equal(Number(row.qty), Number(qty), `allocation ${id} alloc_qty`);
    }
  };
  /** Runs the full job; `duringLoad` acts once its first page of rows was answered (the load is then under way). */
  const runFullJob = async (duringLoad: () => void): Promise<ProcessResult> => {
    let acted = false;
    const stop = sim.admin.onRequest((entry) => {
      if (acted || !entry.path.endsWith('/entity/allocation/') || entry.status !== 200) return;
      if (new URLSearchParams(entry.query).get('ordering') !== 'id') return;
      acted = true;
      duringLoad();
    });
    try {
      return await meltano(['run', 'allocation-full']);
    } finally {
      stop();
      assert.ok(acted, 'the full job listed allocation rows');
    }
  };

  before(async function () {
    requireMeltano(this);
    // The target's run lock is per database, and other files run the same Meltano jobs at once.
    database = await requireOwnDatabase(this, 'meltano_handoff_db');
    pg = database.config;
    sim = await startSimulator({ port: 0, rows: { allocation: ROWS } });
    schema = await createTestSchema('meltano_handoff', pg);
    copy = await createWorkingCopy('meltano-handoff');
    dir = await mkdtemp(path.join(os.tmpdir(), 'meltano-handoff-db-'));
    env = {
      MELTANO_DATABASE_URI: `sqlite:///${path.join(dir, 'meltano.db')}`,
      MELTANO_SYS_DIR_ROOT: undefined,
      // Meltano's venv is not on PATH (meltano is started by its absolute path, as from Dagster or cron): the handoff
      // task finds the running meltano through the link Meltano keeps in its system directory.
      MELTANO_BIN: undefined,
      PATH: (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter((dir) => dir !== path.dirname(meltanoBin()!))
        .join(path.delimiter),
      ...meltanoPluginEnv(sim.baseUrl, pg, schema.schema),
      // One id range of 100-row pages: the full load is many requests, so rows change while it runs.
      TAP_ORACLE_WMS_PAGE_SIZE: '100',
      TAP_ORACLE_WMS_FULL_SYNC_PARTITIONS: '1',
      // No lag: a window started after the full load reaches the changes made during it.
      TAP_ORACLE_WMS_REPLICATION_LAG_SECONDS: '0',
      TAP_ORACLE_WMS_MAX_RETRIES: '0',
    };
  });

  after(async () => {
    await sim?.close();
    await schema?.drop();
    await copy?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('allocation-full, with rows changed and inserted while it runs, leaves the instant its snapshot began in its state', async () => {
    const ids = [...(await wmsRows()).keys()];
    // A new allocation needs its required relations: borrowed from an existing row that has them.
    const template = await relationsOfSomeRow();
    sim.admin.updateSettings({ latencyMsPerRow: 2 });
    const result = await runFullJob(() => {
      // The first row was just read; the last may or may not be; the new row is above every id.
      sim.admin.update('allocation', ids[0], { alloc_qty: '11.250' });
      sim.admin.update('allocation', ids[ids.length - 1], { alloc_qty: '22.500' });
      sim.admin.insert('allocation', { ...template, alloc_qty: '33.750' });
    });
    sim.admin.updateSettings({ latencyMsPerRow: 0 });
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    const full = await bookmarkOf(FULL_STATE);
    assert.deepEqual(Object.keys(full ?? {}).sort(), ['replication_key', 'replication_key_value']);
    assert.equal(full?.replication_key, 'mod_ts');
    snapshotStart = full?.replication_key_value as string;
    assert.ok(ms(snapshotStart) <= Date.now());
  });

  it('allocation-incremental starts where that full load began (no second full load) and brings every change made during it', async () => {
    sim.admin.clearRequests();
    const result = await meltano(['run', 'allocation-incremental']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    assert.match(`${result.stdout}\n${result.stderr}`, /allocation: .* now starts at /);
    assert.deepEqual(
      listingRequests().filter((r) => new URLSearchParams(r.query).get('ordering') === 'id'),
      [],
      'no full listing in the incremental job',
    );
    assert.deepEqual(lowerBounds(), [windowStart(snapshotStart)]);
    await assertTargetEqualsWms();
    const incremental = await bookmarkOf(INCREMENTAL_STATE);
    assert.equal(incremental?.full_load_taken_over, snapshotStart);
    bookmarkAfterHandoff = incremental?.replication_key_value as string;
    assert.ok(ms(bookmarkAfterHandoff) >= ms(snapshotStart));
  });

  it('the next incremental run keeps its own bookmark: the same full load is not taken over twice', async () => {
    sim.admin.clearRequests();
    const result = await meltano(['run', 'allocation-incremental']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    assert.match(`${result.stdout}\n${result.stderr}`, /already taken over/);
    assert.deepEqual(lowerBounds(), [windowStart(bookmarkAfterHandoff)]);
    assert.equal((await bookmarkOf(INCREMENTAL_STATE))?.full_load_taken_over, snapshotStart);
  });

  it('a full job that failed midway (ranges still open in its state) is not taken over; once it completes, it is', async () => {
    const ids = [...(await wmsRows()).keys()];
    sim.admin.updateSettings({ latencyMsPerRow: 2 });
    const failed = await runFullJob(() => {
      sim.admin.update('allocation', ids[1], { alloc_qty: '44.125' });
      sim.admin.setFaults('allocation:500@1+');
    });
    sim.admin.setFaults('');
    sim.admin.updateSettings({ latencyMsPerRow: 0 });
    assert.notEqual(failed.exitCode, 0, 'the full job failed');
    const open = await bookmarkOf(FULL_STATE);
    assert.ok(Array.isArray(open?.partitions), `the failed full job left its ranges: ${JSON.stringify(open)}`);

    const untouched = await meltano(['run', 'allocation-incremental']);
    assert.equal(untouched.exitCode, 0, untouched.stderr.slice(-4000));
    assert.match(`${untouched.stdout}\n${untouched.stderr}`, /has not completed its full load/);
    const kept = await bookmarkOf(INCREMENTAL_STATE);
    assert.equal(kept?.full_load_taken_over, snapshotStart);

    // The rerun resumes the failed load and completes it with the signpost of its first attempt.
    const resumed = await meltano(['run', 'allocation-full']);
    assert.equal(resumed.exitCode, 0, resumed.stderr.slice(-4000));
    const secondStart = (await bookmarkOf(FULL_STATE))?.replication_key_value as string;
    assert.ok(ms(secondStart) > ms(snapshotStart));
    sim.admin.clearRequests();
    const takenOver = await meltano(['run', 'allocation-incremental']);
    assert.equal(takenOver.exitCode, 0, takenOver.stderr.slice(-4000));
    assert.deepEqual(lowerBounds(), [windowStart(secondStart)]);
    assert.equal((await bookmarkOf(INCREMENTAL_STATE))?.full_load_taken_over, secondStart);
    await assertTargetEqualsWms();
  });
});
