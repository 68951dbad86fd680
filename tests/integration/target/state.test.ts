import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BACKENDS,
  systemOf,
  openBackend,
  runTarget,
  startTarget,
  states,
  type TargetBackend,
} from '../../helpers/target-backend.js';

const SCHEMA = {
  type: 'SCHEMA',
  stream: 'test_state',
  schema: { type: 'object', properties: { id: { type: 'integer' }, v: { type: 'string' } } },
  key_properties: ['id'],
};
const rec = (id: number, v = `v${id}`) => ({ type: 'RECORD', stream: 'test_state', record: { id, v } });
const state = (n: number) => ({ type: 'STATE', value: { bookmarks: { test_state: { replication_key_value: n } } } });
const lines = (...messages: object[]) => messages.map((m) => `${JSON.stringify(m)}\n`).join('');

/** State semantics with the real target process and a real database: failures, reruns, SIGTERM, age flushes. */
for (const dialect of BACKENDS) {
  describe(`target-oracle state and recovery (${systemOf(dialect)}; real target process)`, function () {
    this.timeout(60_000);
    let db: TargetBackend;
    before(async function () {
      db = await openBackend(this, dialect, 'st');
    });
    after(async () => db?.close());

    it('a failure injected mid-flush rolls the batch back, emits no STATE for it; a rerun from the last STATE converges exactly', async () => {
      const config = { ...db.config, batch_size_rows: 2 };
      assert.equal((await runTarget(config, lines(SCHEMA, rec(1)))).exitCode, 0);
      // The database refuses the marker row: the second batch fails inside the flush.
      await db.query(
        `ALTER TABLE ${db.table('test_state')} ADD CONSTRAINT boom_check CHECK (${db.column('v')} <> 'BOOM')`,
      );

      const failed = await runTarget(
        config,
        lines(SCHEMA, rec(2), rec(3), state(3), rec(4), rec(5, 'BOOM'), state(5), rec(6), state(6)),
      );
      assert.equal(failed.exitCode, 5, failed.stderr);
      assert.deepEqual(states(failed), [state(3).value], 'only the state whose records were committed');
      assert.match(
        failed.stderr,
        /CRITICAL Database failure loading stream 'test_state' into table .*test_state.*the batch was rolled back/i,
      );
      // Whole words: a random schema name may hold 'v4'.
      assert.doesNotMatch(failed.stderr, /INFO .*\bBOOM\b|\bv4\b/, 'no values in logs');
      assert.deepEqual(
        (await db.rows('test_state', 'id')).map((r) => r.id),
        ['1', '2', '3'],
        'nothing of the failed batch committed',
      );

      // Fix the cause; the tap resumes from the last emitted state and resends what followed it.
      await db.query(`ALTER TABLE ${db.table('test_state')} DROP CONSTRAINT boom_check`);
      const rerun = await runTarget(config, lines(SCHEMA, rec(4), rec(5, 'BOOM'), state(5), rec(6), state(6)));
      assert.equal(rerun.exitCode, 0, rerun.stderr);
      assert.deepEqual(states(rerun).at(-1), state(6).value);
      assert.deepEqual(
        (await db.rows('test_state', 'id')).map((r) => [r.id, r.v]),
        [
          ['1', 'v1'],
          ['2', 'v2'],
          ['3', 'v3'],
          ['4', 'v4'],
          ['5', 'BOOM'],
          ['6', 'v6'],
        ],
      );
    });

    it('SIGTERM mid-stream commits what is buffered, emits its STATE, exits 130', async () => {
      const config = {
        ...db.config,
        table_prefix: `${String(db.config.table_prefix)}sig`,
        batch_size_rows: 1000,
        max_batch_age_seconds: 600,
      };
      const target = await startTarget(config);
      target.subprocess.stdin!.write(lines(SCHEMA));
      await target.waitForLine('stderr', /Loading stream 'test_state'/);
      target.subprocess.stdin!.write(lines(rec(1), rec(2), rec(3), state(3), rec(4)));
      await sleep(500);
      const result = await target.stop('SIGTERM');
      assert.equal(result.exitCode, 130, result.stderr);
      assert.deepEqual(states(result), [state(3).value]);
      assert.equal(
        (await db.rows('sigtest_state', 'id')).length,
        4,
        'buffered rows committed, including those after the last STATE',
      );
    });

    it('a flush blocked by another session does not stop reading: SIGTERM then commits both batches and writes the last state', async () => {
      const config = {
        ...db.config,
        table_prefix: `${String(db.config.table_prefix)}lck`,
        batch_size_rows: 2,
        max_batch_age_seconds: 600,
      };
      const target = await startTarget(config);
      target.subprocess.stdin!.write(lines(SCHEMA));
      await target.waitForLine('stderr', /Loading stream 'test_state'/);
      const table = db.table('lcktest_state');
      if (dialect === 'postgres') await db.query('BEGIN');
      await db.query(`LOCK TABLE ${table} IN ${dialect === 'postgres' ? 'ACCESS ' : ''}EXCLUSIVE MODE`);
      try {
        // [1, 2] is a full batch: its flush waits for the lock while 3 and the states behind it are read.
        target.subprocess.stdin!.write(lines(rec(1), rec(2), state(2), rec(3), state(3)));
        if (dialect === 'postgres') {
          for (let waited = 0; ; waited += 50) {
            // This transaction would otherwise keep reading its first snapshot of pg_stat_activity.
            await db.query('SELECT pg_stat_clear_snapshot()');
            const blocked = await db.query(
              "SELECT 1 FROM pg_stat_activity WHERE application_name = 'target-oracle' AND wait_event_type = 'Lock' AND query LIKE $1",
              [`%${table}%`],
            );
            if (blocked.length > 0) break;
            if (waited > 10_000) throw new Error('the flush never waited for the lock');
            await sleep(50);
          }
        }
        await sleep(500);
        await assert.rejects(
          target.waitForLine('stdout', /bookmarks/, 200),
          /no stdout line matched/,
          'no state before its commit',
        );
        target.subprocess.kill('SIGTERM');
        await sleep(200);
      } finally {
        await db.query('COMMIT');
      }
      const result = await target.result;
      assert.equal(result.exitCode, 130, result.stderr);
      assert.deepEqual(states(result), [state(2).value, state(3).value]);
      assert.deepEqual(
        (await db.rows('lcktest_state', 'id')).map((r) => r.id),
        ['1', '2', '3'],
        'the record read during the blocked flush was committed too',
      );
    });

    it('max_batch_age_seconds flushes and releases state while the input is idle', async () => {
      const config = {
        ...db.config,
        table_prefix: `${String(db.config.table_prefix)}age`,
        batch_size_rows: 1000,
        max_batch_age_seconds: 0.5,
      };
      const target = await startTarget(config);
      target.subprocess.stdin!.write(lines(SCHEMA, rec(1), state(1), rec(2)));
      const line = await target.waitForLine('stdout', /bookmarks/, 10_000);
      assert.deepEqual(JSON.parse(line), state(1).value);
      assert.equal((await db.rows('agetest_state', 'id')).length, 2);
      target.subprocess.stdin!.end();
      const result = await target.result;
      assert.equal(result.exitCode, 0);
      assert.match(result.stderr, /"reason":"max_batch_age"/);
    });
  });
}
