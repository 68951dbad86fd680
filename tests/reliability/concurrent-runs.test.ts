import assert from 'node:assert/strict';
import { startRulesTarget, singerLines, type RulesTarget } from '../helpers/rules-target.js';
import type { RunningProcess } from '../helpers/run-bin.js';
import { rulesProcessEnv } from '../helpers/oracle-rules/index.js';
import { openBackend, runTarget, startTarget, type TargetBackend } from '../helpers/target-backend.js';
import { assertReadmeRows } from './campaign-table.js';
import { captureOutputs } from '../helpers/captured-output.js';

captureOutputs();

/**
 * Issue 15 item 11: two runs of the same job at once. Real target processes, fed by hand so their commits interleave
 * in a chosen order: a STATE line is sent after each step, and the step is done when the target emits it (a target
 * emits a state only after the commit that covers it).
 */
const STREAM = 'overlap';
const SCHEMA = {
  type: 'SCHEMA',
  stream: STREAM,
  schema: { type: 'object', properties: { id: { type: 'integer' }, v: { type: 'string' } } },
  key_properties: ['id'],
};

function records(version: number, from: number, to: number, label: string): object[] {
  const out: object[] = [];
  for (let id = from; id <= to; id += 1)
    out.push({ type: 'RECORD', stream: STREAM, record: { id, v: `${label}${id}` }, version });
  return out;
}

const activate = (version: number): object => ({ type: 'ACTIVATE_VERSION', stream: STREAM, version });

/** A flush as soon as a step's rows are in (the test waits for the state a commit releases, never for time). */
const PROMPT = { max_batch_age_seconds: 0.05 };

/** A target run fed step by step. */
class FedRun {
  #step = 0;
  constructor(
    readonly name: string,
    readonly process: RunningProcess,
  ) {}

  /** Writes `messages` and a STATE, and waits until the target has committed them (it emits that STATE). */
  async step(...messages: object[]): Promise<void> {
    const mark = `${this.name}-${(this.#step += 1)}`;
    this.process.subprocess.stdin!.write(singerLines(...messages, { type: 'STATE', value: { mark } }));
    await this.process.waitForLine('stdout', new RegExp(`"mark":"${mark}"`), 30_000);
  }

  /** Writes the last messages, closes stdin and waits for the exit. */
  async end(...messages: object[]): Promise<Awaited<RunningProcess['result']>> {
    this.process.subprocess.stdin!.end(singerLines(...messages));
    return this.process.result;
  }
}

/**
 * The cases whose final table was checked, for the README row: rows of ids 1–10 (all live in the source) that ended
 * missing or marked deleted (lost), and ids held more than once (duplicated).
 */
const checked: { system: string; lost: number; duplicated: number }[] = [];
function count(system: string, rows: { id: number; deleted: boolean }[]): void {
  const live = new Set(rows.filter((row) => !row.deleted).map((row) => row.id));
  const lost = Array.from({ length: 10 }, (_, i) => i + 1).filter((id) => !live.has(id)).length;
  checked.push({ system, lost, duplicated: rows.length - new Set(rows.map((row) => row.id)).size });
}

async function fed(name: string, config: Record<string, unknown>, env?: NodeJS.ProcessEnv): Promise<FedRun> {
  return new FedRun(name, await startTarget({ ...config, ...PROMPT }, env ? { env } : {}));
}

/**
 * The interleaving the campaign found: full sync A (older version) loads ids 1–5, full sync B (newer) loads 1–10,
 * A loads 6–10 and activates its version, B activates its version. Without care B's activation retires 6–10: A wrote
 * them last, with A's older version, yet they are live.
 */
async function interleave(config: Record<string, unknown>, env?: NodeJS.ProcessEnv): Promise<number[]> {
  const [va, vb] = [1_700_000_000_000, 1_700_000_100_000];
  const a = await fed('a', config, env);
  await a.step(SCHEMA, activate(va), ...records(va, 1, 5, 'a'));
  const b = await fed('b', config, env);
  await b.step(SCHEMA, activate(vb), ...records(vb, 1, 10, 'b'));
  await a.step(...records(va, 6, 10, 'a'));
  const first = await a.end(activate(va));
  const second = await b.end(activate(vb));
  return [first.exitCode ?? -1, second.exitCode ?? -1];
}

