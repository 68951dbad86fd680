import assert from 'node:assert/strict';
import { execa } from 'execa';
import {
  FakeLob,
  FakeOracledb,
  inProcessLink,
  RULES_PASSWORD,
  RulesBackend,
  rulesProcessEnv,
  serveRules,
  type FakeConnection,
} from '../../helpers/oracle-rules/index.js';

const NLS = "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,' TIME_ZONE = '+00:00'";
const CONNECT = { user: 'test', password: RULES_PASSWORD, connectString: '127.0.0.1:1521/FREEPDB1' };

async function sessions(
  n: number,
): Promise<{ conns: FakeConnection[]; backend: RulesBackend; oracledb: FakeOracledb }> {
  const backend = new RulesBackend();
  const oracledb = new FakeOracledb(inProcessLink(backend));
  const conns: FakeConnection[] = [];
  for (let i = 0; i < n; i += 1) {
    const conn = await oracledb.getConnection(CONNECT);
    await conn.execute(NLS);
    conns.push(conn);
  }
  return { conns, backend, oracledb };
}

const code = (c: string) => (e: { code?: string; message: string }) => {
  assert.equal(e.code, c, e.message);
  return true;
};

/** What the model does besides the rules: transactions, locks, temporary tables, the driver's fetch types (rules session). */
describe('Oracle rules session: the database model (rules session)', () => {
  it('other sessions see only committed rows; ROLLBACK undoes; a failing statement is undone whole', async () => {
    const {
      conns: [a, b],
    } = await sessions(2);
    await a.execute('CREATE TABLE "T" ("ID" NUMBER PRIMARY KEY, "V" VARCHAR2(5))');
    await a.execute('INSERT INTO "T" VALUES (1, \'a\')');
    assert.deepEqual((await b.execute('SELECT COUNT(*) FROM "T"')).rows, [[0]]);
    await a.commit();
    assert.deepEqual((await b.execute('SELECT COUNT(*) FROM "T"')).rows, [[1]]);
    await a.execute('INSERT INTO "T" VALUES (2, \'b\')');
    await a.rollback();
    // Row 3 inserts, row 1 then violates the key: the whole statement is undone, earlier work stays.
    await a.execute('INSERT INTO "T" VALUES (4, \'d\')');
    await assert.rejects(
      a.executeMany('INSERT INTO "T" VALUES (TO_NUMBER(:1), :2)', [
        ['3', 'c'],
        ['1', 'x'],
      ]),
      code('ORA-00001'),
    );
    assert.deepEqual((await a.execute('SELECT "ID" FROM "T" ORDER BY "ID"')).rows, [[1], [3], [4]]);
  });

  it('DML waits for another transaction on the table; DDL fails at once (ORA-00054) or waits DDL_LOCK_TIMEOUT; a cycle is ORA-00060', async () => {
    const {
      conns: [a, b],
    } = await sessions(2);
    await a.execute('CREATE TABLE "T" ("ID" NUMBER)');
    await a.execute('CREATE TABLE "U" ("ID" NUMBER)');
    await a.execute('INSERT INTO "T" VALUES (1)');
    let done = false;
    const waiting = b.execute('INSERT INTO "T" VALUES (2)').then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(done, false, 'b waits for a');
    await a.commit();
    await waiting;
    await b.commit();
    await a.execute('LOCK TABLE "T" IN EXCLUSIVE MODE');
    await assert.rejects(b.execute('ALTER TABLE "T" ADD ("X" NUMBER)'), code('ORA-00054'));
    // With DDL_LOCK_TIMEOUT the DDL waits for the transaction instead.
    await b.execute('ALTER SESSION SET DDL_LOCK_TIMEOUT = 5');
    const ddl = b.execute('ALTER TABLE "T" ADD ("X" NUMBER)');
    await new Promise((r) => setTimeout(r, 20));
    await a.commit();
    await ddl;
    await a.execute('LOCK TABLE "T" IN EXCLUSIVE MODE');
    await b.execute('INSERT INTO "U" VALUES (1)');
    const bWaits = b.execute('INSERT INTO "T" ("ID") VALUES (3)');
    await assert.rejects(a.execute('INSERT INTO "U" VALUES (2)'), code('ORA-00060'));
    await a.rollback();
    await bWaits;
  });

  it('SELECT … FOR UPDATE NOWAIT: ORA-00054 while another transaction holds the table, free after its end; GREATEST is NULL with a NULL', async () => {
    const {
      conns: [a, b],
    } = await sessions(2);
    await a.execute('CREATE TABLE "L" ("K" VARCHAR2(10) PRIMARY KEY)');
    await a.execute('INSERT INTO "L" VALUES (\'x\')');
    await a.commit();
    assert.deepEqual((await a.execute('SELECT "K" FROM "L" WHERE "K" = :1 FOR UPDATE NOWAIT', ['x'])).rows, [['x']]);
    await assert.rejects(b.execute('SELECT "K" FROM "L" WHERE "K" = :1 FOR UPDATE NOWAIT', ['x']), code('ORA-00054'));
    // Others still read the committed rows.
    assert.deepEqual((await b.execute('SELECT COUNT(*) FROM "L"')).rows, [[1]]);
    await a.rollback();
    assert.deepEqual((await b.execute('SELECT "K" FROM "L" WHERE "K" = :1 FOR UPDATE NOWAIT', ['x'])).rows, [['x']]);
    await b.rollback();
    assert.deepEqual((await a.execute('SELECT GREATEST(1, 3, 2), GREATEST(1, NULL) FROM dual')).rows, [[3, null]]);
  });

  it('two sessions creating one table: the second gets ORA-00955', async () => {
    const {
      conns: [a, b],
    } = await sessions(2);
    await a.execute('CREATE TABLE "T" ("ID" NUMBER)');
    await assert.rejects(b.execute('CREATE TABLE "T" ("ID" NUMBER)'), code('ORA-00955'));
  });

  it('a global temporary table is private to its session and emptied at COMMIT (ON COMMIT DELETE ROWS)', async () => {
    const {
      conns: [a, b],
    } = await sessions(2);
    await a.execute('CREATE GLOBAL TEMPORARY TABLE "G" ("ID" NUMBER) ON COMMIT DELETE ROWS');
    await a.execute('INSERT INTO "G" VALUES (1)');
    assert.deepEqual((await b.execute('SELECT COUNT(*) FROM "G"')).rows, [[0]]);
    assert.deepEqual((await a.execute('SELECT COUNT(*) FROM "G"')).rows, [[1]]);
    await assert.rejects(b.execute('DROP TABLE "G" PURGE'), code('ORA-14452'));
    await a.commit();
    assert.deepEqual((await a.execute('SELECT COUNT(*) FROM "G"')).rows, [[0]]);
    await b.execute('DROP TABLE "G" PURGE');
  });

  it('a killed session fails every call with NJS-500 and its transaction is rolled back; a pool replaces it', async () => {
    const {
      conns: [a, b],
      backend,
      oracledb,
    } = await sessions(2);
    await a.execute('CREATE TABLE "T" ("ID" NUMBER)');
    await a.execute('INSERT INTO "T" VALUES (1)');
    backend.kill(a.sessionId);
    await assert.rejects(a.execute('SELECT 1 FROM dual'), code('NJS-500'));
    assert.equal(a.isHealthy(), false);
    assert.deepEqual((await b.execute('SELECT COUNT(*) FROM "T"')).rows, [[0]]);
    const pool = await oracledb.createPool({ ...CONNECT, poolMin: 1, poolMax: 1, poolPingInterval: 0 });
    const first = await pool.getConnection();
    await first.close();
    backend.kill(first.sessionId);
    const second = await pool.getConnection();
    assert.notEqual(second.sessionId, first.sessionId, 'the ping found the dead session and opened a new one');
    await second.execute('SELECT 1 FROM dual');
  });

  it('fetches as node-oracledb Thin does: NUMBER → number, TSTZ → Date (ms), CLOB → Lob, BOOLEAN cannot become a string (NJS-119)', async () => {
    const backend = new RulesBackend({ version: 23 });
    const oracledb = new FakeOracledb(inProcessLink(backend));
    const conn = await oracledb.getConnection(CONNECT);
    await conn.execute(NLS);
    await conn.execute('CREATE TABLE "T" ("N" NUMBER, "TS" TIMESTAMP(6) WITH TIME ZONE, "C" CLOB, "B" BOOLEAN)');
    await conn.execute(
      'INSERT INTO "T" VALUES (TO_NUMBER(:1), TO_TIMESTAMP_TZ(:2, \'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM\'), :3, TO_BOOLEAN(:4))',
      ['0.5', '2024-01-01T00:00:00.123456+02:00', '{"a":1}', 'true'],
    );
    const [row] = (await conn.execute('SELECT "N", "TS", "C", "B" FROM "T"')).rows as unknown[][];
    assert.equal(row[0], 0.5);
    assert.equal((row[1] as Date).toISOString(), '2023-12-31T22:00:00.123Z', 'microseconds are lost in a Date');
    assert.ok(row[2] instanceof FakeLob);
    assert.equal(row[3], true);
    const asString = { fetchTypeHandler: () => ({ type: oracledb.STRING }) };
    assert.deepEqual((await conn.execute('SELECT "N", "C" FROM "T"', [], asString)).rows, [['.5', '{"a":1}']]);
    await assert.rejects(conn.execute('SELECT "B" FROM "T"', [], asString), code('NJS-119'));
    await assert.rejects(conn.execute('SELECT "TS" FROM "T"', [], asString), code('RULES-NLS-NOT-SET'));
  });

  it('counts a round trip per call and per extra fetch of a long result (prefetchRows 2, fetchArraySize 100)', async () => {
    const {
      conns: [a],
      backend,
    } = await sessions(1);
    await a.execute('CREATE TABLE "T" ("ID" NUMBER)');
    await a.executeMany(
      'INSERT INTO "T" VALUES (TO_NUMBER(:1))',
      Array.from({ length: 250 }, (_, i) => [String(i)]),
    );
    const before = backend.stats.roundTrips;
    await a.execute('SELECT "ID" FROM "T" WHERE "ID" < 1');
    await a.execute('SELECT "ID" FROM "T"');
    await a.commit();
    assert.equal(backend.stats.roundTrips - before, 1 + (1 + 3) + 1);
  });

  it('serves target processes: a child process importing oracledb reaches the rules server; none listening is NJS-503', async function () {
    this.timeout(20_000);
    const backend = new RulesBackend();
    const server = await serveRules(backend);
    const script = `import oracledb from 'oracledb';
      const c = await oracledb.getConnection({ user: 'test', password: '${RULES_PASSWORD}', connectString: process.argv[1] });
      const r = await c.execute("SELECT SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') FROM dual");
      console.log(JSON.stringify(r.rows)); await c.close();`;
    try {
      const ok = await execa(
        process.execPath,
        ['--input-type=module', '-e', script, `${server.host}:${server.port}/FREEPDB1`],
        {
          env: rulesProcessEnv(),
          reject: false,
        },
      );
      assert.equal(ok.stdout, '[["TEST"]]', ok.stderr);
      assert.equal(backend.connections.length, 1);
      const refused = await execa(process.execPath, ['--input-type=module', '-e', script, '127.0.0.1:1/FREEPDB1'], {
        env: rulesProcessEnv(),
        reject: false,
      });
      assert.match(refused.stderr, /NJS-503/);
    } finally {
      await server.close();
    }
  });
});
