import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
import { repoRoot } from '../../helpers/repo-root.js';
import type { ProcessResult } from '../../helpers/run-bin.js';
import { proxyEnv, startEgressSentinel, type EgressSentinel } from './egress-sentinel.js';

const STREAMS = ['order_hdr', 'allocation'] as const;
const START_DATE = '2000-01-01T00:00:00Z';
const STATE_ID = 'dev:tap-oracle-wms-to-target-oracle';
const OVERLAP_MINUTES = 15; // the tap's default incremental_overlap_minutes

/** An instant from WMS/RFC 3339 text with up to microseconds (Date.parse wants at most milliseconds). */
function instantMs(text: string): number {
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  assert.ok(!Number.isNaN(ms), `not a timestamp: ${text}`);
  return ms;
}

interface Bookmarks {
  [stream: string]: { replication_key: string; replication_key_value: string };
}

/** Lines a Meltano run relayed from target-oracle that contain the words `meltano config test` fails on. */
function targetErrorLines(output: string): string[] {
  return output.split('\n').filter((line) => /target-oracle/.test(line) && /error|exception/i.test(line));
}

describe('Meltano end to end: `meltano run tap-oracle-wms target-oracle` twice (real Meltano 4.4.1 from .cache/meltano-venv, simulator over HTTP, PostgreSQL 15) @integration', function () {
  this.timeout(180_000);
  let pg: PgConfig;
  let sim: RunningSimulator;
  let schema: TestSchema;
  let database: TestDatabase;
  let dir: string;
  let sentinel: EgressSentinel;
  let env: Record<string, string | undefined>;
  const outputs: ProcessResult[] = [];
  let firstBookmarks: Bookmarks;
  let total = 0;

  const meltano = async (args: string[]): Promise<ProcessResult> => {
    const result = await runMeltano(repoRoot, ['--environment', 'dev', ...args], { env, timeoutMs: 150_000 });
    outputs.push(result);
    return result;
  };
  const sourceCount = async (entity: string): Promise<number> => {
    const response = await fetch(`${sim.baseUrl}/wms/lgfapi/v10/entity/${entity}/?page_size=1`, {
      headers: { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` },
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { result_count: number }).result_count;
  };
  const targetCount = (table: string): Promise<number> =>
    withClient(
      async (c) =>
        Number(
          (await c.query(`SELECT count(*) AS n FROM ${c.escapeIdentifier(schema.schema)}.${c.escapeIdentifier(table)}`))
            .rows[0].n,
        ),
      pg,
    );
  const storedState = async (): Promise<Bookmarks> => {
    const result = await meltano(['state', 'get', STATE_ID]);
    assert.equal(result.exitCode, 0, result.stderr);
    const state = JSON.parse(result.stdout) as { singer_state: { bookmarks: Bookmarks } };
    return state.singer_state.bookmarks;
  };
  const requestedLowerBounds = (entity: string): string[] =>
    sim.admin
      .requests()
      .filter((r) => r.path.endsWith(`/entity/${entity}/`))
      .map((r) => new URLSearchParams(r.query).get('mod_ts__gte'))
      .filter((v): v is string => v !== null);

  before(async function () {
    requireMeltano(this);
    // The target's run lock is per database, and other files run the same Meltano jobs at once.
    database = await requireOwnDatabase(this, 'meltano_e2e_db');
    pg = database.config;
    // The simulator clock sits just after the generated history, so rows changed by the test are older than the
    // tap's signpost (now − replication lag) and belong to the next incremental window.
    sim = await startSimulator({
      port: 0,
      rows: { order_hdr: 300, allocation: 900 },
      clockStart: '2025-07-01T06:00:00Z',
    });
    schema = await createTestSchema('meltano_e2e', pg);
    dir = await mkdtemp(path.join(os.tmpdir(), 'meltano-e2e-'));
    sentinel = await startEgressSentinel();
    env = {
      ...proxyEnv(sentinel.url),
      // Meltano's system database and .meltano/ (run dirs, catalog cache, logs) live in a throwaway folder.
      MELTANO_DATABASE_URI: `sqlite:///${path.join(dir, 'meltano.db')}`,
      MELTANO_SYS_DIR_ROOT: path.join(dir, '.meltano'),
      // meltano.yml alone must keep Meltano offline: no help from the test environment, and no version-check cache
      // from an earlier run (Meltano keeps it under the user cache dir).
      MELTANO_CLI_DISABLE_VERSION_CHECK: undefined,
      XDG_CACHE_HOME: path.join(dir, 'cache'),
      ...meltanoPluginEnv(sim.baseUrl, pg, schema.schema),
      TAP_ORACLE_WMS_ENTITIES: JSON.stringify(STREAMS),
      TAP_ORACLE_WMS_START_DATE: START_DATE,
      // add_record_metadata comes from meltano.yml: the -full jobs need it to retire deleted rows.
    };
  });

  after(async () => {
    await sentinel?.close();
    await sim?.close();
    await schema?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('`meltano config test tap-oracle-wms` passes (the tap sends a RECORD)', async () => {
    const result = await meltano(['config', 'test', 'tap-oracle-wms']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-3000));
    assert.match(result.stdout, /Plugin configuration is valid/);
  });

  it('`meltano config test target-oracle`: the target loads the test record with no "error"/"exception" line (tolerates only the ProcessLookupError of Meltano 4.4.1 after success)', async () => {
    const result = await meltano(['--log-level', 'debug', 'config', 'test', 'target-oracle']);
    const output = `${result.stdout}\n${result.stderr}`;
    // Meltano logs this only when the loader exited 0 and no output line contained "error" or "exception".
    assert.match(output, /Test data was written to your target system/, output.slice(-3000));
    if (result.exitCode !== 0) {
      // Meltano 4.4.1 bug: LoaderTestService.validate calls process.terminate() in `finally` after the loader has
      // exited and asyncio has released it, which raises ProcessLookupError for every loader (`cat > /dev/null`
      // too). Anything else is a real failure.
      assert.match(output, /in terminate[\s\S]*ProcessLookupError/, output.slice(-3000));
      assert.doesNotMatch(output, /Plugin configuration is invalid/);
    } else {
      assert.match(result.stdout, /Plugin configuration is valid/);
    }
    const rows = await withClient(
      (c) => c.query(`SELECT id, name FROM ${c.escapeIdentifier(schema.schema)}.meltano_test_stream`),
      pg,
    );
    assert.deepEqual(
      rows.rows.map((r: { id: unknown; name: unknown }) => [Number(r.id), r.name]),
      [[1, 'Meltano Test Record']],
    );
  });

  it('run 1 loads every row of the selected entities and Meltano stores a bookmark per stream', async () => {
    sim.admin.clearRequests();
    const result = await meltano(['run', 'tap-oracle-wms', 'target-oracle']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    for (const entity of STREAMS) {
      const source = await sourceCount(entity);
      assert.ok(source > 0);
      assert.equal(await targetCount(entity), source, `${entity}: target rows = WMS result_count`);
      total += source;
      // Without a bookmark the first window starts at start_date.
      assert.deepEqual(
        [...new Set(requestedLowerBounds(entity).map(instantMs))],
        [instantMs(START_DATE)],
        `${entity} lower bound`,
      );
    }
    firstBookmarks = await storedState();
    assert.deepEqual(Object.keys(firstBookmarks).sort(), [...STREAMS].sort());
    for (const entity of STREAMS) {
      assert.equal(firstBookmarks[entity].replication_key, 'mod_ts');
      const newest = await withClient(
        async (c) =>
          (
            await c.query(
              `SELECT max(mod_ts) AS m FROM ${c.escapeIdentifier(schema.schema)}.${c.escapeIdentifier(entity)}`,
            )
          ).rows[0].m as Date,
        pg,
      );
      assert.equal(
        Math.floor(instantMs(firstBookmarks[entity].replication_key_value) / 1000),
        Math.floor(newest.getTime() / 1000),
        `${entity} bookmark = newest mod_ts loaded`,
      );
    }
  });

  it('run 2 is incremental: it asks WMS only for rows changed since the bookmark (minus the overlap) and brings the changes made in between', async () => {
    const ids = await withClient(
      async (c) => ({
        orders: (
          await c.query(`SELECT id FROM ${c.escapeIdentifier(schema.schema)}.order_hdr ORDER BY id LIMIT 3`)
        ).rows.map((r: { id: string }) => Number(r.id)),
        allocations: (
          await c.query(`SELECT id FROM ${c.escapeIdentifier(schema.schema)}.allocation ORDER BY id LIMIT 2`)
        ).rows.map((r: { id: string }) => Number(r.id)),
        // A new allocation needs its required relations (describe marks them required, so the tap's schema does too).
        parents: (
          await c.query(
            `SELECT order_dtl_id, from_inventory_id FROM ${c.escapeIdentifier(schema.schema)}.allocation WHERE from_inventory_id IS NOT NULL ORDER BY id LIMIT 1`,
          )
        ).rows[0] as { order_dtl_id: string; from_inventory_id: string },
      }),
      pg,
    );
    for (const id of ids.orders) sim.admin.update('order_hdr', id, { cust_name: `MELTANO E2E ${id}` });
    for (const id of ids.allocations) sim.admin.update('allocation', id, { alloc_qty: '98765432109876.125' });
    const inserted = sim.admin.insert('allocation', {
      order_dtl_id: Number(ids.parents.order_dtl_id),
      from_inventory_id: Number(ids.parents.from_inventory_id),
      alloc_qty: '7.500',
      pick_locn_str: 'MELTANO-E2E',
    });
    const changedAt = instantMs(sim.admin.nowWms());
    sim.admin.clearRequests();
    const run2Start = new Date();

    const result = await meltano(['run', 'tap-oracle-wms', 'target-oracle']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));

    for (const entity of STREAMS) {
      const bounds = requestedLowerBounds(entity).map(instantMs);
      assert.ok(bounds.length > 0, `${entity}: run 2 sent mod_ts__gte`);
      const expected =
        Math.floor(instantMs(firstBookmarks[entity].replication_key_value) / 1000) * 1000 - OVERLAP_MINUTES * 60_000;
      assert.deepEqual(
        [...new Set(bounds)],
        [expected],
        `${entity}: window starts at bookmark − ${OVERLAP_MINUTES} min`,
      );
    }
    const after = await withClient(async (c) => {
      const s = c.escapeIdentifier(schema.schema);
      return {
        names: (await c.query(`SELECT id, cust_name FROM ${s}.order_hdr WHERE id = ANY($1) ORDER BY id`, [ids.orders]))
          .rows,
        qty: (
          await c.query(`SELECT id, alloc_qty::text AS q FROM ${s}.allocation WHERE id = ANY($1) ORDER BY id`, [
            ids.allocations,
          ])
        ).rows,
        inserted: (
          await c.query(`SELECT alloc_qty::text AS q, pick_locn_str FROM ${s}.allocation WHERE id = $1`, [inserted])
        ).rows,
        reloaded: Number(
          (
            await c.query(
              `SELECT (SELECT count(*) FROM ${s}.order_hdr WHERE _sdc_batched_at >= $1) + (SELECT count(*) FROM ${s}.allocation WHERE _sdc_batched_at >= $1) AS n`,
              [run2Start],
            )
          ).rows[0].n,
        ),
      };
    }, pg);
    assert.deepEqual(
      after.names.map((r: { id: string; cust_name: string }) => [Number(r.id), r.cust_name]),
      ids.orders.map((id) => [id, `MELTANO E2E ${id}`]),
    );
    // Exact decimal (more digits than a double holds), compared as text without trailing fractional zeros.
    assert.deepEqual(
      after.qty.map((r: { q: string }) => r.q.replace(/(\.\d*?)0+$/, '$1')),
      ids.allocations.map(() => '98765432109876.125'),
    );
    assert.equal(after.inserted.length, 1, 'the row inserted in WMS arrived');
    assert.equal(after.inserted[0].pick_locn_str, 'MELTANO-E2E');
    // Only the window was reloaded: the 6 changed rows plus rows inside the overlap, never the whole tables.
    assert.ok(after.reloaded >= 6, `rows loaded by run 2: ${after.reloaded}`);
    assert.ok(after.reloaded < total / 4, `run 2 reloaded ${after.reloaded} of ${total} rows: not incremental`);
    for (const entity of STREAMS)
      assert.equal(await targetCount(entity), await sourceCount(entity), `${entity} converged`);

    const bookmarks = await storedState();
    for (const entity of STREAMS) {
      const value = instantMs(bookmarks[entity].replication_key_value);
      assert.ok(value > instantMs(firstBookmarks[entity].replication_key_value), `${entity} bookmark advanced`);
      assert.ok(Math.abs(value - changedAt) < 5_000, `${entity} bookmark is the time of the change`);
    }
  });

  it('the per-entity job `order_hdr-full` (inherited plugin, FULL_TABLE + ACTIVATE_VERSION) reloads order_hdr under its own state id', async () => {
    sim.admin.clearRequests();
    const result = await meltano(['run', 'order_hdr-full']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    const listed = sim.admin.requests().filter((r) => /\/entity\/[a-z_]+\/$/.test(r.path));
    assert.ok(listed.length > 0);
    assert.ok(
      listed.every((r) => r.path.endsWith('/entity/order_hdr/')),
      'only order_hdr was read',
    );
    assert.ok(
      listed.every((r) => !new URLSearchParams(r.query).has('mod_ts__gte')),
      'a full sync has no mod_ts window',
    );
    assert.equal(await targetCount('order_hdr'), await sourceCount('order_hdr'));
    const states = await meltano(['state', 'list']);
    assert.match(states.stdout, /^dev:tap-oracle-wms--order_hdr-full-to-target-oracle$/m);
  });

  it('`order_hdr-full` again after rows were deleted in WMS: the target marks exactly those rows deleted (_sdc_deleted_at), with meltano.yml as generated', async () => {
    const s = (c: { escapeIdentifier(name: string): string }) => c.escapeIdentifier(schema.schema);
    const victims = await withClient(
      async (c) =>
        (await c.query(`SELECT id FROM ${s(c)}.order_hdr ORDER BY id DESC LIMIT 2`)).rows.map((r: { id: string }) =>
          Number(r.id),
        ),
      pg,
    );
    for (const id of victims) assert.ok(sim.admin.delete('order_hdr', id), `deleted order_hdr ${id} in WMS`);
    const result = await meltano(['run', 'order_hdr-full']);
    assert.equal(result.exitCode, 0, result.stderr.slice(-4000));
    assert.doesNotMatch(result.stderr, /ACTIVATE_VERSION ignored/);
    const rows = await withClient(
      async (c) =>
        (
          await c.query(
            `SELECT id, _sdc_deleted_at IS NOT NULL AS deleted, _sdc_table_version AS version FROM ${s(c)}.order_hdr`,
          )
        ).rows as { id: string; deleted: boolean; version: string | null }[],
      pg,
    );
    assert.deepEqual(
      rows
        .filter((r) => r.deleted)
        .map((r) => Number(r.id))
        .sort((a, b) => a - b),
      [...victims].sort((a, b) => a - b),
      'exactly the rows deleted in WMS are marked deleted',
    );
    const live = rows.filter((r) => !r.deleted);
    assert.equal(live.length, await sourceCount('order_hdr'), 'the live rows are the rows WMS has');
    assert.equal(new Set(live.map((r) => r.version)).size, 1, 'every live row carries the version of this full sync');
  });

  it('nothing tried to reach the internet (proxy sentinel saw no request) and target-oracle logged no "error"/"exception" line in the runs', () => {
    assert.ok(outputs.length >= 5, 'the runs above happened');
    assert.deepEqual(sentinel.attempts, []);
    const runs = outputs.filter((o) => /Block run completed|Run completed/.test(o.stderr));
    assert.ok(runs.length >= 2);
    for (const run of runs) assert.deepEqual(targetErrorLines(run.stderr), []);
  });
});