describe('reliability: two runs of one job at once (issue 15 item 11; real target processes)', function () {
  this.timeout(120_000);

  describe('PostgreSQL', () => {
    let backend: TargetBackend;
    let config: Record<string, unknown>;
    before(async function () {
      backend = await openBackend(this, 'postgres', 'overlap');
      config = { ...backend.config, add_record_metadata: true, batch_size_rows: 1000 };
    });
    after(async () => backend?.close());
    beforeEach(async () => {
      await backend.query(`DROP TABLE IF EXISTS ${backend.table(STREAM)}`);
    });

    async function live(): Promise<{ live: number[]; deleted: number[] }> {
      const rows = await backend.rows(STREAM, 'id');
      return {
        live: rows.filter((r) => r._sdc_deleted_at === null).map((r) => Number(r.id)),
        deleted: rows.filter((r) => r._sdc_deleted_at !== null).map((r) => Number(r.id)),
      };
    }
    async function countRows(): Promise<void> {
      const rows = await backend.rows(STREAM, 'id');
      count(
        'PostgreSQL',
        rows.map((r) => ({ id: Number(r.id), deleted: r._sdc_deleted_at !== null })),
      );
    }

    it('the second run of a job exits 75 naming its lock, before loading anything; the first loads every row live', async () => {
      const job = { ...config, run_lock_key: 'wms-pipeline:allocation-full:ACME:DC01' };
      const a = await fed('a', job);
      await a.step(SCHEMA, activate(1000), ...records(1000, 1, 5, 'a'));
      const second = await runTarget(
        job,
        singerLines(SCHEMA, activate(2000), ...records(2000, 1, 10, 'b'), activate(2000)),
      );
      assert.equal(second.exitCode, 75, second.stderr);
      assert.match(
        second.stderr,
        /Another run holds the run lock 'wms-pipeline:allocation-full:ACME:DC01' in the target database/,
      );
      assert.match(second.stderr, /"exit_class":"busy"/);
      // Nothing of the second run was written.
      assert.deepEqual((await live()).live, [1, 2, 3, 4, 5]);
      assert.equal((await a.end(...records(1000, 6, 10, 'a'), activate(1000))).exitCode, 0);
      await countRows();
      assert.deepEqual(await live(), { live: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], deleted: [] });
      // Once the first run has ended, the job runs again.
      const third = await runTarget(
        job,
        singerLines(SCHEMA, activate(3000), ...records(3000, 1, 10, 'c'), activate(3000)),
      );
      assert.equal(third.exitCode, 0, third.stderr);
    });

    it('another job (another key) is not held up, and a run killed with SIGKILL leaves no lock behind', async () => {
      const a = await fed('a', { ...config, run_lock_key: 'job-one' });
      await a.step(SCHEMA, ...records(1, 1, 2, 'a'));
      const other = await runTarget(
        { ...config, run_lock_key: 'job-two' },
        singerLines(SCHEMA, ...records(1, 3, 3, 'o')),
      );
      assert.equal(other.exitCode, 0, other.stderr);
      a.process.subprocess.kill('SIGKILL');
      await a.process.result;
      // The server ends the killed run's session, and with it the lock (no timeout, no manual cleanup).
      const next = await runTarget(
        { ...config, run_lock_key: 'job-one' },
        singerLines(SCHEMA, ...records(2, 1, 2, 'n')),
      );
      assert.equal(next.exitCode, 0, next.stderr);
    });

    it('under Meltano the lock key defaults to the state id: two `meltano run`s of one job, the second exits 75', async () => {
      const env = { MELTANO_ENVIRONMENT: 'dev', MELTANO_EXTRACTOR_NAME: 'tap-x', MELTANO_LOADER_NAME: 'target-oracle' };
      const a = await fed('a', config, env);
      await a.step(SCHEMA, ...records(1, 1, 1, 'a'));
      const second = await runTarget(config, singerLines(SCHEMA, ...records(1, 2, 2, 'b')), { env });
      assert.equal(second.exitCode, 75, second.stderr);
      assert.match(second.stderr, /run lock 'dev:tap-x-to-target-oracle'/);
      assert.equal((await a.end()).exitCode, 0);
    });

    it('overlapping full syncs without a lock (run_lock off): an older version never retires rows a newer one wrote', async () => {
      const codes = await interleave({ ...config, run_lock: false });
      assert.deepEqual(codes, [0, 0]);
      await countRows();
      assert.deepEqual(await live(), { live: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], deleted: [] });
    });
  });

  describe('Oracle (rules session)', () => {
    let rules: RulesTarget;
    beforeEach(async () => {
      rules = await startRulesTarget();
    });
    afterEach(async () => rules?.close());

    it('rules session: the second run of a job exits 75 (SELECT … FOR UPDATE NOWAIT on SDC_RUN_LOCKS, ORA-00054)', async () => {
      const job = {
        ...rules.config,
        ...PROMPT,
        add_record_metadata: true,
        run_lock_key: 'wms-pipeline:item-full:ACME:DC01',
      };
      const a = await fed('a', job, rulesProcessEnv());
      await a.step(SCHEMA, activate(1000), ...records(1000, 1, 5, 'a'));
      const second = await rules.run(
        singerLines(SCHEMA, activate(2000), ...records(2000, 1, 10, 'b'), activate(2000)),
        job,
      );
      assert.equal(second.exitCode, 75, second.stderr);
      assert.match(second.stderr, /Another run holds the run lock 'wms-pipeline:item-full:ACME:DC01'/);
      assert.equal((await a.end(...records(1000, 6, 10, 'a'), activate(1000))).exitCode, 0);
      const rows = await rules.query('SELECT "ID", "_SDC_DELETED_AT" FROM "OVERLAP" ORDER BY "ID"');
      count(
        'Oracle rules session',
        rows.map((r) => ({ id: Number(r.ID), deleted: r._SDC_DELETED_AT !== null })),
      );
      assert.deepEqual(
        rows.map((r) => [Number(r.ID), r._SDC_DELETED_AT]),
        Array.from({ length: 10 }, (_, i) => [i + 1, null]),
      );
      assert.deepEqual(await rules.query('SELECT "LOCK_KEY" FROM "SDC_RUN_LOCKS"'), [
        { LOCK_KEY: 'wms-pipeline:item-full:ACME:DC01' },
      ]);
      const third = await rules.run(singerLines(SCHEMA, ...records(3000, 1, 1, 'c')), job);
      assert.equal(third.exitCode, 0, third.stderr);
    });

    it('rules session: overlapping full syncs without a lock: the MERGE keeps the newer version, nothing live retired', async () => {
      const codes = await interleave(
        { ...rules.config, add_record_metadata: true, run_lock: false },
        rulesProcessEnv(),
      );
      assert.deepEqual(codes, [0, 0]);
      const rows = await rules.query('SELECT "ID", "_SDC_DELETED_AT" FROM "OVERLAP" ORDER BY "ID"');
      count(
        'Oracle rules session',
        rows.map((r) => ({ id: Number(r.ID), deleted: r._SDC_DELETED_AT !== null })),
      );
      assert.deepEqual(
        rows.map((r) => [Number(r.ID), r._SDC_DELETED_AT]),
        Array.from({ length: 10 }, (_, i) => [i + 1, null]),
      );
    });
  });
});

