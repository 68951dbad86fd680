import assert from 'node:assert/strict';
import { OracleIntrospector } from '../../../target-oracle/dialects/oracle/oracle-introspector.js';
import { plsqlSyntaxErrors } from '../../helpers/plsql-grammar.js';
import { RecordingSession } from '../../helpers/recording-session.js';

const CONFIG = {
  dialect: 'oracle' as const,
  host: 'db',
  port: 1522,
  schema: 'wms',
  tablePrefix: 'wms_',
};
const NAMING = { case: 'upper' as const, maxBytes: 128 };

/** all_tab_columns of WMS.WMS_ALLOCATION as the dictionary describes it. */
const COLUMNS = [
  { COLUMN_NAME: 'ID', DATA_TYPE: 'NUMBER' },
  { COLUMN_NAME: 'ALLOC_QTY', DATA_TYPE: 'NUMBER' },
  { COLUMN_NAME: 'MOD_TS', DATA_TYPE: 'TIMESTAMP(6) WITH TIME ZONE' },
  { COLUMN_NAME: 'SHIP_DATE', DATA_TYPE: 'DATE' },
  { COLUMN_NAME: 'NOTES_SET', DATA_TYPE: 'CLOB' },
  { COLUMN_NAME: '_SDC_DELETED_AT', DATA_TYPE: 'TIMESTAMP(6) WITH TIME ZONE' },
];

function introspector(columns = COLUMNS): { session: RecordingSession; db: OracleIntrospector } {
  const session = new RecordingSession();
  session.answer = (sql, binds) => {
    if (sql.includes('all_tab_columns')) return binds[1] === 'WMS_ALLOCATION' ? columns : [];
    if (sql.includes('COUNT(*)')) return [{ N: '123456' }];
    return [{ ID: '1', ALLOC_QTY: '12345678901234567890.123456', MOD_TS: '2024-03-10T01:59:59.123456-05:00' }];
  };
  return { session, db: new OracleIntrospector(session, CONFIG, NAMING) };
}

const executed = (session: RecordingSession): { sql: string; binds: unknown[] }[] =>
  session.events.flatMap((e) => (e.kind === 'execute' ? [{ sql: e.sql, binds: e.binds }] : []));

describe('Oracle introspector over a recording session (no database: checks the SQL, binds and exact text reads)', () => {
  it('finds the table a stream loads into, named and owned as the target names them', async () => {
    const { session, db } = introspector();
    assert.equal(await db.tableName('allocation'), 'WMS_ALLOCATION');
    assert.equal(await db.tableName('order_hdr'), undefined);
    assert.deepEqual(
      executed(session).map((e) => e.binds),
      [
        ['WMS', 'WMS_ALLOCATION'],
        ['WMS', 'WMS_ORDER_HDR'],
      ],
    );
    assert.equal(db.location, 'oracle at db:1522');
  });

  it('counts live rows, leaving out rows soft-deleted by a full sync', async () => {
    const { session, db } = introspector();
    assert.equal(await db.count('WMS_ALLOCATION'), 123456);
    const count = executed(session).at(-1)!.sql;
    assert.equal(count, 'SELECT TO_CHAR(COUNT(*)) AS N FROM "WMS"."WMS_ALLOCATION" WHERE "_SDC_DELETED_AT" IS NULL');
    assert.deepEqual(plsqlSyntaxErrors(count), []);
    const plain = introspector(COLUMNS.slice(0, 2));
    await plain.db.count('WMS_ALLOCATION');
    assert.equal(executed(plain.session).at(-1)!.sql, 'SELECT TO_CHAR(COUNT(*)) AS N FROM "WMS"."WMS_ALLOCATION"');
  });

  it('reads rows by id with numbers, timestamps and dates as exact text; keys lower-case; 1000 ids per query', async () => {
    const { session, db } = introspector();
    const ids = Array.from({ length: 1500 }, (_, i) => String(i + 1));
    const rows = await db.rowsByIds('WMS_ALLOCATION', ids);
    const queries = executed(session).filter((e) => e.sql.startsWith('SELECT TO_CHAR("ID"'));
    assert.equal(queries.length, 2);
    assert.deepEqual(
      queries.map((q) => q.binds.length),
      [1000, 500],
    );
    const sql = queries[1].sql;
    assert.ok(
      sql.startsWith(
        'SELECT TO_CHAR("ID", \'TM9\') AS "ID", TO_CHAR("ALLOC_QTY", \'TM9\') AS "ALLOC_QTY", ' +
          'TO_CHAR("MOD_TS", \'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM\') AS "MOD_TS", ' +
          'TO_CHAR("SHIP_DATE", \'YYYY-MM-DD\') AS "SHIP_DATE", "NOTES_SET", ' +
          'TO_CHAR("_SDC_DELETED_AT", \'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM\') AS "_SDC_DELETED_AT" ' +
          'FROM "WMS"."WMS_ALLOCATION" WHERE "_SDC_DELETED_AT" IS NULL AND TO_CHAR("ID") IN (:1, :2,',
      ),
      sql.slice(0, 400),
    );
    assert.match(sql, /:500\)$/);
    assert.deepEqual(plsqlSyntaxErrors(sql), []);
    assert.deepEqual(rows[0], {
      id: '1',
      alloc_qty: '12345678901234567890.123456',
      mod_ts: '2024-03-10T01:59:59.123456-05:00',
    });
  });
});
