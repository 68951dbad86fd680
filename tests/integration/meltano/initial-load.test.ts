import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalDirectoryStore } from '../../../tap-oracle-wms/index.js';
import { startSimulator, type RunningSimulator } from '../../../wms-simulator/index.js';
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

const FULL_STATE = 'dev:tap-oracle-wms--order_hdr-full-to-target-oracle';

/** Microsecond-precise RFC 3339 text as epoch milliseconds (Date.parse wants at most milliseconds). */
const ms = (text: string): number => Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));

/**
 * One Meltano project where order_hdr's initial-load job (`order_hdr-full`) has Data Extract configured on its own
 * plugin and allocation's has not: the same generated job shape takes Data Extract for one entity and REST for the
 * other, decided by the tap from the settings its plugin has.
 */
describe('Meltano initial load per entity: Data Extract where configured, REST otherwise (real Meltano 4.4.1, simulator, local directory store, PostgreSQL 15) @integration', function () {
  this.timeout(300_000);
  let pg: PgConfig;
  let sim: RunningSimulator;
  let schema: TestSchema;
  let database: TestDatabase;
  let copy: WorkingCopy;
  let dir: string;
  let env: Record<string, string | undefined>;
  let changedId = 0;
  let exportStart: string;

  const meltano = (args: string[]): Promise<ProcessResult> =>
    runMeltano(copy.dir, ['--environment', 'dev', ...args], { env, timeoutMs: 240_000 });
  const output = (result: ProcessResult): string => `${result.stdout}\n${result.stderr}`;
  /** An entity's row listings of a sync (with page_mode; discovery's sample of a few rows has none). */
  const listings = (entity: string) =>
    sim.admin
      .requests()
      .filter((r) => r.path.endsWith(`/entity/${entity}/`) && new URLSearchParams(r.query).has('page_mode'));
  const wmsOrders = async (): Promise<Map<number, string | null>> => {
    const response = await fetch(
      `${sim.baseUrl}/wms/lgfapi/v10/entity/order_hdr/?page_size=1250&fields=id,cust_field_1`,
      { headers: { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` } },
    );
    const rows = ((await response.json()) as { results: { id: number; cust_field_1: string | null }[] }).results;
    return new Map(rows.map((row) => [row.id, row.cust_field_1]));
  };
  const targetOrders = () =>
    withClient(
      async (c) =>
        new Map(
          (
            await c.query(
              `SELECT id, cust_field_1, _sdc_deleted_at FROM ${c.escapeIdentifier(schema.schema)}.order_hdr`,
            )
          ).rows.map((r: { id: string; cust_field_1: string | null; _sdc_deleted_at: Date | null }) => [
            Number(r.id),
            { value: r.cust_field_1, deleted: r._sdc_deleted_at !== null },
          ]),
        ),
      pg,
    );
  const bookmarkOf = async (stateId: string): Promise<Record<string, unknown> | undefined> => {
    const result = await meltano(['state', 'get', stateId]);
    assert.equal(result.exitCode, 0, result.stderr.slice(-2000));
    const state = JSON.parse(result.stdout) as { singer_state?: { bookmarks?: Record<string, never> } };
    return state.singer_state?.bookmarks?.order_hdr;
  };

  before(async function () {
    requireMeltano(this);
    // The target's run lock is per database, and other files run the same Meltano jobs at once.
    database = await requireOwnDatabase(this, 'meltano_initial_load_db');
    pg = database.config;
    sim = await startSimulator({ port: 0, rows: { allocation: 300 } });
    schema = await createTestSchema('meltano_initial_load', pg);
    copy = await createWorkingCopy('meltano-initial-load');
    dir = await mkdtemp(path.join(os.tmpdir(), 'meltano-initial-load-'));
    env = {
      MELTANO_DATABASE_URI: `sqlite:///${path.join(dir, 'meltano.db')}`,
      MELTANO_SYS_DIR_ROOT: undefined,
      ...meltanoPluginEnv(sim.baseUrl, pg, schema.schema),
      // No lag: the incremental window started at the export's start reaches the changes made during it.
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

  it('order_hdr-full with data_extract on its plugin loads the export files (no REST listing), rows changed mid-export stale, the export start as its snapshot start', async () => {
    const root = path.join(dir, 'store');
    const exported = await sim.writeDataExtract(new LocalDirectoryStore(root), {
      entity: 'order_hdr',
      format: 'csv',
      fileSizeBytes: 32 * 1024,
      prefix: 'export-1/order_hdr/',
      // After the first file: a row it holds changes in WMS (the file keeps the former value).
      afterFile: async (file) => {
        if (changedId !== 0) return;
        const text = await readFile(path.join(root, ...file.key.split('/')), 'utf8');
        changedId = Number(text.split('\n')[1].split(',')[0]);
        sim.admin.update('order_hdr', changedId, { cust_field_1: 'CHANGED MID-EXPORT' });
      },
    });
    exportStart = exported.startedAt;
    // Configured on the entity's full plugin only (Meltano's variable for it): the incremental job does not inherit it.
    env.TAP_ORACLE_WMS__ORDER_HDR_FULL_DATA_EXTRACT = JSON.stringify({
      store: 'local',
      directory: root,
      prefix: 'export-1/',
      export_started_at: exportStart,
    });
    sim.admin.clearRequests();
    const result = await meltano(['run', 'order_hdr-full']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    assert.deepEqual(listings('order_hdr'), [], 'no order_hdr rows read over REST');
    const target = await targetOrders();
    assert.equal(target.size, exported.rows);
    assert.notEqual(target.get(changedId)?.value, 'CHANGED MID-EXPORT', 'the export holds the value before the change');
    const bookmark = await bookmarkOf(FULL_STATE);
    assert.equal(bookmark?.replication_key, 'mod_ts');
    assert.equal(ms(String(bookmark?.replication_key_value)), ms(exportStart));
    assert.match(output(result), /Loading from Data Extract files, not the REST API: data_extract is set/);
  });

  it('order_hdr-incremental takes the export start over and reads the rows changed during the export over REST', async () => {
    sim.admin.clearRequests();
    const result = await meltano(['run', 'order_hdr-incremental']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    assert.match(output(result), /order_hdr: .* now starts at /);
    assert.match(output(result), /Loading through the REST API: data_extract is not set/);
    const windows = listings('order_hdr').map((r) => new URLSearchParams(r.query).get('mod_ts__gte'));
    assert.ok(windows.length > 0 && windows.every((w) => w !== null), 'incremental listings, each from a bookmark');
    const [source, target] = [await wmsOrders(), await targetOrders()];
    assert.equal(target.get(changedId)?.value, 'CHANGED MID-EXPORT');
    assert.equal([...target.values()].filter((row) => !row.deleted).length, source.size);
    for (const [id, value] of source) assert.equal(target.get(id)?.value, value, `order_hdr ${id} cust_field_1`);
  });

  it('allocation-full, no data_extract on its plugin, takes REST', async () => {
    sim.admin.clearRequests();
    const result = await meltano(['run', 'allocation-full']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    assert.match(output(result), /Loading through the REST API: data_extract is not set/);
    assert.ok(listings('allocation').length > 0, 'allocation rows read over REST');
  });

  it('allocation-full with a misconfigured data_extract (store s3 without region) fails with exit 2 naming the setting, and reads nothing over REST', async () => {
    env.TAP_ORACLE_WMS__ALLOCATION_FULL_DATA_EXTRACT = JSON.stringify({ store: 's3', bucket: 'wms-exports' });
    sim.admin.clearRequests();
    const result = await meltano(['run', 'allocation-full']);
    assert.notEqual(result.exitCode, 0);
    assert.match(output(result), /'data_extract.region' is required/);
    assert.match(output(result), /"exit_code":2/);
    assert.deepEqual(listings('allocation'), [], 'no fallback to REST');
  });
});
