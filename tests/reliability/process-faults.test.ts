import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createOrchestrator } from '../../orchestrator/index.js';
import { binPath, startBin, startProcess } from '../helpers/run-bin.js';
import { writeConfig } from '../helpers/target-backend.js';
import { COMPANY, FACILITY, startPipelineFixture, type PipelineFixture } from '../integration/orchestrator/fixture.js';
import { captureOutputs } from '../helpers/captured-output.js';

captureOutputs();

/** Direct children of a process (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.trim() === '' ? [] : text.trim().split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('reliability: processes under faults (issue 15 items 5, 10, 12; real processes, simulator, PostgreSQL)', function () {
  this.timeout(120_000);
  let fx: PipelineFixture;

  before(async function () {
    // Enough allocation rows that the tap writes far more than a pipe holds (64 KB) while the target is gone.
    fx = await startPipelineFixture(this, 'rel_proc', { rows: { order_hdr: 40, order_dtl: 80, allocation: 20_000 } });
  });
  after(async () => fx?.close());

  it('tap | a reader that closes its stdin: exit 141 with its own message, not "Internal failure: write EPIPE"', async () => {
    const config = await writeConfig({
      base_url: fx.sim.baseUrl,
      username: 'demo',
      password: 'demo',
      entities: ['allocation'],
      enable_incremental: false,
      page_size: 1000,
    });
    const tap = startProcess(process.execPath, [binPath('tap-oracle-wms'), '--config', config]);
    await tap.waitForLine('stdout', /"type":"RECORD"/);
    tap.subprocess.stdout?.destroy();
    const result = await tap.result;
    assert.equal(result.exitCode, 141, result.stderr);
    assert.match(result.stderr, /CRITICAL stdout was closed by the process reading it/);
    assert.doesNotMatch(result.stderr, /Internal failure|EPIPE/);
  });

  it('a target that dies at start stops the tap at once: the target error and exit class, within seconds', async () => {
    const orchestrator = createOrchestrator(
      fx.settings({
        entities: ['allocation'],
        target_database: 'no_such_database_reliab',
        run_timeout_seconds: 300,
        consistency_check: false,
      }),
    );
    const started = Date.now();
    const result = await orchestrator.executeFullSync(COMPANY, FACILITY);
    const seconds = (Date.now() - started) / 1000;
    orchestrator.close();
    assert.equal(result.success, false);
    assert.equal(result.data.exitCode, 5, result.error);
    assert.match(result.error ?? '', /^target-oracle exited with code 5 \(database\): Cannot connect to PostgreSQL/);
    assert.ok(seconds < 30, `took ${seconds} s`);
  });

  it('wms-pipeline killed with SIGKILL: tap and target stop by themselves, no config with a password stays behind', async () => {
    const tmp = path.join(fx.dir, 'tmp');
    await mkdir(tmp);
    const configFile = path.join(fx.dir, 'kill9.json');
    // Slow answers keep the tap waiting on HTTP, where it would not notice a broken pipe for 30 s.
    fx.sim.admin.updateSettings({ latencyMs: 30_000 });
    await writeFile(
      configFile,
      JSON.stringify(
        fx.settings({ entities: ['allocation'], consistency_check: false, target_password: fx.pg.password }),
      ),
      { mode: 0o600 },
    );
    const pipeline = startBin(
      'wms-pipeline',
      ['full', '--company', COMPANY, '--facility', FACILITY, '--config', configFile],
      {
        env: { TMPDIR: tmp },
      },
    );
    const pid = pipeline.subprocess.pid!;
    const children = await waitFor(
      'tap and target',
      async () => {
        const found = await childrenOf(pid);
        return found.length >= 2 ? found : undefined;
      },
      20_000,
    );
    process.kill(pid, 'SIGKILL');
    await pipeline.result;
    try {
      await waitFor('the children to exit', () => (children.some(isAlive) ? undefined : true), 10_000);
    } finally {
      fx.sim.admin.updateSettings({ latencyMs: 0 });
      for (const child of children.filter(isAlive)) process.kill(child, 'SIGKILL');
    }
    const left = await readdir(tmp);
    for (const name of left) {
      const text = await readFile(path.join(tmp, name), 'utf8').catch(() => '');
      assert.ok(!text.includes(fx.pg.password), `${name} holds the password`);
    }
    assert.deepEqual(left, []);
  });
});
