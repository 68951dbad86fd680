import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../../wms-simulator/index.js';
import { startHttpGate } from '../../helpers/http-gate.js';
import { meltanoPluginEnv, requireMeltano, runMeltano } from '../../helpers/meltano.js';
import {
  createTestSchema,
  requireOwnDatabase,
  uniqueName,
  withClient,
  type PgConfig,
  type TestDatabase,
  type TestSchema,
} from '../../helpers/postgres.js';
import type { ProcessResult } from '../../helpers/run-bin.js';
import { createWorkingCopy, type WorkingCopy } from './working-copy.js';

const ENTITIES = ['order_hdr', 'order_dtl', 'allocation'] as const;
type Entity = (typeof ENTITIES)[number];
const OVERLAP_MINUTES = 15; // the tap's default incremental_overlap_minutes
const stateId = (entity: string): string => `dev:tap-oracle-wms--${entity}-incremental-to-target-oracle`;

interface Bookmark {
  replication_key: string;
  replication_key_value: string;
}

/** An instant from WMS/RFC 3339 text with up to microseconds (Date.parse wants at most milliseconds). */
function instantMs(text: string): number {
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  assert.ok(!Number.isNaN(ms), `not a timestamp: ${text}`);
  return ms;
}

describe('Meltano with a shared PostgreSQL system database: three per-entity jobs at once from three working copies (real Meltano 4.4.1 + psycopg, simulator over HTTP, PostgreSQL 15) @integration', function () {
  // Hang guards only: each incremental job now starts with its handoff task (two or three more meltano starts), and
  // three jobs at once on a loaded 2-core machine took up to 4 minutes.
  this.timeout(600_000);
  let pg: PgConfig;
  let sim: RunningSimulator;
  let schema: TestSchema;
  let database: TestDatabase;
  let systemDb: string;
  let env: Record<string, string | undefined>;
  const copies: WorkingCopy[] = [];
  let bookmarks1: Record<Entity, Bookmark>;

  const meltano = (copy: WorkingCopy, args: string[]): Promise<ProcessResult> =>
    runMeltano(copy.dir, ['--environment', 'dev', ...args], { env, timeoutMs: 480_000 });
  const systemQuery = <T>(sql: string, params: unknown[] = []): Promise<T[]> =>
    withClient(async (c) => (await c.query(sql, params)).rows as T[], { ...pg, database: systemDb });
  const targetCount = (table: string): Promise<number> =>
    withClient(
      async (c) =>
        Number(
          (await c.query(`SELECT count(*) AS n FROM ${c.escapeIdentifier(schema.schema)}.${c.escapeIdentifier(table)}`))
            .rows[0].n,
        ),
      pg,
    );
  /** The bookmarks Meltano stored for an entity's job, read from the shared database's `state` table. */
  const storedBookmarks = async (entity: Entity): Promise<Record<string, Bookmark>> => {
    // Meltano stores the state as JSON text (its JSONEncodedDict column type is a VARCHAR).
    const rows = await systemQuery<{ completed_state: string }>(
      'SELECT completed_state FROM state WHERE state_id = $1',
      [stateId(entity)],
    );
    assert.equal(rows.length, 1, `one state row for ${stateId(entity)}`);
    const state = JSON.parse(rows[0].completed_state) as { singer_state: { bookmarks: Record<string, Bookmark> } };
    return state.singer_state.bookmarks;
  };
  const lowerBounds = (entity: Entity): number[] => [
    ...new Set(
      sim.admin
        .requests()
        .filter((r) => r.path.endsWith(`/entity/${entity}/`))
        .map((r) => new URLSearchParams(r.query).get('mod_ts__gte'))
        .filter((v): v is string => v !== null)
        .map(instantMs),
    ),
  ];
  /** Runs each entity's incremental job from its own working copy, all three started together. */
  const runAllAtOnce = async (): Promise<void> => {
    const results = await Promise.all(
      ENTITIES.map((entity, i) => meltano(copies[i], ['run', `${entity}-incremental`])),
    );
    results.forEach((result, i) => assert.equal(result.exitCode, 0, `${ENTITIES[i]}: ${result.stderr.slice(-3000)}`));
  };

  before(async function () {
    requireMeltano(this);
    // The target's run lock is per database, and other files run the same Meltano jobs at once.
    database = await requireOwnDatabase(this, 'meltano_shared_db');
    pg = database.config;
    // The clock sits just after the generated history, so rows changed by the test fall in the next window.
    sim = await startSimulator({
      port: 0,
      rows: { order_hdr: 150, order_dtl: 300, allocation: 450 },
      clockStart: '2025-07-01T06:00:00Z',
    });
    schema = await createTestSchema('meltano_shared', pg);
    systemDb = uniqueName('meltano_sysdb');
    await withClient((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(systemDb)}`), pg);
    for (const entity of ENTITIES) copies.push(await createWorkingCopy(`meltano-${entity}`));
    env = {
      // psycopg 3 (Meltano's `postgres` extra): the +psycopg driver name is required, see scripts/meltano-venv.sh.
      MELTANO_DATABASE_URI: `postgresql+psycopg://${pg.user}:${pg.password}@${pg.host}:${pg.port}/${systemDb}`,
      MELTANO_SYS_DIR_ROOT: undefined,
      ...meltanoPluginEnv(sim.baseUrl, pg, schema.schema),
      TAP_ORACLE_WMS_START_DATE: '2000-01-01T00:00:00Z',
    };
    // Meltano migrates an empty system database on first use; workers must not race for that, so it is done once.
    const upgrade = await meltano(copies[0], ['upgrade', 'database']);
    assert.equal(upgrade.exitCode, 0, upgrade.stderr.slice(-3000));
  });

  after(async () => {
    await sim?.close();
    await schema?.drop();
    for (const copy of copies) await copy.remove();
    if (systemDb)
      await withClient((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(systemDb)} WITH (FORCE)`), pg);
    await database?.drop();
  });

  it('three jobs run side by side, each loads its entity exactly, and each state id holds only its own stream', async () => {
    await runAllAtOnce();
    const counts = sim.admin.rowCounts();
    for (const entity of ENTITIES) assert.equal(await targetCount(entity), counts[entity], `${entity} rows`);

    // The runs overlapped in time: all started before any ended (Meltano records each run in the shared database).
    const runs = await systemQuery<{ job_name: string; state: string; started_at: Date; ended_at: Date }>(
      'SELECT job_name, state, started_at, ended_at FROM runs ORDER BY started_at',
    );
    assert.deepEqual(runs.map((r) => r.job_name).sort(), ENTITIES.map(stateId).sort());
    assert.ok(runs.every((r) => r.state === 'SUCCESS'));
    const lastStart = Math.max(...runs.map((r) => r.started_at.getTime()));
    const firstEnd = Math.min(...runs.map((r) => r.ended_at.getTime()));
    assert.ok(lastStart < firstEnd, 'the three runs overlapped');

    // Any working copy sees every job's state: the system database is the one state backend.
    const list = await meltano(copies[2], ['state', 'list']);
    for (const entity of ENTITIES) assert.match(list.stdout, new RegExp(`^${stateId(entity)}$`, 'm'));
    const stored = {} as Record<Entity, Bookmark>;
    for (const entity of ENTITIES) {
      const bookmarks = await storedBookmarks(entity);
      assert.deepEqual(Object.keys(bookmarks), [entity], `${stateId(entity)} holds ${entity} only`);
      assert.equal(bookmarks[entity].replication_key, 'mod_ts');
      stored[entity] = bookmarks[entity];
    }
    bookmarks1 = stored;
  });

  it('the second concurrent round is incremental: each job starts from its own bookmark and brings its changes', async () => {
    const changed = {} as Record<Entity, number>;
    for (const entity of ENTITIES)
      changed[entity] = await withClient(
        async (c) =>
          Number(
            (
              await c.query(
                `SELECT min(id) AS id FROM ${c.escapeIdentifier(schema.schema)}.${c.escapeIdentifier(entity)}`,
              )
            ).rows[0].id,
          ),
        pg,
      );
    sim.admin.update('order_hdr', changed.order_hdr, { cust_name: 'SHARED DB' });
    sim.admin.update('order_dtl', changed.order_dtl, { ord_qty: '4.500' });
    sim.admin.update('allocation', changed.allocation, { alloc_qty: '123456789012345.125' });
    sim.admin.clearRequests();

    await runAllAtOnce();

    // Meltano asked each tap to --discover again; each answered from its working copy's catalog cache.
    assert.deepEqual(
      sim.admin.requests().filter((r) => r.path.includes('/describe/')),
      [],
      'no describe request in the second round',
    );
    for (const entity of ENTITIES) {
      const expected =
        Math.floor(instantMs(bookmarks1[entity].replication_key_value) / 1000) * 1000 - OVERLAP_MINUTES * 60_000;
      assert.deepEqual(lowerBounds(entity), [expected], `${entity}: window starts at its own bookmark − overlap`);
    }
    const after = await withClient(async (c) => {
      const s = c.escapeIdentifier(schema.schema);
      return [
        (await c.query(`SELECT cust_name AS v FROM ${s}.order_hdr WHERE id = $1`, [changed.order_hdr])).rows[0].v,
        (await c.query(`SELECT ord_qty::text AS v FROM ${s}.order_dtl WHERE id = $1`, [changed.order_dtl])).rows[0].v,
        (await c.query(`SELECT alloc_qty::text AS v FROM ${s}.allocation WHERE id = $1`, [changed.allocation])).rows[0]
          .v,
      ].map((v: string) => v.replace(/(\.\d*?)0+$/, '$1'));
    }, pg);
    assert.deepEqual(after, ['SHARED DB', '4.5', '123456789012345.125']);
    for (const entity of ENTITIES) {
      const bookmarks = await storedBookmarks(entity);
      assert.deepEqual(Object.keys(bookmarks), [entity]);
      assert.ok(
        instantMs(bookmarks[entity].replication_key_value) > instantMs(bookmarks1[entity].replication_key_value),
        `${entity} bookmark advanced`,
      );
    }
  });

  it('the same job started from another working copy while it runs is refused by Meltano, and the first run completes', async () => {
    // The first run's allocation listing is held at a gate until the second run was refused: the first run is then
    // in flight for as long as the second one takes (its handoff task, then Meltano's check), however slow the machine.
    const gate = await startHttpGate(sim.baseUrl, (url) => url.pathname.endsWith('/entity/allocation/'));
    try {
      const first = runMeltano(copies[0].dir, ['--environment', 'dev', 'run', 'allocation-incremental'], {
        env: { ...env, TAP_ORACLE_WMS_BASE_URL: gate.url },
        timeoutMs: 480_000,
      });
      await Promise.race([
        gate.holding,
        first.then((r) => assert.fail(`the first run ended before reading allocation: ${r.stderr.slice(-2000)}`)),
      ]);
      const running = await systemQuery<{ n: string }>(
        "SELECT count(*) AS n FROM runs WHERE job_name = $1 AND state = 'RUNNING'",
        [stateId('allocation')],
      );
      assert.equal(Number(running[0].n), 1, 'the first run is recorded as RUNNING');
      const second = await meltano(copies[1], ['run', 'allocation-incremental']);
      assert.notEqual(second.exitCode, 0);
      assert.match(
        second.stderr,
        new RegExp(`Another '${stateId('allocation')}' pipeline is already running`),
        second.stderr.slice(-2000),
      );
      gate.release();
      const firstResult = await first;
      assert.equal(firstResult.exitCode, 0, firstResult.stderr.slice(-3000));
    } finally {
      await gate.close();
    }
    const states = await systemQuery<{ state: string }>('SELECT state FROM runs WHERE job_name = $1', [
      stateId('allocation'),
    ]);
    assert.deepEqual(states.map((r) => r.state).sort(), ['SUCCESS', 'SUCCESS', 'SUCCESS']);
  });
});
