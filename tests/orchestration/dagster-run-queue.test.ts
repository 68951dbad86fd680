import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, type RunningSimulator } from '../../wms-simulator/index.js';
import { requireDagster } from '../helpers/dagster.js';
import { MELTANO_NO_TRACKING_ENV, meltanoPluginEnv, requireMeltano, runMeltano } from '../helpers/meltano.js';
import {
  createTestSchema,
  requireOwnDatabase,
  type PgConfig,
  type TestDatabase,
  type TestSchema,
} from '../helpers/postgres.js';
import { repoRoot } from '../helpers/repo-root.js';
import { runProcess, startProcess, type RunningProcess } from '../helpers/run-bin.js';
import { createWorkingCopy, type WorkingCopy } from '../integration/meltano/working-copy.js';

const DEFINITIONS = path.join(repoRoot, 'orchestration', 'dagster', 'definitions.py');

/**
 * Every run of the instance (job, status, start/end times in seconds) as a JSON line numbered `n`, then again every
 * 2 s until stdin closes: one Python start for the whole wait (importing dagster takes seconds of CPU each time).
 */
const WATCH_RUNS = `
import json, sys, threading
from dagster import DagsterInstance
instance = DagsterInstance.get()
closed = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), closed.set()), daemon=True).start()
n = 0
while True:
    print(json.dumps({"n": n, "runs": [
        {"id": r.dagster_run.run_id, "job": r.dagster_run.job_name, "status": r.dagster_run.status.value,
         "start": r.start_time, "end": r.end_time}
        for r in instance.get_run_records()
    ]}), flush=True)
    n += 1
    if closed.wait(2):
        break
`;

interface RunRecord {
  id: string;
  job: string;
  status: string;
  start: number | null;
  end: number | null;
}

const FINISHED = new Set(['SUCCESS', 'FAILURE', 'CANCELED']);

