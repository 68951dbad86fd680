import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import {
  FakeOracledb,
  inProcessLink,
  RULES_PASSWORD,
  rulesConnectionConfig,
  RulesBackend,
  rulesProcessEnv,
  serveRules,
} from '../../helpers/oracle-rules/index.js';
import { requirePg, uniqueName, withClient, type PgConfig } from '../../helpers/postgres.js';
import type { ProcessResult } from '../../helpers/run-bin.js';
import { runTarget } from '../../helpers/target-backend.js';

/**
 * Parallel jobs into one database: eight real target processes create the same schema and table at the same moment.
 * Each race is forced, not hoped for: every target is held at its CREATE until all eight are there, then released.
 */
const WRITERS = 8;
const ROWS_PER_WRITER = 5;
const STREAM = 'alloc';

function input(writer: number): string {
  const lines: object[] = [
    {
      type: 'SCHEMA',
      stream: STREAM,
      schema: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          qty: { type: 'string', format: 'x-singer.decimal' },
          v: { type: 'string', maxLength: 20 },
        },
      },
      key_properties: ['id'],
    },
  ];
  for (let i = 1; i <= ROWS_PER_WRITER; i += 1) {
    const id = writer * 100 + i;
    lines.push({ type: 'RECORD', stream: STREAM, record: { id, qty: `${id}.5`, v: `w${writer}` } });
  }
  lines.push({ type: 'STATE', value: { writer, done: true } });
  return lines.map((m) => `${JSON.stringify(m)}\n`).join('');
}

function assertAllSucceeded(results: ProcessResult[]): void {
  for (const [writer, result] of results.entries()) {
    assert.equal(result.exitCode, 0, `writer ${writer}: ${result.stderr.slice(-2000)}`);
    assert.deepEqual(
      result.stdoutLines,
      [JSON.stringify({ writer, done: true })],
      `writer ${writer} committed its batch`,
    );
  }
}

/** Waits until `n` target sessions of this test wait on a lock (their CREATE behind the test's uncommitted one). */
async function untilBlocked(client: pg.Client, schema: string, n: number): Promise<void> {
  for (;;) {
    // Inside the test's transaction pg_stat_activity is a snapshot taken once: take a fresh one each time.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE application_name = 'target-oracle' AND wait_event_type = 'Lock' AND strpos(query, $1) > 0`,
      [schema],
    );
    if (rows[0].n >= n) return;
    await sleep(100);
  }
}

describe('8 target processes create one schema and table at once (postgres: real PostgreSQL 15, real target processes)', function () {
  this.timeout(180_000);
  let pgConfig: PgConfig;
  let schema: string;

  before(function () {
    pgConfig = requirePg(this);
  });

  afterEach(async () => {
    if (schema)
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS ${c.escapeIdentifier(schema)} CASCADE`), pgConfig);
  });

  const config = () => ({
    dialect: 'postgres',
    host: pgConfig.host,
    port: pgConfig.port,
    user: pgConfig.user,
    password: pgConfig.password,
    database: pgConfig.database,
    default_target_schema: schema,
  });

  async function race(hold: (client: pg.Client) => Promise<void>): Promise<ProcessResult[]> {
    return withClient(async (client) => {
      await client.query('BEGIN');
      await hold(client);
      const runs = Array.from({ length: WRITERS }, (_, writer) =>
        runTarget(config(), input(writer), { timeoutMs: 150_000 }),
      );
      await untilBlocked(client, schema, WRITERS);
      // All eight are waiting on the test's CREATE; committing it makes every one of them lose the race.
      await client.query('COMMIT');
      return Promise.all(runs);
    }, pgConfig);
  }

  async function loaded(): Promise<{ n: number; ids: number }> {
    return withClient(
      async (c) =>
        (
          await c.query<{ n: number; ids: number }>(
            `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM ${c.escapeIdentifier(schema)}.${STREAM}`,
          )
        ).rows[0],
      pgConfig,
    );
  }

  it('CREATE SCHEMA: every target loses the race to an uncommitted one (23505), re-reads, creates or finds the table, and loads its rows', async () => {
    schema = uniqueName('race_schema');
    const results = await race(async (client) => {
      await client.query(`CREATE SCHEMA ${client.escapeIdentifier(schema)}`);
    });
    assertAllSucceeded(results);
    assert.deepEqual(await loaded(), { n: WRITERS * ROWS_PER_WRITER, ids: WRITERS * ROWS_PER_WRITER });
  });

  it('CREATE TABLE and ADD COLUMN: every target loses to an uncommitted narrower table, then adds the missing columns once between them', async () => {
    schema = uniqueName('race_table');
    await withClient((c) => c.query(`CREATE SCHEMA ${c.escapeIdentifier(schema)}`), pgConfig);
    const results = await race(async (client) => {
      await client.query(`CREATE TABLE ${client.escapeIdentifier(schema)}.${STREAM} (id bigint)`);
    });
    assertAllSucceeded(results);
    assert.deepEqual(await loaded(), { n: WRITERS * ROWS_PER_WRITER, ids: WRITERS * ROWS_PER_WRITER });
    const columns = await withClient(
      async (c) =>
        (
          await c.query<{ column_name: string }>(
            'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
            [schema, STREAM],
          )
        ).rows.map((r) => r.column_name),
      pgConfig,
    );
    assert.deepEqual(columns, ['id', 'qty', 'v']);
  });
});

describe('8 target processes create one table at once (oracle rules session: real target processes)', function () {
  this.timeout(180_000);

  it('CREATE TABLE: the seven losers get ORA-00955, re-read the table the winner made, and load their rows', async () => {
    const backend = new RulesBackend();
    // Every target has read the dictionary (no table) and is at its CREATE before the first one runs.
    let arrived = 0;
    let releaseAll!: () => void;
    const released = new Promise<void>((resolve) => (releaseAll = resolve));
    const creates: string[] = [];
    backend.hooks.push({
      before: async (event) => {
        if (!/^\s*CREATE TABLE/i.test(event.sql ?? '')) return;
        creates.push(event.sql!);
        if (creates.length > WRITERS) return;
        arrived += 1;
        if (arrived === WRITERS) releaseAll();
        await released;
      },
    });
    const server = await serveRules(backend);
    try {
      const config = rulesConnectionConfig(server);
      const results = await Promise.all(
        Array.from({ length: WRITERS }, (_, writer) =>
          runTarget(config, input(writer), { timeoutMs: 150_000, env: rulesProcessEnv() }),
        ),
      );
      assertAllSucceeded(results);
      assert.equal(creates.length, WRITERS, 'each target tried to create the table once, and only once');
      const reader = await new FakeOracledb(inProcessLink(backend)).getConnection({
        user: 'test',
        password: RULES_PASSWORD,
        connectString: `${server.host}:${server.port}/FREEPDB1`,
      });
      const ids = await reader.execute('SELECT "ID" FROM "ALLOC" ORDER BY "ID"');
      await reader.close();
      const expected = Array.from({ length: WRITERS }, (_, w) =>
        Array.from({ length: ROWS_PER_WRITER }, (_, i) => [w * 100 + i + 1]),
      ).flat();
      assert.deepEqual(ids.rows, expected);
    } finally {
      await server.close();
    }
  });
});
