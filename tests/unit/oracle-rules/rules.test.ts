import assert from 'node:assert/strict';
import {
  FakeOracledb,
  inProcessLink,
  RULES_PASSWORD,
  RulesBackend,
  type BackendOptions,
  type FakeConnection,
} from '../../helpers/oracle-rules/index.js';

const NLS = "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,' TIME_ZONE = '+00:00'";

async function open(
  options: BackendOptions = {},
  nls = true,
): Promise<{ conn: FakeConnection; backend: RulesBackend; oracledb: FakeOracledb }> {
  const backend = new RulesBackend(options);
  const oracledb = new FakeOracledb(inProcessLink(backend));
  const conn = await oracledb.getConnection({
    user: 'test',
    password: RULES_PASSWORD,
    connectString: '127.0.0.1:1521/FREEPDB1',
  });
  if (nls) await conn.execute(NLS);
  return { conn, backend, oracledb };
}

const rejects = (work: Promise<unknown>, code: string) =>
  assert.rejects(work, (e: { code?: string; message: string }) => {
    assert.equal(e.code, code, e.message);
    return true;
  });

/** Each documented restriction rejects a violating statement and accepts the compliant one (rules session: a model of Oracle, not a database). */
describe('Oracle rules session: documented restrictions (rules session)', () => {
  describe('identifier byte limits (ORA-00972)', () => {
    it('128 bytes pass, 129 fail; multi-byte names count bytes', async () => {
      const { conn } = await open();
      await conn.execute(`CREATE TABLE "${'T'.repeat(128)}" ("ID" NUMBER)`);
      await rejects(conn.execute(`CREATE TABLE "${'T'.repeat(129)}" ("ID" NUMBER)`), 'ORA-00972');
      // 65 × 'é' is 130 bytes.
      await rejects(conn.execute(`CREATE TABLE "X" ("${'é'.repeat(65)}" NUMBER)`), 'ORA-00972');
    });

    it('30 bytes with a compatibility setting below 12.2, and the driver reports it', async () => {
      const { conn } = await open({ maxIdentifierBytes: 30 });
      assert.equal(conn.maxIdentifierLength, 30);
      await conn.execute(`CREATE TABLE "${'T'.repeat(30)}" ("ID" NUMBER)`);
      await rejects(conn.execute(`CREATE TABLE "${'T'.repeat(31)}" ("ID" NUMBER)`), 'ORA-00972');
      await rejects(conn.execute(`SELECT "${'C'.repeat(31)}" FROM dual`), 'ORA-00972');
    });
  });

  describe('no TIMESTAMP WITH TIME ZONE (or LOB) in a PRIMARY KEY / UNIQUE constraint (ORA-02329)', () => {
    it('rejects it in CREATE TABLE, ALTER TABLE ADD PRIMARY KEY and UNIQUE; accepts TIMESTAMP', async () => {
      const { conn } = await open();
      await rejects(
        conn.execute('CREATE TABLE "H" ("ID" NUMBER, "TS" TIMESTAMP(6) WITH TIME ZONE, PRIMARY KEY ("ID", "TS"))'),
        'ORA-02329',
      );
      await rejects(conn.execute('CREATE TABLE "H" ("ID" NUMBER, "TS" TIMESTAMP WITH TIME ZONE UNIQUE)'), 'ORA-02329');
      await rejects(conn.execute('CREATE TABLE "H" ("ID" NUMBER, "C" CLOB, PRIMARY KEY ("C"))'), 'ORA-02329');
      await conn.execute('CREATE TABLE "H" ("ID" NUMBER, "TS" TIMESTAMP(6) WITH TIME ZONE, "TS_UTC" TIMESTAMP(6))');
      await rejects(conn.execute('ALTER TABLE "H" ADD PRIMARY KEY ("ID", "TS")'), 'ORA-02329');
      await conn.execute('ALTER TABLE "H" ADD PRIMARY KEY ("ID", "TS_UTC")');
    });
  });

  describe('VARCHAR2 byte limits under MAX_STRING_SIZE STANDARD and EXTENDED (ORA-00910, ORA-12899)', () => {
    it('STANDARD: 4000 bytes at most, in DDL and in every value, whatever the CHAR length', async () => {
      const { conn } = await open();
      await rejects(conn.execute('CREATE TABLE "S" ("V" VARCHAR2(4001))'), 'ORA-00910');
      await rejects(conn.execute('SELECT CAST(NULL AS VARCHAR2(32767)) FROM dual'), 'ORA-00910');
      await conn.execute('CREATE TABLE "S" ("V" VARCHAR2(4000 CHAR), "W" VARCHAR2(5 CHAR), "B" VARCHAR2(2000 BYTE))');
      // 1500 '€' are 1500 characters but 4500 bytes: a bind that size is a LONG, refused for a VARCHAR2 column.
      await rejects(conn.execute('INSERT INTO "S" ("V") VALUES (:1)', ['€'.repeat(1500)]), 'ORA-01461');
      await rejects(conn.execute('INSERT INTO "S" ("W") VALUES (:1)', ['abcdef']), 'ORA-12899');
      await rejects(conn.execute('INSERT INTO "S" ("B") VALUES (:1)', ['€'.repeat(1000)]), 'ORA-12899');
      await conn.execute('INSERT INTO "S" ("V", "W") VALUES (:1, :2)', ['€'.repeat(1333), 'ééééé']);
    });

    it('EXTENDED: 32767 bytes', async () => {
      const { conn } = await open({ maxStringSize: 'EXTENDED' });
      await conn.execute('CREATE TABLE "S" ("V" VARCHAR2(32767), "W" VARCHAR2(100 CHAR))');
      await rejects(conn.execute('CREATE TABLE "S2" ("V" VARCHAR2(32768))'), 'ORA-00910');
      await conn.execute('INSERT INTO "S" ("V") VALUES (:1)', ['€'.repeat(10000)]);
      await rejects(conn.execute('INSERT INTO "S" ("V") VALUES (:1)', ['€'.repeat(11000)]), 'ORA-01461');
      await rejects(conn.execute('INSERT INTO "S" ("W") VALUES (:1)', ['x'.repeat(101)]), 'ORA-12899');
      await conn.execute('SELECT CAST(NULL AS VARCHAR2(32767)) FROM dual');
    });
  });

  describe('ALTER TABLE MODIFY keeps data only where Oracle allows it', () => {
    it('VARCHAR2 cannot become CLOB (ORA-22858); other families need an empty column (ORA-01439); shrinking must fit (ORA-01441)', async () => {
      const { conn } = await open();
      await conn.execute('CREATE TABLE "M" ("V" VARCHAR2(10 CHAR), "N" NUMBER(5))');
      await conn.execute('INSERT INTO "M" VALUES (\'abcdefgh\', 12)');
      await conn.commit();
      await rejects(conn.execute('ALTER TABLE "M" MODIFY ("V" CLOB)'), 'ORA-22858');
      await rejects(conn.execute('ALTER TABLE "M" MODIFY ("N" VARCHAR2(40))'), 'ORA-01439');
      await rejects(conn.execute('ALTER TABLE "M" MODIFY ("V" VARCHAR2(4 CHAR))'), 'ORA-01441');
      await conn.execute('ALTER TABLE "M" MODIFY ("V" VARCHAR2(4000 CHAR))');
      await conn.execute('ALTER TABLE "M" MODIFY ("N" NUMBER(12))');
    });
  });

  describe('DDL commits implicitly: DDL with DML pending in the transaction is refused', () => {
    it('INSERT then CREATE TABLE fails; after COMMIT it runs', async () => {
      const { conn } = await open();
      await conn.execute('CREATE TABLE "A" ("ID" NUMBER)');
      await conn.execute('INSERT INTO "A" VALUES (1)');
      await rejects(conn.execute('CREATE TABLE "B" ("ID" NUMBER)'), 'RULES-DDL-COMMITS-DML');
      await rejects(conn.execute('ALTER TABLE "A" ADD ("X" NUMBER)'), 'RULES-DDL-COMMITS-DML');
      await conn.commit();
      await conn.execute('CREATE TABLE "B" ("ID" NUMBER)');
    });
  });

  describe('bind sizes against the server and the columns', () => {
    const merge =
      'MERGE INTO "T" tgt USING (SELECT TO_NUMBER(:1) AS "ID", :2 AS "V" FROM dual) src ON (tgt."ID" = src."ID") ' +
      'WHEN MATCHED THEN UPDATE SET tgt."V" = src."V" WHEN NOT MATCHED THEN INSERT ("ID", "V") VALUES (src."ID", src."V")';

    it('a STRING bind over 4000 bytes (sent as LONG under STANDARD) fails in a MERGE source (ORA-01461)', async () => {
      const { conn, oracledb } = await open();
      await conn.execute('CREATE TABLE "T" ("ID" NUMBER PRIMARY KEY, "V" VARCHAR2(4000 CHAR))');
      const defs = [
        { type: oracledb.DB_TYPE_VARCHAR, maxSize: 130 },
        { type: oracledb.DB_TYPE_VARCHAR, maxSize: 16000 },
      ];
      await rejects(conn.executeMany(merge, [['1', 'short']], { bindDefs: defs }), 'ORA-01461');
      await conn.executeMany(merge, [['1', 'short']], {
        bindDefs: [defs[0], { type: oracledb.DB_TYPE_VARCHAR, maxSize: 4000 }],
      });
    });

    it('the same bind is accepted as an INSERT … VALUES value into a CLOB, and under EXTENDED up to 32767 bytes', async () => {
      const { conn, oracledb } = await open();
      await conn.execute('CREATE TABLE "C" ("ID" NUMBER, "V" CLOB)');
      const long = 'x'.repeat(20000);
      await conn.executeMany('INSERT INTO "C" ("ID", "V") VALUES (TO_NUMBER(:1), :2)', [['1', long]], {
        bindDefs: [
          { type: oracledb.DB_TYPE_VARCHAR, maxSize: 10 },
          { type: oracledb.DB_TYPE_VARCHAR, maxSize: 20000 },
        ],
      });
      await rejects(
        conn.executeMany('INSERT INTO "C" ("ID", "V") VALUES (TO_NUMBER(:1), TO_CLOB(:2))', [['2', long]], {
          bindDefs: [
            { type: oracledb.DB_TYPE_VARCHAR, maxSize: 10 },
            { type: oracledb.DB_TYPE_VARCHAR, maxSize: 20000 },
          ],
        }),
        'ORA-01461',
      );
      const extended = await open({ maxStringSize: 'EXTENDED' });
      await extended.conn.execute('CREATE TABLE "T" ("ID" NUMBER PRIMARY KEY, "V" VARCHAR2(4000 CHAR))');
      await extended.conn.executeMany(merge, [['1', 'short']], {
        bindDefs: [
          { type: oracledb.DB_TYPE_VARCHAR, maxSize: 130 },
          { type: oracledb.DB_TYPE_VARCHAR, maxSize: 16000 },
        ],
      });
    });

    it('a value longer than its bindDef maxSize fails in the driver (NJS-058); STRING needs a maxSize (NJS-056)', async () => {
      const { conn, oracledb } = await open();
      await conn.execute('CREATE TABLE "T" ("V" VARCHAR2(100))');
      await rejects(
        conn.executeMany('INSERT INTO "T" ("V") VALUES (:1)', [['ok'], ['€€']], {
          bindDefs: [{ type: oracledb.DB_TYPE_VARCHAR, maxSize: 5 }],
        }),
        'NJS-058',
      );
      await rejects(
        conn.executeMany('INSERT INTO "T" ("V") VALUES (:1)', [['ok']], {
          bindDefs: [{ type: oracledb.DB_TYPE_VARCHAR }],
        }),
        'NJS-056',
      );
    });
  });

  describe('temporary LOB round trips are counted', () => {
    it('each non-empty CLOB bind value costs two more round trips (create + write); STRING binds cost none', async () => {
      const { conn, backend, oracledb } = await open();
      await conn.execute('CREATE TABLE "C" ("ID" NUMBER, "V" CLOB)');
      const rows = Array.from({ length: 10 }, (_, i) => [String(i), i < 8 ? `{"i":${i}}` : '']);
      const before = backend.stats.roundTrips;
      await conn.executeMany('INSERT INTO "C" ("ID", "V") VALUES (TO_NUMBER(:1), :2)', rows, {
        bindDefs: [{ type: oracledb.DB_TYPE_VARCHAR, maxSize: 10 }, { type: oracledb.DB_TYPE_CLOB }],
      });
      assert.equal(backend.stats.roundTrips - before, 1 + 2 * 8);
      assert.equal(backend.stats.temporaryLobs, 8);
      const middle = backend.stats.roundTrips;
      await conn.executeMany('INSERT INTO "C" ("ID", "V") VALUES (TO_NUMBER(:1), :2)', rows, {
        bindDefs: [
          { type: oracledb.DB_TYPE_VARCHAR, maxSize: 10 },
          { type: oracledb.DB_TYPE_VARCHAR, maxSize: 10 },
        ],
      });
      assert.equal(backend.stats.roundTrips - middle, 1);
    });
  });

  describe('NLS set before any conversion', () => {
    it('TO_NUMBER before ALTER SESSION is refused; without the rule the ","-territory default fails it (ORA-01722)', async () => {
      const { conn } = await open({}, false);
      await rejects(conn.execute('SELECT TO_NUMBER(:1) FROM dual', ['12.5']), 'RULES-NLS-NOT-SET');
      const lenient = await open({ strictNls: false }, false);
      await rejects(lenient.conn.execute('SELECT TO_NUMBER(:1) FROM dual', ['12.5']), 'ORA-01722');
      await lenient.conn.execute(NLS);
      assert.deepEqual((await lenient.conn.execute('SELECT TO_CHAR(TO_NUMBER(:1)) FROM dual', ['12.5'])).rows, [
        ['12.5'],
      ]);
    });

    it('a pool sessionCallback runs in Thin only when it is a function (a string names a PL/SQL procedure)', async () => {
      const backend = new RulesBackend();
      const oracledb = new FakeOracledb(inProcessLink(backend));
      const base = {
        user: 'test',
        password: RULES_PASSWORD,
        connectString: '127.0.0.1:1521/FREEPDB1',
        poolMin: 1,
        poolMax: 1,
      };
      const stringPool = await oracledb.createPool({ ...base, sessionCallback: NLS });
      const c1 = await stringPool.getConnection();
      await rejects(c1.execute('SELECT TO_NUMBER(:1) FROM dual', ['1.5']), 'RULES-NLS-NOT-SET');
      const fnPool = await oracledb.createPool({
        ...base,
        sessionCallback: (c: FakeConnection, _tag: string, done: (e?: Error) => void) => {
          c.execute(NLS).then(() => done(), done);
        },
      });
      const c2 = await fnPool.getConnection();
      assert.deepEqual((await c2.execute('SELECT TO_NUMBER(:1) AS n FROM dual', ['1.5'])).rows, [[1.5]]);
    });
  });

  describe('MERGE restrictions', () => {
    it('ORA-38104: a column of the ON clause cannot be updated', async () => {
      const { conn } = await open();
      await conn.execute('CREATE TABLE "T" ("ID" NUMBER PRIMARY KEY, "V" VARCHAR2(10))');
      await rejects(
        conn.execute(
          'MERGE INTO "T" tgt USING (SELECT 1 AS "ID", \'a\' AS "V" FROM dual) src ON (tgt."ID" = src."ID") WHEN MATCHED THEN UPDATE SET tgt."ID" = src."ID", tgt."V" = src."V"',
        ),
        'ORA-38104',
      );
      await conn.execute(
        'MERGE INTO "T" tgt USING (SELECT 1 AS "ID", \'a\' AS "V" FROM dual) src ON (tgt."ID" = src."ID") WHEN MATCHED THEN UPDATE SET tgt."V" = src."V" WHEN NOT MATCHED THEN INSERT ("ID", "V") VALUES (src."ID", src."V")',
      );
    });

    it('ORA-30926: duplicate source keys matching a target row; ORA-00001 when they both insert', async () => {
      const { conn } = await open();
      await conn.execute('CREATE TABLE "T" ("ID" NUMBER PRIMARY KEY, "V" VARCHAR2(10))');
      await conn.execute('CREATE GLOBAL TEMPORARY TABLE "S" ON COMMIT DELETE ROWS AS SELECT * FROM "T" WHERE 1 = 0');
      await conn.execute('INSERT INTO "T" VALUES (1, \'old\')');
      const merge =
        'MERGE INTO "T" tgt USING "S" src ON (tgt."ID" = src."ID") WHEN MATCHED THEN UPDATE SET tgt."V" = src."V" WHEN NOT MATCHED THEN INSERT ("ID", "V") VALUES (src."ID", src."V")';
      await conn.executeMany('INSERT INTO "S" ("ID", "V") VALUES (TO_NUMBER(:1), :2)', [
        ['1', 'a'],
        ['1', 'b'],
      ]);
      await rejects(conn.execute(merge), 'ORA-30926');
      await conn.rollback();
      await conn.executeMany('INSERT INTO "S" ("ID", "V") VALUES (TO_NUMBER(:1), :2)', [
        ['2', 'a'],
        ['2', 'b'],
      ]);
      await rejects(conn.execute(merge), 'ORA-00001');
      await conn.rollback();
      await conn.executeMany('INSERT INTO "S" ("ID", "V") VALUES (TO_NUMBER(:1), :2)', [
        ['1', 'a'],
        ['2', 'b'],
      ]);
      assert.equal((await conn.execute(merge)).rowsAffected, 2);
    });
  });
});