describe('Dagster run queue: one run per Meltano job at a time (dagster.yaml tag concurrency limit, real dagster-daemon, real Meltano) @integration', function () {
  this.timeout(600_000);
  let dagster: string;
  let python: string;
  let pg: PgConfig;
  let sim: RunningSimulator;
  let schema: TestSchema;
  let database: TestDatabase;
  let copy: WorkingCopy;
  let dagsterHome: string;
  let env: Record<string, string | undefined>;
  let daemon: ChildProcess | undefined;

  let watcher: RunningProcess | undefined;
  let watched = 0;
  /** The watcher's next listing of the instance's runs. */
  const records = async (): Promise<RunRecord[]> => {
    watcher ??= startProcess(python, ['-c', WATCH_RUNS], { cwd: copy.dir, env, timeoutMs: 600_000 });
    const line = await watcher.waitForLine('stdout', new RegExp(`^\\{"n": ${watched},`), 120_000);
    watched += 1;
    return (JSON.parse(line) as { runs: RunRecord[] }).runs;
  };

  before(async function () {
    dagster = requireDagster(this);
    python = path.join(path.dirname(dagster), 'python');
    const meltano = requireMeltano(this);
    // The target's run lock is per database, and other files run the same Meltano jobs at once.
    database = await requireOwnDatabase(this, 'dagster_queue_db');
    pg = database.config;
    // Latency: each run reads for seconds, so two runs let out of the queue together would overlap.
    sim = await startSimulator({ port: 0, rows: { allocation: 400 }, latencyMsPerRow: 10 });
    schema = await createTestSchema('dagster_queue', pg);
    copy = await createWorkingCopy('dagster-queue');
    dagsterHome = await mkdtemp(path.join(os.tmpdir(), 'dagster-home-'));
    await copyFile(
      path.join(repoRoot, 'orchestration', 'dagster', 'dagster.yaml'),
      path.join(dagsterHome, 'dagster.yaml'),
    );
    env = {
      ...MELTANO_NO_TRACKING_ENV,
      DAGSTER_HOME: dagsterHome,
      PATH: `${path.dirname(meltano)}:${process.env.PATH ?? ''}`,
      MELTANO_PROJECT_ROOT: copy.dir,
      MELTANO_ENVIRONMENT: 'dev',
      MELTANO_DATABASE_URI: `sqlite:///${path.join(copy.dir, 'meltano.db')}`,
      ...meltanoPluginEnv(sim.baseUrl, pg, schema.schema),
      TAP_ORACLE_WMS_START_DATE: '2000-01-01T00:00:00Z',
    };
    // Create Meltano's system database once: dagster-meltano's two concurrent listings would both migrate it.
    const listed = await runMeltano(copy.dir, ['job', 'list', '--format=json'], { env });
    assert.equal(listed.exitCode, 0, listed.stderr.slice(-2000));
  });

  after(async () => {
    if (watcher) {
      watcher.subprocess.stdin?.end();
      await watcher.result;
    }
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon!.once('exit', resolve));
      daemon.kill('SIGTERM');
      await exited;
    }
    // A run the daemon launched (its scheduler starts the other jobs' runs on their */15 ticks) is in the daemon's
    // process group and outlives it, writing into DAGSTER_HOME after it is removed: end the whole group first.
    if (daemon?.pid !== undefined) await endProcessGroup(daemon.pid);
    await sim?.close();
    await schema?.drop();
    await copy?.remove();
    if (dagsterHome) await rm(dagsterHome, { recursive: true, force: true });
    await database?.drop();
  });

  it('the same job launched twice: both queued, the daemon starts the second only after the first has ended', async () => {
    for (let i = 0; i < 2; i += 1) {
      const launched = await runProcess(dagster, ['job', 'launch', '-f', DEFINITIONS, '-j', 'allocation_incremental'], {
        cwd: copy.dir,
        env,
        timeoutMs: 280_000,
      });
      assert.equal(launched.exitCode, 0, `${launched.stdout.slice(-2000)}\n${launched.stderr.slice(-3000)}`);
    }
    const queued = await records();
    assert.deepEqual(
      queued.map((r) => r.status),
      ['QUEUED', 'QUEUED'],
      'the queued run coordinator holds both until the daemon dequeues them',
    );

    // Both are eligible in the daemon's first pass: only the tag limit can hold one back.
    // The daemon relays every run's log lines: to a file, so that no unread pipe ever blocks it.
    const log = openSync(path.join(dagsterHome, 'daemon.log'), 'a');
    daemon = spawn(path.join(path.dirname(dagster), 'dagster-daemon'), ['run', '-f', DEFINITIONS], {
      cwd: copy.dir,
      env,
      // Its own process group, with every run it launches: the after hook ends them all.
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    // Only these two runs: the daemon's scheduler may start other jobs' runs (their */15 schedules) meanwhile.
    const ours = new Set(queued.map((r) => r.id));
    let runs = queued;
    while (!runs.every((r) => FINISHED.has(r.status))) {
      runs = (await records()).filter((r) => ours.has(r.id));
      assert.ok(
        runs.filter((r) => r.status === 'STARTED' || r.status === 'STARTING').length <= 1,
        `two runs of one job in flight: ${JSON.stringify(runs)}`,
      );
    }
    assert.deepEqual(
      runs.map((r) => r.status),
      ['SUCCESS', 'SUCCESS'],
      JSON.stringify(runs),
    );
    const [second, first] = [...runs].sort((a, b) => (b.start ?? 0) - (a.start ?? 0));
    assert.ok(first.end !== null && second.start !== null);
    assert.ok(second.start >= first.end, `the second run started before the first ended: ${JSON.stringify(runs)}`);
  });
});

/** SIGKILL to every process of group `pgid`, then waits (a hang guard of 30 s) until none is left. */
async function endProcessGroup(pgid: number): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false; // ESRCH: no process is left in the group
    }
  };
  if (!alive()) return;
  process.kill(-pgid, 'SIGKILL');
  for (let waited = 0; alive() && waited < 30_000; waited += 50) await sleep(50);
}
