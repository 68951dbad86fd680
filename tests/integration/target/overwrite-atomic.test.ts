import assert from 'node:assert/strict';
import pg from 'pg';
import { OracleError, rulesProcessEnv, type BackendEvent } from '../../helpers/oracle-rules/index.js';
import { pgConfigFromEnv } from '../../helpers/postgres.js';
import { startRulesTarget, singerLines, type RulesTarget } from '../../helpers/rules-target.js';
import { openBackend, runTarget, startTarget, states, type TargetBackend } from '../../helpers/target-backend.js';

/**
 * load_method overwrite is atomic (issue 13 defect 7): the run loads a shadow table and swaps it in at its end in one
 * transaction, so readers see the old rows until then, a failure mid-load leaves them intact, and a crash between
 * the shadow load and the swap leaves them intact too; the rerun replaces them exactly.
 */
const STREAM = 'ovw';
const schema = {
  type: 'SCHEMA',
  stream: STREAM,
  schema: { type: 'object', properties: { id: { type: 'integer' }, v: { type: ['string', 'null'], maxLength: 10 } } },
  key_properties: ['id'],
};
const record = (id: number, v: string) => ({ type: 'RECORD', stream: STREAM, record: { id, v } });
const state = (n: number) => ({ type: 'STATE', value: { bookmarks: { [STREAM]: { run: n } } } });
const OLD = singerLines(schema, record(1, 'old'), record(2, 'old'), record(3, 'old'), state(1));
const NEW = singerLines(schema, record(10, 'new'), record(11, 'new'), record(12, 'new'), record(13, 'new'), state(2));
const oldRows = [
  ['1', 'old'],
  ['2', 'old'],
  ['3', 'old'],
];
const newRows = [
  ['10', 'new'],
  ['11', 'new'],
  ['12', 'new'],
  ['13', 'new'],
];
const overwrite = { load_method: 'overwrite', batch_size_rows: 2, max_batch_age_seconds: 600 };

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('target-oracle overwrite is atomic (postgres: real PostgreSQL 15, real target processes)', function () {
  this.timeout(90_000);
  let db: TargetBackend;
  let n = 0;
  let config: Record<string, unknown>;
  before(async function () {
    db = await openBackend(this, 'postgres', 'ovwatomic');
  });
  beforeEach(async () => {
    n += 1;
    config = { ...db.config, table_prefix: `${String(db.config.table_prefix)}c${n}`, ...overwrite };
    const first = await runTarget(config, OLD);
    assert.equal(first.exitCode, 0, first.stderr);
  });
  after(async () => db?.close());

  const stream = () => `c${n}${STREAM}`;
  const rows = async () => (await db.rows(stream(), 'id')).map((r) => [r.id, r.v]);
  const shadowExists = async () =>
    (
      await db.query("SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE '%$ovw'", [
        db.table(stream()).split('.')[0].replaceAll('"', ''),
      ])
    ).length > 0;

  it('a failure mid-load (second batch refused by the database) leaves the old rows intact; the rerun replaces them', async () => {
    // Fails before: the first flush deleted the old rows and committed, so the table held the first batch only.
    const bad = singerLines(schema, record(10, 'new'), record(11, 'new'), record(12, 'far too long for ten'), state(2));
    const failed = await runTarget({ ...config, validate_records: false }, bad);
    assert.equal(failed.exitCode, 5, failed.stderr);
    assert.deepEqual(states(failed), []);
    assert.deepEqual(await rows(), oldRows);
    const rerun = await runTarget(config, NEW);
    assert.equal(rerun.exitCode, 0, rerun.stderr);
    assert.deepEqual(states(rerun), [state(2).value]);
    assert.deepEqual(await rows(), newRows);
    assert.equal(await shadowExists(), false, 'the shadow table is dropped after the swap');
  });

  it('readers never see a partial table: after a batch committed mid-run the table still holds the old rows', async () => {
    // Fails before: the table held only the first batch of the run once its flush committed.
    const target = await startTarget(config);
    target.subprocess.stdin!.write(singerLines(schema, record(10, 'new'), record(11, 'new')));
    await target.waitForLine('stderr', /batch_processing_time/);
    assert.deepEqual(await rows(), oldRows);
    target.subprocess.stdin!.end(singerLines(record(12, 'new'), record(13, 'new'), state(2)));
    const result = await target.result;
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(states(result), [state(2).value], 'the state only after the swap');
    assert.deepEqual(await rows(), newRows);
  });

  it('a crash between the shadow load and the swap (backend terminated in the swap) leaves the old rows; the rerun converges', async () => {
    const locker = new pg.Client(pgConfigFromEnv());
    const admin = new pg.Client(pgConfigFromEnv());
    await locker.connect();
    await admin.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${db.table(stream())} IN ACCESS EXCLUSIVE MODE`);
      const target = await startTarget(config, { input: NEW });
      let pid = 0;
      await until('the swap to wait for the lock', async () => {
        const found = await admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query = $1",
          [`TRUNCATE TABLE ${db.table(stream())}`],
        );
        pid = found.rows[0]?.pid ?? 0;
        return pid !== 0;
      });
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await locker.query('ROLLBACK');
      const crashed = await target.result;
      assert.equal(crashed.exitCode, 5, crashed.stderr);
      assert.match(crashed.stderr, /replacing the rows of table .* for stream 'ovw' \(overwrite\)/);
      assert.deepEqual(states(crashed), []);
    } finally {
      await locker.end();
      await admin.end();
    }
    assert.deepEqual(await rows(), oldRows);
    assert.equal(await shadowExists(), true, 'the loaded shadow was left behind');
    const rerun = await runTarget(config, NEW);
    assert.equal(rerun.exitCode, 0, rerun.stderr);
    assert.deepEqual(await rows(), newRows);
    assert.equal(await shadowExists(), false);
  });
});

describe('target-oracle overwrite is atomic (oracle: rules session, real target processes)', function () {
  this.timeout(60_000);
  let oracle: RulesTarget;
  beforeEach(async () => {
    oracle = await startRulesTarget();
    const first = await oracle.run(OLD, overwrite);
    assert.equal(first.exitCode, 0, first.stderr);
  });
  afterEach(async () => oracle.close());

  const rows = async () =>
    (await oracle.query('SELECT "ID", "V" FROM "OVW" ORDER BY "ID"')).map((r) => [String(r.ID), r.V]);
  const shadows = async () => oracle.query("SELECT table_name FROM user_tables WHERE table_name LIKE 'OVW$OVW%'");
  const intoShadow = (e: BackendEvent) => e.kind === 'executeMany' && (e.sql ?? '').includes('"OVW$OVW"');

  it('a failure mid-load leaves the old rows intact; the rerun replaces them', async () => {
    let loads = 0;
    oracle.backend.hooks.push({
      before: (event) => {
        if (intoShadow(event) && ++loads === 2) throw new OracleError('ORA-01653', 'unable to extend table');
      },
    });
    const failed = await oracle.run(NEW, overwrite);
    assert.equal(failed.exitCode, 5, failed.stderr);
    assert.deepEqual(failed.states, []);
    assert.deepEqual(await rows(), oldRows);
    oracle.backend.hooks.length = 0;
    const rerun = await oracle.run(NEW, overwrite);
    assert.equal(rerun.exitCode, 0, rerun.stderr);
    assert.deepEqual(rerun.states, [state(2).value]);
    assert.deepEqual(await rows(), newRows);
    assert.deepEqual(await shadows(), [], 'the shadow and its staging table are dropped');
  });

  it('readers never see a partial table: after a batch committed mid-run the table still holds the old rows', async () => {
    const target = await startTarget({ ...oracle.config, ...overwrite }, { env: rulesProcessEnv() });
    target.subprocess.stdin!.write(singerLines(schema, record(10, 'new'), record(11, 'new')));
    await target.waitForLine('stderr', /batch_processing_time/);
    assert.deepEqual(await rows(), oldRows);
    target.subprocess.stdin!.end(singerLines(record(12, 'new'), record(13, 'new'), state(2)));
    const result = await target.result;
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(states(result), [state(2).value]);
    assert.deepEqual(await rows(), newRows);
  });

  it('a crash between the shadow load and the swap (connection lost at its DELETE) leaves the old rows; the rerun converges', async () => {
    oracle.backend.hooks.push({
      before: (event) => {
        if (event.kind === 'execute' && event.sql === 'DELETE FROM "OVW"') oracle.backend.kill(event.session);
      },
    });
    const crashed = await oracle.run(NEW, overwrite);
    assert.equal(crashed.exitCode, 5, crashed.stderr);
    assert.deepEqual(crashed.states, []);
    assert.deepEqual(await rows(), oldRows);
    oracle.backend.hooks.length = 0;
    const rerun = await oracle.run(NEW, overwrite);
    assert.equal(rerun.exitCode, 0, rerun.stderr);
    assert.deepEqual(await rows(), newRows);
    assert.deepEqual(await shadows(), []);
  });
});
