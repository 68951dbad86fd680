import assert from 'node:assert/strict';
import type { TableSpec } from '../../../target-oracle/dialect.js';
import { storedTable } from '../../../target-oracle/dialects/oracle/oracle-keys.js';
import { oracleNaming } from '../../../target-oracle/dialects/oracle/oracle-dialect.js';
import * as oracle from '../../../target-oracle/dialects/oracle/oracle-sql.js';
import { stagingTable } from '../../../target-oracle/dialects/oracle/oracle-tables.js';
import { POSTGRES_NAMING } from '../../../target-oracle/dialects/postgres/postgres-dialect.js';
import * as postgres from '../../../target-oracle/dialects/postgres/postgres-sql.js';
import { shadowTable } from '../../../target-oracle/overwrite.js';
import { plsqlSyntaxErrors } from '../../helpers/plsql-grammar.js';

const ORDERS: TableSpec = {
  stream: 'orders',
  schema: 'WMS',
  name: 'ORDERS',
  keyColumns: ['ID'],
  columns: [
    { property: 'id', name: 'ID', type: { kind: 'integer' } },
    { property: 'note', name: 'NOTE', type: { kind: 'string' } },
  ],
};

describe('overwrite: shadow table names and the swap SQL (golden strings)', () => {
  it('the shadow is <TABLE>$OVW, folded and shortened like any name (Oracle 30/128 bytes, PostgreSQL 63)', () => {
    assert.equal(shadowTable(ORDERS, oracleNaming({ oracleMaxIdentifierBytes: 128 })).name, 'ORDERS$OVW');
    assert.equal(shadowTable({ ...ORDERS, name: 'orders' }, POSTGRES_NAMING).name, 'orders$ovw');
    const long = { ...ORDERS, name: 'A'.repeat(30) };
    const shadow = shadowTable(long, oracleNaming({ oracleMaxIdentifierBytes: 30 })).name;
    assert.ok(Buffer.byteLength(shadow) <= 30 && shadow !== long.name, shadow);
    assert.deepEqual(shadowTable(ORDERS, POSTGRES_NAMING).columns, ORDERS.columns, 'same columns and key');
    assert.equal(
      stagingTable(
        shadowTable(ORDERS, oracleNaming({ oracleMaxIdentifierBytes: 128 })),
        oracleNaming({ oracleMaxIdentifierBytes: 128 }),
      ).name,
      'ORDERS$OVW$STG',
    );
  });

  it('Oracle: DELETE then INSERT … SELECT from the shadow in one transaction (no TRUNCATE, RENAME or other DDL)', () => {
    const shadow = { ...ORDERS, name: 'ORDERS$OVW' };
    const swap = [oracle.deleteAllSql(ORDERS), oracle.insertFromSql(ORDERS, shadow)];
    assert.deepEqual(swap, [
      'DELETE FROM "WMS"."ORDERS"',
      'INSERT INTO "WMS"."ORDERS" ("ID", "NOTE") SELECT "ID", "NOTE" FROM "WMS"."ORDERS$OVW"',
    ]);
    for (const statement of swap) assert.deepEqual(plsqlSyntaxErrors(statement), [], statement);
    assert.equal(oracle.dropTableSql(shadow), 'DROP TABLE "WMS"."ORDERS$OVW" PURGE');
  });

  it('Oracle: a history table swaps its stored UTC key twins too', () => {
    const history: TableSpec = {
      ...ORDERS,
      keyColumns: ['ID', 'MOD_TS'],
      columns: [...ORDERS.columns, { property: 'mod_ts', name: 'MOD_TS', type: { kind: 'timestamp' } }],
    };
    const stored = storedTable(history, oracleNaming({ oracleMaxIdentifierBytes: 128 })).table;
    assert.equal(
      oracle.insertFromSql(stored, { schema: 'WMS', name: 'ORDERS$OVW' }),
      'INSERT INTO "WMS"."ORDERS" ("ID", "NOTE", "MOD_TS", "MOD_TS$UTC") SELECT "ID", "NOTE", "MOD_TS", "MOD_TS$UTC" FROM "WMS"."ORDERS$OVW"',
    );
  });

  it('PostgreSQL: TRUNCATE then INSERT … SELECT in one transaction (both transactional), shadow dropped if it exists', () => {
    const table = {
      ...ORDERS,
      schema: 'wms',
      name: 'orders',
      columns: ORDERS.columns.map((c) => ({ ...c, name: c.name.toLowerCase() })),
    };
    const shadow = { schema: 'wms', name: 'orders$ovw' };
    assert.deepEqual(
      [postgres.truncateSql(table), postgres.insertFromSql(table, shadow), postgres.dropTableIfExistsSql(shadow)],
      [
        'TRUNCATE TABLE "wms"."orders"',
        'INSERT INTO "wms"."orders" ("id", "note") SELECT "id", "note" FROM "wms"."orders$ovw"',
        'DROP TABLE IF EXISTS "wms"."orders$ovw"',
      ],
    );
  });
});
