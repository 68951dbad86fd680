import assert from 'node:assert/strict';
import type { TableSpec } from '../../../target-oracle/dialect.js';
import { storedRows, storedTable } from '../../../target-oracle/dialects/oracle/oracle-keys.js';
import * as sql from '../../../target-oracle/dialects/oracle/oracle-sql.js';
import * as lock from '../../../target-oracle/dialects/oracle/oracle-run-lock.js';
import { overflowingColumns } from '../../../target-oracle/dialects/oracle/oracle-strings.js';
import { existingType } from '../../../target-oracle/dialects/oracle/oracle-columns.js';
import { plsqlSyntaxErrors } from '../../helpers/plsql-grammar.js';

const OPTIONS: sql.OracleTypeOptions = { booleanType: 'number', jsonType: 'clob' };

/** An allocation-shaped table as the core hands it to the dialect (names already conformed). */
export const ALLOCATION: TableSpec = {
  stream: 'allocation',
  schema: 'WMS',
  name: 'WMS_ALLOCATION',
  keyColumns: ['ID'],
  columns: [
    { property: 'id', name: 'ID', type: { kind: 'integer' } },
    { property: 'alloc_qty', name: 'ALLOC_QTY', type: { kind: 'decimal' } },
    { property: 'status', name: 'STATUS', type: { kind: 'string', maxLength: 20 } },
    { property: 'notes', name: 'NOTES', type: { kind: 'string' } },
    { property: 'mod_ts', name: 'MOD_TS', type: { kind: 'timestamp' } },
    { property: 'ship_date', name: 'SHIP_DATE', type: { kind: 'date' } },
    { property: 'is_picked', name: 'IS_PICKED', type: { kind: 'boolean' } },
    { property: 'attrs', name: 'ATTRS', type: { kind: 'json' } },
  ],
};

const TS = `'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM'`;

