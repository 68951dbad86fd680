import assert from 'node:assert/strict';
import pg from 'pg';
import { captureOutputs } from '../helpers/captured-output.js';
import { withClient } from '../helpers/postgres.js';
import { pgBinDir, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { singerLines } from '../helpers/rules-target.js';
import type { ProcessResult } from '../helpers/run-bin.js';
import { runTarget, startTarget, states } from '../helpers/target-backend.js';
import { assertReadmeRows } from './campaign-table.js';

captureOutputs();

/**
 * A real PostgreSQL server restart under the real target (issue 15 item 8): `pg_ctl restart -m fast` of a server of
 * this test's own (never the shared test server), mid-flush (the flush waits on a table lock when the server goes
 * down) and while the target is idle between flushes. Each run ends with a CRITICAL line naming the stream and exit 5
 * (retriable), no stack trace; the rerun against the restarted server loads exactly what an uninterrupted run loads.
 */
const STREAM = 'restarted';
const schema = {
  type: 'SCHEMA',
  stream: STREAM,
  schema: { type: 'object', properties: { id: { type: 'integer' }, v: { type: 'string' } } },
  key_properties: ['id'],
};
const record = (id: number) => ({ type: 'RECORD', stream: STREAM, record: { id, v: `value ${id}` } });
const state = (n: number) => ({ type: 'STATE', value: { bookmarks: { [STREAM]: { upto: n } } } });
const records = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => record(from + i)) as object[];
const FULL = singerLines(schema, ...records(1, 20), state(20));
const expected = Array.from({ length: 20 }, (_, i) => [String(i + 1), `value ${i + 1}`]);

/** Waits until `check` holds, asking again each time the last answer came back (bounded). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function assertRetriableFailure(result: ProcessResult, password: string): void {
  assert.equal(result.exitCode, 5, result.stderr);
  const critical = result.stderr.split('\n').filter((line) => line.startsWith('CRITICAL'));
  assert.ok(
    critical.some((line) => new RegExp(`streams? [^"]*'${STREAM}'`).test(line)),
    `a CRITICAL line names the stream:\n${result.stderr}`,
  );
  assert.match(critical.at(-1) ?? '', /"exit_code":5,"exit_class":"database","retriable":true/);
  assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(result.stderr, /Unhandled 'error' event|Internal failure/);
  assert.doesNotMatch(result.stderr, /value \d+/, 'no record values');
  assert.ok(!result.stderr.includes(password), 'no password');
}

const restarts =
  describe('reliability: a PostgreSQL server restart under the real target (a private server, pg_ctl restart)', function () {
    this.timeout(180_000);
    let server: PrivatePostgres;
    /** Rows the reruns lost (missing or changed) and duplicated (twice, or never sent), for the README row. */
    let lost = 0;
    let duplicated = 0;

    before(async function () {
      const bin = pgBinDir();
      if ('missing' in bin) {
        if (process.env.CI) throw new Error(`${bin.missing} (CI does not skip)`);
        console.warn(`      skipped: ${bin.missing}`);
        this.skip();
      }
      server = await startPrivatePostgres(bin.dir);
    });
    after(async () => server?.close());

    const config = (schemaName: string, extra: Record<string, unknown> = {}) => ({
      dialect: 'postgres',
      ...server.config,
      default_target_schema: schemaName,
      ...extra,
    });
    const query = <T>(sql: string, params: unknown[] = []) =>
      withClient(async (c) => (await c.query(sql, params)).rows as T[], server.config);

    async function assertRerunConverges(schemaName: string): Promise<void> {
      const rerun = await runTarget(config(schemaName), FULL);
      assert.equal(rerun.exitCode, 0, rerun.stderr);
      assert.deepEqual(states(rerun), [state(20).value]);
      const rows = await query<{ id: string; v: string }>(
        `SELECT id::text AS id, v FROM ${schemaName}.${STREAM} src ORDER BY src.id`,
      );
      // Counted for the README row, then the rows must be exact.
      const got = rows.map((row) => JSON.stringify([row.id, row.v]));
      const want = new Set(expected.map((row) => JSON.stringify(row)));
      lost += [...want].filter((row) => !got.includes(row)).length;
      duplicated += got.length - new Set(got).size + got.filter((row) => !want.has(row)).length;
      assert.deepEqual(
        rows.map((row) => [row.id, row.v]),
        expected,
      );
    }

    it('restarted mid-flush (the flush waits on a lock): CRITICAL line naming the stream, exit 5; the rerun converges', async () => {
      const target = config('restart_mid');
      assert.equal((await runTarget(target, singerLines(schema))).exitCode, 0, 'table created');
      const locker = new pg.Client(server.config);
      // The restart ends this session too: its error is expected.
      locker.on('error', () => undefined);
      await locker.connect();
      let result: ProcessResult;
      try {
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE restart_mid.${STREAM} IN ACCESS EXCLUSIVE MODE`);
        const running = await startTarget(target, { input: FULL });
        await until('the flush to wait for the lock', async () => {
          const waiting = await query("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
          return waiting.length > 0;
        });
        await server.restart();
        result = await running.result;
      } finally {
        await locker.end().catch(() => undefined);
      }
      assertRetriableFailure(result, server.config.password);
      assert.deepEqual(states(result), [], 'no STATE without its commit');
      await assertRerunConverges('restart_mid');
    });

    it('restarted while the target is idle between flushes: the next flush fails with exit 5 naming the stream; the rerun converges', async () => {
      const running = await startTarget(config('restart_idle', { batch_size_rows: 10, max_batch_age_seconds: 600 }));
      running.subprocess.stdin!.write(singerLines(schema, ...records(1, 10), state(10)));
      await running.waitForLine('stdout', /bookmarks/, 60_000);
      await server.restart();
      running.subprocess.stdin!.end(singerLines(...records(11, 20), state(20)));
      const result = await running.result;
      assertRetriableFailure(result, server.config.password);
      assert.deepEqual(states(result), [state(10).value], 'the first flush committed; nothing after it');
      await assertRerunConverges('restart_idle');
    });

    it('the README Reliability table says what was tried', function () {
      if (restarts.tests.some((test) => test !== this.test && test.state !== 'passed')) this.skip();
      assertReadmeRows([
        {
          category: 'PostgreSQL server restart',
          tried: `${restarts.tests.length - 1} restarts (pg_ctl restart -m fast) of a private PostgreSQL server under the real target: mid-flush (the flush waiting on a table lock) and while idle between flushes`,
          happened:
            'a CRITICAL line naming the stream and exit 5 (retriable), no stack trace; the rerun against the restarted server loaded exactly the rows of an uninterrupted run (ids and values)',
          lost,
          duplicated,
        },
      ]);
    });
  });