describe('reliability: two runs of one job at once, the README row', () => {
  it('the README Reliability table says what was tried and what the tables held', function () {
    // Filtered (--grep) or failed cases would make the figures partial: their own failures say why.
    const here = this.test!;
    const cases = here.parent!.parent!.suites.filter((suite) => suite.file === here.file && suite !== here.parent);
    const tests = cases.flatMap((suite) => [...suite.tests, ...suite.suites.flatMap((inner) => inner.tests)]);
    if (tests.some((test) => test.state !== 'passed')) this.skip();
    const of = (system: string) => checked.filter((c) => c.system === system).length;
    assertReadmeRows([
      {
        category: 'two runs of one job at once',
        tried: `${tests.length} cases, real target processes fed step by step so their commits interleave: the second run of a locked job, another job's key, a run killed with SIGKILL holding the lock, the lock key under Meltano, and overlapping full syncs with the lock off (the older run writes rows last, the newer activates last); ${checked.length} final tables checked (PostgreSQL ${of('PostgreSQL')}, Oracle rules session ${of('Oracle rules session')})`,
        happened:
          'the second run exits 75 naming the lock before loading anything; other keys are not held up; a killed run leaves no lock; overlapping full syncs both exit 0 and every row stays live (an upsert never lowers a row version)',
        lost: checked.reduce((n, c) => n + c.lost, 0),
        duplicated: checked.reduce((n, c) => n + c.duplicated, 0),
      },
    ]);
  });
});