describe('oracle SQL generator (pure: golden strings + PL/SQL grammar parse, no database)', () => {
  const parses = (statement: string) => assert.deepEqual(plsqlSyntaxErrors(statement), [], statement);

  it('CREATE TABLE: types per mapping, every identifier quoted, primary key, IS JSON check', () => {
    const ddl = sql.createTableSql(ALLOCATION, OPTIONS);
    assert.equal(
      ddl,
      'CREATE TABLE "WMS"."WMS_ALLOCATION" ("ID" NUMBER(38), "ALLOC_QTY" NUMBER, "STATUS" VARCHAR2(20 CHAR), "NOTES" CLOB, ' +
        '"MOD_TS" TIMESTAMP(6) WITH TIME ZONE, "SHIP_DATE" DATE, "IS_PICKED" NUMBER(1) CHECK ("IS_PICKED" IN (0, 1)), "ATTRS" CLOB CHECK ("ATTRS" IS JSON), PRIMARY KEY ("ID"))',
    );
    // The grammars-v4 PL/SQL grammar predates IS JSON (it rejects this valid clause): parse the rest.
    parses(ddl.replace(' CHECK ("ATTRS" IS JSON)', ''));
    assert.notDeepEqual(
      plsqlSyntaxErrors('CREATE TABLE "T" ("ID" NUMBER(38),, "X" CLOB)'),
      [],
      'the grammar does reject broken DDL',
    );
  });

  it('23ai/21c options: BOOLEAN and JSON types with TO_BOOLEAN/JSON binds', () => {
    const options: sql.OracleTypeOptions = { booleanType: 'boolean', jsonType: 'json' };
    assert.equal(sql.oracleType({ kind: 'boolean' }, options), 'BOOLEAN');
    assert.equal(sql.oracleType({ kind: 'json' }, options), 'JSON');
    assert.equal(sql.bindExpression({ kind: 'boolean' }, 3, options), 'TO_BOOLEAN(:3)');
    assert.equal(sql.bindExpression({ kind: 'json' }, 4, options), 'JSON(:4)');
  });

  it('row-wise MERGE: USING (SELECT :n … FROM dual), explicit formats, keys only in ON', () => {
    const merge = sql.mergeSql(ALLOCATION, OPTIONS, false);
    assert.equal(
      merge,
      'MERGE INTO "WMS"."WMS_ALLOCATION" tgt USING (SELECT TO_NUMBER(:1) AS "ID", TO_NUMBER(:2) AS "ALLOC_QTY", :3 AS "STATUS", :4 AS "NOTES", ' +
        `TO_TIMESTAMP_TZ(:5, ${TS}) AS "MOD_TS", TO_DATE(:6, 'YYYY-MM-DD') AS "SHIP_DATE", TO_NUMBER(:7) AS "IS_PICKED", :8 AS "ATTRS" FROM dual) src ` +
        'ON (tgt."ID" = src."ID") WHEN MATCHED THEN UPDATE SET tgt."ALLOC_QTY" = src."ALLOC_QTY", tgt."STATUS" = src."STATUS", tgt."NOTES" = src."NOTES", ' +
        'tgt."MOD_TS" = src."MOD_TS", tgt."SHIP_DATE" = src."SHIP_DATE", tgt."IS_PICKED" = src."IS_PICKED", tgt."ATTRS" = src."ATTRS" ' +
        'WHEN NOT MATCHED THEN INSERT ("ID", "ALLOC_QTY", "STATUS", "NOTES", "MOD_TS", "SHIP_DATE", "IS_PICKED", "ATTRS") ' +
        'VALUES (src."ID", src."ALLOC_QTY", src."STATUS", src."NOTES", src."MOD_TS", src."SHIP_DATE", src."IS_PICKED", src."ATTRS")',
    );
    parses(merge);
    assert.doesNotMatch(
      merge.split('UPDATE SET')[1].split('WHEN NOT MATCHED')[0],
      /tgt\."ID"/,
      'ORA-38104: no key in UPDATE SET',
    );
    assert.equal(new Set(merge.match(/:\d+/g)).size, merge.match(/:\d+/g)!.length, 'no placeholder repeated');
  });

  it('history mode and all-key tables: MERGE without WHEN MATCHED (duplicates ignored)', () => {
    const history: TableSpec = { ...ALLOCATION, keyColumns: ['ID', 'MOD_TS'] };
    const merge = sql.mergeSql(history, OPTIONS, true);
    assert.match(merge, /ON \(tgt\."ID" = src\."ID" AND tgt\."MOD_TS" = src\."MOD_TS"\) WHEN NOT MATCHED THEN INSERT/);
    assert.doesNotMatch(merge, /WHEN MATCHED/);
    parses(merge);
    const keysOnly: TableSpec = { ...ALLOCATION, columns: ALLOCATION.columns.slice(0, 1) };
    assert.equal(
      sql.mergeSql(keysOnly, OPTIONS, false),
      'MERGE INTO "WMS"."WMS_ALLOCATION" tgt USING (SELECT TO_NUMBER(:1) AS "ID" FROM dual) src ON (tgt."ID" = src."ID") WHEN NOT MATCHED THEN INSERT ("ID") VALUES (src."ID")',
    );
    parses(sql.mergeSql(keysOnly, OPTIONS, false));
  });

  it('a NUMBER(1) boolean carries CHECK (c IN (0, 1)), which the introspection recognises; a one-digit integer has none', () => {
    const flag = { property: 'f', name: 'F', type: { kind: 'boolean' as const } };
    const digit = { property: 'd', name: 'D', type: { kind: 'integer' as const, digits: 1 } };
    const table: TableSpec = { ...ALLOCATION, columns: [ALLOCATION.columns[0], flag, digit] };
    const ddl = sql.createTableSql(table, OPTIONS);
    assert.equal(
      ddl,
      'CREATE TABLE "WMS"."WMS_ALLOCATION" ("ID" NUMBER(38), "F" NUMBER(1) CHECK ("F" IN (0, 1)), "D" NUMBER(1), PRIMARY KEY ("ID"))',
    );
    parses(ddl);
    assert.equal(
      sql.addColumnSql(table, flag, OPTIONS),
      'ALTER TABLE "WMS"."WMS_ALLOCATION" ADD ("F" NUMBER(1) CHECK ("F" IN (0, 1)))',
    );
    assert.equal(sql.oracleType(flag.type, { booleanType: 'boolean', jsonType: 'clob' }), 'BOOLEAN');
    assert.ok(sql.isBooleanCheck('"F" IN (0, 1)', 'F'));
    assert.ok(sql.isBooleanCheck('"F" IN (0,1)', 'F'));
    assert.ok(!sql.isBooleanCheck('"F" IS NOT NULL', 'F'));
    assert.ok(!sql.isBooleanCheck('"G" IN (0, 1)', 'F'));
    parses(sql.CHECKS_SQL);
    const row = { COLUMN_NAME: 'F', DATA_TYPE: 'NUMBER', DATA_PRECISION: 1, DATA_SCALE: 0 };
    assert.deepEqual(existingType(row, new Set(['F'])), { kind: 'boolean' });
    assert.deepEqual(existingType(row, new Set()), { kind: 'integer', digits: 1 });
  });

  it('string limits: VARCHAR2 within MAX_STRING_SIZE bytes, binds at most that many bytes, CLOB beyond; overflow found', () => {
    const standard = { maxStringBytes: 4000 };
    const extended = { maxStringBytes: 32767 };
    const s = (maxLength?: number) => ({ kind: 'string' as const, maxLength });
    assert.deepEqual(sql.bindDef(s(20), standard), { type: 'string', maxSize: 80 });
    assert.deepEqual(sql.bindDef(s(4000), standard), { type: 'string', maxSize: 4000 }, 'not 16000: a LONG bind');
    assert.deepEqual(sql.bindDef(s(4001), standard), { type: 'clob' });
    assert.deepEqual(sql.bindDef(s(4001), extended), { type: 'string', maxSize: 16004 });
    assert.deepEqual(sql.bindDef(s(32767), extended), { type: 'string', maxSize: 32767 });
    assert.equal(sql.oracleType(s(8000), { ...OPTIONS, ...extended }), 'VARCHAR2(8000 CHAR)');
    assert.equal(sql.oracleType(s(8000), OPTIONS), 'CLOB');
    assert.equal(sql.EXTENDED_STRINGS_PROBE_SQL, 'SELECT CAST(NULL AS VARCHAR2(32767)) AS v FROM dual');
    parses(sql.EXTENDED_STRINGS_PROBE_SQL);
    const table: TableSpec = {
      ...ALLOCATION,
      columns: [
        { property: 'a', name: 'A', type: s(4000) },
        { property: 'b', name: 'B', type: s(3) },
        { property: 'c', name: 'C', type: s() },
      ],
    };
    assert.deepEqual(overflowingColumns(table, [['x'.repeat(4000), 'abc', 'y'.repeat(9000)]], 4000), []);
    assert.deepEqual(overflowingColumns(table, [['€'.repeat(1334), 'abc', null]], 4000), ['A'], '4002 bytes');
    assert.deepEqual(overflowingColumns(table, [['€'.repeat(1334), 'abcd', null]], 32767), ['B'], '4 characters');
    assert.deepEqual(overflowingColumns(table, [['😀'.repeat(1000), '😀😀😀', null]], 4000), [], '4-byte characters');
  });

  it('a timestamp key column is keyed by its UTC twin: TIMESTAMP(6) in the primary key, filled by SYS_EXTRACT_UTC', () => {
    const history: TableSpec = {
      ...ALLOCATION,
      columns: [ALLOCATION.columns[0], ALLOCATION.columns[4]],
      keyColumns: ['ID', 'MOD_TS'],
    };
    const { table, sources } = storedTable(history, { case: 'upper', maxBytes: 128 });
    assert.deepEqual(sources, [1]);
    assert.deepEqual(table.keyColumns, ['ID', 'MOD_TS$UTC']);
    assert.deepEqual(storedRows([['1', '2024-03-01T12:00:00.000000+02:00']], sources), [
      ['1', '2024-03-01T12:00:00.000000+02:00', '2024-03-01T12:00:00.000000+02:00'],
    ]);
    const ddl = sql.createTableSql(table, OPTIONS);
    assert.equal(
      ddl,
      'CREATE TABLE "WMS"."WMS_ALLOCATION" ("ID" NUMBER(38), "MOD_TS" TIMESTAMP(6) WITH TIME ZONE, "MOD_TS$UTC" TIMESTAMP(6), ' +
        'PRIMARY KEY ("ID", "MOD_TS$UTC"))',
    );
    parses(ddl);
    const merge = sql.mergeSql(table, OPTIONS, true);
    assert.equal(
      merge,
      `MERGE INTO "WMS"."WMS_ALLOCATION" tgt USING (SELECT TO_NUMBER(:1) AS "ID", TO_TIMESTAMP_TZ(:2, ${TS}) AS "MOD_TS", ` +
        `SYS_EXTRACT_UTC(TO_TIMESTAMP_TZ(:3, ${TS})) AS "MOD_TS$UTC" FROM dual) src ` +
        'ON (tgt."ID" = src."ID" AND tgt."MOD_TS$UTC" = src."MOD_TS$UTC") WHEN NOT MATCHED THEN INSERT ("ID", "MOD_TS", "MOD_TS$UTC") ' +
        'VALUES (src."ID", src."MOD_TS", src."MOD_TS$UTC")',
    );
    parses(merge);
    const twin = table.columns[2] as sql.OracleColumn & { utcOf: string };
    assert.equal(
      sql.fillUtcTwinSql(table, twin),
      'UPDATE "WMS"."WMS_ALLOCATION" SET "MOD_TS$UTC" = SYS_EXTRACT_UTC("MOD_TS") WHERE "MOD_TS$UTC" IS NULL',
    );
    parses(sql.fillUtcTwinSql(table, twin));
    assert.equal(
      storedTable(ALLOCATION, { case: 'upper', maxBytes: 128 }).table,
      ALLOCATION,
      'no timestamp key: as is',
    );
  });

  it('ALTER: add, widen (MODIFY), rename, rebuild copy with explicit conversions, primary key change', () => {
    const notes = ALLOCATION.columns[3];
    const statements = [
      [
        sql.addColumnSql(
          ALLOCATION,
          { property: 'x', name: 'NEW_COL', type: { kind: 'decimal', precision: 18, scale: 4 } },
          OPTIONS,
        ),
        'ALTER TABLE "WMS"."WMS_ALLOCATION" ADD ("NEW_COL" NUMBER(18,4))',
      ],
      [
        sql.modifyColumnSql(
          ALLOCATION,
          { ...ALLOCATION.columns[2], type: { kind: 'string', maxLength: 200 } },
          OPTIONS,
        ),
        'ALTER TABLE "WMS"."WMS_ALLOCATION" MODIFY ("STATUS" VARCHAR2(200 CHAR))',
      ],
      [
        sql.renameColumnSql(ALLOCATION, 'STATUS', 'STATUS__20240101000000'),
        'ALTER TABLE "WMS"."WMS_ALLOCATION" RENAME COLUMN "STATUS" TO "STATUS__20240101000000"',
      ],
      [
        sql.copyColumnSql(ALLOCATION, 'MOD_TS', 'timestamp', { ...notes, name: 'MOD_TS__NEW' }),
        `UPDATE "WMS"."WMS_ALLOCATION" SET "MOD_TS__NEW" = TO_CHAR("MOD_TS", ${TS})`,
      ],
      [
        sql.copyColumnSql(ALLOCATION, 'STATUS', 'string', { ...notes, name: 'STATUS__NEW' }),
        'UPDATE "WMS"."WMS_ALLOCATION" SET "STATUS__NEW" = TO_CLOB("STATUS")',
      ],
      [sql.dropColumnSql(ALLOCATION, 'STATUS'), 'ALTER TABLE "WMS"."WMS_ALLOCATION" DROP COLUMN "STATUS"'],
      [
        sql.dropPrimaryKeySql(ALLOCATION, 'SYS_C0012345'),
        'ALTER TABLE "WMS"."WMS_ALLOCATION" DROP CONSTRAINT "SYS_C0012345"',
      ],
      [sql.addPrimaryKeySql(ALLOCATION), 'ALTER TABLE "WMS"."WMS_ALLOCATION" ADD PRIMARY KEY ("ID")'],
    ];
    for (const [actual, golden] of statements) {
      assert.equal(actual, golden);
      parses(actual);
    }
  });

  it('DML and dictionary queries all parse: insert, deletes, activate version, staging, counts', () => {
    const stage = { schema: 'WMS', name: 'WMS_ALLOCATION$STG' };
    const golden: [string, string][] = [
      [sql.deleteByKeySql(ALLOCATION, OPTIONS), 'DELETE FROM "WMS"."WMS_ALLOCATION" WHERE "ID" = TO_NUMBER(:1)'],
      [sql.deleteAllSql(ALLOCATION), 'DELETE FROM "WMS"."WMS_ALLOCATION"'],
      [
        sql.activateVersionSql(ALLOCATION, '_SDC_TABLE_VERSION', '_SDC_DELETED_AT', false),
        'UPDATE "WMS"."WMS_ALLOCATION" SET "_SDC_DELETED_AT" = SYSTIMESTAMP WHERE ("_SDC_TABLE_VERSION" < TO_NUMBER(:1) OR "_SDC_TABLE_VERSION" IS NULL) AND "_SDC_DELETED_AT" IS NULL',
      ],
      [
        sql.activateVersionSql(ALLOCATION, '_SDC_TABLE_VERSION', '_SDC_DELETED_AT', true),
        'DELETE FROM "WMS"."WMS_ALLOCATION" WHERE ("_SDC_TABLE_VERSION" < TO_NUMBER(:1) OR "_SDC_TABLE_VERSION" IS NULL)',
      ],
      [
        sql.createStagingSql(stage, ALLOCATION),
        'CREATE GLOBAL TEMPORARY TABLE "WMS"."WMS_ALLOCATION$STG" ON COMMIT DELETE ROWS AS SELECT * FROM "WMS"."WMS_ALLOCATION" WHERE 1 = 0',
      ],
      [
        sql.countStagedExistingSql(stage, ALLOCATION),
        'SELECT COUNT(*) AS n FROM "WMS"."WMS_ALLOCATION$STG" src WHERE EXISTS (SELECT 1 FROM "WMS"."WMS_ALLOCATION" tgt WHERE tgt."ID" = src."ID")',
      ],
      [
        sql.countExistingSql(ALLOCATION, 2, OPTIONS),
        'SELECT COUNT(*) AS n FROM "WMS"."WMS_ALLOCATION" WHERE ("ID" = TO_NUMBER(:1)) OR ("ID" = TO_NUMBER(:2))',
      ],
    ];
    for (const [actual, expected] of golden) {
      assert.equal(actual, expected);
      parses(actual);
    }
    for (const statement of [
      sql.insertSql(sql.tableName(ALLOCATION), ALLOCATION, OPTIONS),
      sql.mergeFromSql(ALLOCATION, sql.tableName(stage), false),
      sql.dropTableSql(stage),
      sql.COLUMNS_SQL,
      sql.PRIMARY_KEY_SQL,
    ]) {
      parses(statement);
    }
  });

  it('run lock statements and the MERGE that never lowers _sdc_table_version parse (issue 15 item 11)', () => {
    const golden: [string, string][] = [
      [
        lock.createRunLocksSql('WMS'),
        'CREATE TABLE "WMS"."SDC_RUN_LOCKS" ("LOCK_KEY" VARCHAR2(1024 BYTE) PRIMARY KEY)',
      ],
      [lock.countRunLockSql(undefined), 'SELECT COUNT(*) AS N FROM "SDC_RUN_LOCKS" WHERE "LOCK_KEY" = :1'],
      [lock.insertRunLockSql('WMS'), 'INSERT INTO "WMS"."SDC_RUN_LOCKS" ("LOCK_KEY") VALUES (:1)'],
      [
        lock.lockRunRowSql('WMS'),
        'SELECT "LOCK_KEY" FROM "WMS"."SDC_RUN_LOCKS" WHERE "LOCK_KEY" = :1 FOR UPDATE NOWAIT',
      ],
    ];
    for (const [actual, expected] of golden) {
      assert.equal(actual, expected);
      parses(actual);
    }
    assert.equal(lock.runLockRow('wms-pipeline:item-full:ACME:DC01'), 'wms-pipeline:item-full:ACME:DC01');
    assert.match(lock.runLockRow('k'.repeat(513)), /^sha256:[0-9a-f]{64}$/);
    const versioned: TableSpec = {
      ...ALLOCATION,
      columns: [
        ...ALLOCATION.columns,
        { property: '_sdc_table_version', name: '_SDC_TABLE_VERSION', type: { kind: 'integer' } },
      ],
    };
    const merge = sql.mergeFromSql(versioned, '"WMS"."S"', false);
    assert.ok(
      merge.includes(
        'tgt."_SDC_TABLE_VERSION" = GREATEST(COALESCE(tgt."_SDC_TABLE_VERSION", src."_SDC_TABLE_VERSION"), COALESCE(src."_SDC_TABLE_VERSION", tgt."_SDC_TABLE_VERSION"))',
      ),
      merge,
    );
    assert.ok(merge.includes('tgt."STATUS" = src."STATUS"'), merge);
    parses(merge);
  });

  it('bind definitions are tight and typed from the schema', () => {
    assert.deepEqual(
      ALLOCATION.columns.map((c) => sql.bindDef(c.type)),
      [
        { type: 'string', maxSize: 130 },
        { type: 'string', maxSize: 130 },
        { type: 'string', maxSize: 80 },
        { type: 'clob' },
        { type: 'string', maxSize: 32 },
        { type: 'string', maxSize: 10 },
        { type: 'string', maxSize: 5 },
        { type: 'clob' },
      ],
    );
  });
});
