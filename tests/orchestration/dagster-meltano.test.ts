import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../../wms-simulator/index.js';
import { requireDagster } from '../helpers/dagster.js';
import { MELTANO_NO_TRACKING_ENV, meltanoPluginEnv, requireMeltano, runMeltano } from '../helpers/meltano.js';
import {
  createTestSchema,
  requireOwnDatabase,
  withClient,
  type PgConfig,
  type TestDatabase,
  type TestSchema,
} from '../helpers/postgres.js';
import { repoRoot } from '../helpers/repo-root.js';
import { runProcess, type ProcessResult } from '../helpers/run-bin.js';
import { createWorkingCopy, type WorkingCopy } from '../integration/meltano/working-copy.js';

const DEFINITIONS = path.join(repoRoot, 'orchestration', 'dagster', 'definitions.py');
const STATE_ID = 'dev:tap-oracle-wms--allocation-incremental-to-target-oracle';

/** Loads the definitions in Dagster's Python and prints jobs (with run and op tags) and schedules as JSON. */
const DESCRIBE_DEFINITIONS = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("definitions", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
repo = module.defs.get_repository_def()
print(json.dumps({
    "jobs": [
        {"name": j.name, "tags": dict(j.tags), "ops": [dict(n.tags) for n in j.graph.nodes]}
        for j in repo.get_all_jobs() if not j.name.startswith("__")
    ],
    "schedules": [{"name": s.name, "cron": s.cron_schedule, "job": s.job_name} for s in repo.schedule_defs],
}))
`;

interface DescribedJob {
  name: string;
  tags: Record<string, string>;
  ops: Record<string, string>[];
}

const dagsterName = (meltanoName: string): string => meltanoName.replace(/[-: =]/g, '_');

describe('Dagster (dagster-meltano 1.5.5 on Dagster 1.9.13 from .cache/dagster-venv) runs the Meltano jobs: real Dagster, real Meltano 4.4.1, simulator over HTTP, PostgreSQL 15 @integration', function () {
  this.timeout(300_000);
  let dagster: string;
  let pg: PgConfig;
  let sim: RunningSimulator;
  let schema: TestSchema;
  let database: TestDatabase;
  let copy: WorkingCopy;
  let dagsterHome: string;
  let env: Record<string, string | undefined>;

  const runDagster = (args: string[]): Promise<ProcessResult> =>
    runProcess(dagster, args, { cwd: copy.dir, env, timeoutMs: 280_000 });

  before(async function () {
    dagster = requireDagster(this);
    const meltano = requireMeltano(this);
    // The target's run lock is per database, and other files run the same Meltano jobs at once.
    database = await requireOwnDatabase(this, 'dagster_db');
    pg = database.config;
    sim = await startSimulator({ port: 0, rows: { allocation: 400 } });
    schema = await createTestSchema('dagster', pg);
    copy = await createWorkingCopy('dagster-meltano');
    dagsterHome = await mkdtemp(path.join(os.tmpdir(), 'dagster-home-'));
    await copyFile(
      path.join(repoRoot, 'orchestration', 'dagster', 'dagster.yaml'),
      path.join(dagsterHome, 'dagster.yaml'),
    );
    env = {
      ...MELTANO_NO_TRACKING_ENV,
      DAGSTER_HOME: dagsterHome,
      // dagster-meltano calls `meltano` from PATH: Meltano keeps its own virtualenv.
      PATH: `${path.dirname(meltano)}:${process.env.PATH ?? ''}`,
      MELTANO_PROJECT_ROOT: copy.dir,
      MELTANO_ENVIRONMENT: 'dev',
      MELTANO_DATABASE_URI: `sqlite:///${path.join(copy.dir, 'meltano.db')}`,
      ...meltanoPluginEnv(sim.baseUrl, pg, schema.schema),
      TAP_ORACLE_WMS_START_DATE: '2000-01-01T00:00:00Z',
    };
  });

  after(async () => {
    await sim?.close();
    await schema?.drop();
    await copy?.remove();
    if (dagsterHome) await rm(dagsterHome, { recursive: true, force: true });
    await database?.drop();
  });

  it('loads one Dagster job per Meltano job (tagged meltano/job, its ops in the wms pool) and every Meltano schedule', async () => {
    const listed = await runMeltano(copy.dir, ['job', 'list', '--format=json'], { env });
    assert.equal(listed.exitCode, 0, listed.stderr.slice(-2000));
    const meltanoJobs = (JSON.parse(listed.stdout) as { jobs: { job_name: string }[] }).jobs.map((j) => j.job_name);
    const schedules = await runMeltano(copy.dir, ['schedule', 'list', '--format=json'], { env });
    const meltanoSchedules = (
      JSON.parse(schedules.stdout) as {
        schedules: { job: { name: string; cron_interval: string; job: { name: string } }[] };
      }
    ).schedules.job;

    const python = path.join(path.dirname(dagster), 'python');
    const described = await runProcess(python, ['-c', DESCRIBE_DEFINITIONS, DEFINITIONS], {
      cwd: copy.dir,
      env,
      timeoutMs: 120_000,
    });
    assert.equal(described.exitCode, 0, described.stderr.slice(-3000));
    const defs = JSON.parse(described.stdout) as {
      jobs: DescribedJob[];
      schedules: { name: string; cron: string; job: string }[];
    };
    assert.ok(meltanoJobs.length >= 16, `meltano.yml has ${meltanoJobs.length} jobs`);
    assert.deepEqual(defs.jobs.map((j) => j.name).sort(), meltanoJobs.map(dagsterName).sort());
    for (const meltanoJob of meltanoJobs) {
      const job = defs.jobs.find((j) => j.name === dagsterName(meltanoJob))!;
      assert.equal(job.tags['meltano/job'], meltanoJob, `${job.name}: run tag for the one-run-per-job queue limit`);
      assert.ok(job.ops.length > 0);
      for (const op of job.ops) assert.equal(op.kind, 'meltano');
      for (const op of job.ops) assert.equal(op['dagster/concurrency_key'], 'wms', `${job.name}: op in the wms pool`);
    }
    assert.deepEqual(
      defs.schedules.map((s) => [s.name, s.cron, s.job]).sort(),
      meltanoSchedules.map((s) => [dagsterName(s.name), s.cron_interval, dagsterName(s.job.name)]).sort(),
    );
  });

  it('`dagster job execute` runs allocation_incremental: every row lands and Meltano stores the bookmark', async () => {
    const result = await runDagster(['job', 'execute', '-f', DEFINITIONS, '-j', 'allocation_incremental']);
    assert.equal(result.exitCode, 0, `${result.stdout.slice(-2000)}\n${result.stderr.slice(-4000)}`);
    assert.match(result.stderr, /RUN_SUCCESS/);

    const source = sim.admin.rowCounts().allocation;
    const loaded = await withClient(
      async (c) =>
        (
          await c.query(
            `SELECT count(*)::int AS n, max(mod_ts) AS newest FROM ${c.escapeIdentifier(schema.schema)}.allocation`,
          )
        ).rows[0] as { n: number; newest: Date },
      pg,
    );
    assert.equal(loaded.n, source);

    const state = await runMeltano(copy.dir, ['state', 'get', STATE_ID], { env });
    assert.equal(state.exitCode, 0, state.stderr.slice(-2000));
    const bookmark = (
      JSON.parse(state.stdout) as {
        singer_state: { bookmarks: Record<string, { replication_key: string; replication_key_value: string }> };
      }
    ).singer_state.bookmarks.allocation;
    assert.equal(bookmark.replication_key, 'mod_ts');
    assert.equal(
      Math.floor(Date.parse(bookmark.replication_key_value.replace(/(\.\d{3})\d+/, '$1')) / 1000),
      Math.floor(loaded.newest.getTime() / 1000),
      'bookmark = newest mod_ts loaded',
    );

    // The op took a slot of the wms pool: Dagster created the pool with dagster.yaml's default limit.
    const pool = await runDagster(['instance', 'concurrency', 'get', 'wms']);
    assert.equal(pool.exitCode, 0, pool.stderr.slice(-2000));
    assert.match(pool.stdout, /wms.*\b2\b/);
  });
});
