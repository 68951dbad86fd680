import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
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
import { runBin, type ProcessResult } from '../../helpers/run-bin.js';
import { createWorkingCopy, type WorkingCopy } from './working-copy.js';

const JOBS = ['allocation-range-1-of-2', 'allocation-range-2-of-2'];

describe('Meltano runs the range jobs written by `wms-pipeline plan-partitions --out` (real Meltano 4.4.1, simulator over HTTP, PostgreSQL 15) @integration', function () {
  this.timeout(240_000);
  let pg: PgConfig;
  let sim: RunningSimulator;
  let schema: TestSchema;
  let database: TestDatabase;
  let copy: WorkingCopy;
  let dir: string;
  let env: Record<string, string | undefined>;

  const meltano = (args: string[]): Promise<ProcessResult> =>
    runMeltano(copy.dir, ['--environment', 'dev', ...args], { env, timeoutMs: 180_000 });

  before(async function () {
    requireMeltano(this);
    // The target's run lock is per database, and other files run the same Meltano jobs at once.
    database = await requireOwnDatabase(this, 'meltano_ranges_db');
    pg = database.config;
    sim = await startSimulator({ port: 0, rows: { allocation: 700 } });
    schema = await createTestSchema('meltano_ranges', pg);
    copy = await createWorkingCopy('meltano-ranges');
    dir = await mkdtemp(path.join(os.tmpdir(), 'meltano-ranges-db-'));
    env = {
      MELTANO_DATABASE_URI: `sqlite:///${path.join(dir, 'meltano.db')}`,
      MELTANO_SYS_DIR_ROOT: undefined,
      ...meltanoPluginEnv(sim.baseUrl, pg, schema.schema),
    };
  });

  after(async () => {
    await sim?.close();
    await schema?.drop();
    await copy?.remove();
    if (dir) await rm(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('the planned file, added to include_paths, gives one job per range with its own id_range and no ACTIVATE_VERSION', async () => {
    const out = path.join(copy.dir, 'meltano.allocation-ranges.yml');
    const plan = await runBin(
      'wms-pipeline',
      ['plan-partitions', '--entity', 'allocation', '--parts', '2', '--out', out],
      {
        env: {
          WMS_PIPELINE_WMS_BASE_URL: sim.baseUrl,
          WMS_PIPELINE_WMS_USERNAME: 'demo',
          WMS_PIPELINE_WMS_PASSWORD: 'demo',
        },
      },
    );
    assert.equal(plan.exitCode, 0, plan.stderr);
    assert.equal(plan.stdout, `2 range jobs for allocation written to ${out}`);
    const bounds = [...(await readFile(out, 'utf8')).matchAll(/id_range: \{(.*)\}/g)].map((m) => m[1]);
    assert.equal(bounds.length, 2);
    await appendFile(path.join(copy.dir, 'meltano.yml'), '\ninclude_paths:\n  - ./meltano.allocation-ranges.yml\n');

    const listed = await meltano(['job', 'list', '--format=json']);
    assert.equal(listed.exitCode, 0, listed.stderr.slice(-2000));
    const jobs = (JSON.parse(listed.stdout) as { jobs: { job_name: string; tasks: string[] }[] }).jobs;
    for (const job of JOBS)
      assert.deepEqual(jobs.find((j) => j.job_name === job)?.tasks, [`tap-oracle-wms--${job} target-oracle`]);
    for (const [i, job] of JOBS.entries()) {
      const printed = await meltano(['config', 'print', `tap-oracle-wms--${job}`]);
      assert.equal(printed.exitCode, 0, printed.stderr.slice(-2000));
      const config = JSON.parse(printed.stdout) as Record<string, unknown>;
      assert.deepEqual(config.entities, ['allocation']);
      assert.equal(config.enable_incremental, false);
      assert.equal(config.emit_activate_version, false);
      assert.equal(
        `{${Object.entries(config.id_range as object)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join(', ')}}`,
        `{${bounds[i]}}`,
      );
    }
  });

  it('both range jobs run at once; the table holds every row and each job has its own state id', async () => {
    const results = await Promise.all(JOBS.map((job) => meltano(['run', job])));
    results.forEach((result, i) => assert.equal(result.exitCode, 0, `${JOBS[i]}: ${result.stderr.slice(-3000)}`));
    const loaded = await withClient(
      async (c) =>
        Number(
          (await c.query(`SELECT count(DISTINCT id) AS n FROM ${c.escapeIdentifier(schema.schema)}.allocation`)).rows[0]
            .n,
        ),
      pg,
    );
    assert.equal(loaded, sim.admin.rowCounts().allocation);
    const states = await meltano(['state', 'list']);
    for (const job of JOBS)
      assert.match(states.stdout, new RegExp(`^dev:tap-oracle-wms--${job}-to-target-oracle$`, 'm'));
  });
});
