import assert from 'node:assert/strict';
import { openIntrospector, type Introspector } from '../../../target-oracle/index.js';
import { createTestSchema, requirePg, withClient, type PgConfig, type TestSchema } from '../../helpers/postgres.js';

describe('target-oracle introspector, postgres dialect (real PostgreSQL)', function () {
  this.timeout(30_000);
  let pgConfig: PgConfig;
  let schema: TestSchema;
  let db: Introspector | undefined;

  before(async function () {
    pgConfig = requirePg(this);
    schema = await createTestSchema('introspect', pgConfig);
    const table = `"${schema.schema}"."wms_allocation"`;
    await withClient(async (client) => {
      await client.query(
        `CREATE TABLE ${table} (id bigint PRIMARY KEY, alloc_qty numeric, mod_ts timestamptz, notes jsonb, _sdc_deleted_at timestamptz)`,
      );
      await client.query(
        `INSERT INTO ${table} VALUES (9007199254740993, 12345678901234567890.123456, '2024-03-10T01:59:59.123456-05:00', '{"a": [1]}', NULL), ` +
          `(2, 1, '2024-01-01T00:00:00Z', NULL, NULL), (3, 1, '2024-01-01T00:00:00Z', NULL, '2024-02-01T00:00:00Z')`,
      );
    }, pgConfig);
    db = await openIntrospector({
      dialect: 'postgres',
      ...pgConfig,
      default_target_schema: schema.schema.toUpperCase(),
      table_prefix: 'WMS_',
      service_name: undefined,
    });
  });
  after(async () => {
    await db?.close();
    await schema?.drop();
  });

  it('names the table as the target does (conformed schema and prefix) and says where it connected', async () => {
    assert.equal(await db!.tableName('allocation'), 'wms_allocation');
    assert.equal(await db!.tableName('order_hdr'), undefined);
    assert.equal(db!.location, `postgres at ${pgConfig.host}:${pgConfig.port}/${pgConfig.database}`);
    await db!.ping();
  });

  it('counts live rows only (a row soft-deleted by a full sync is not counted)', async () => {
    assert.equal(await db!.count('wms_allocation'), 2);
  });

  it('reads live rows by id with exact values: 64-bit ids and decimals as text, timestamps as UTC text', async () => {
    const rows = await db!.rowsByIds('wms_allocation', ['9007199254740993', '3', '404']);
    assert.deepEqual(rows, [
      {
        id: '9007199254740993',
        alloc_qty: '12345678901234567890.123456',
        mod_ts: '2024-03-10 06:59:59.123456+00',
        notes: { a: [1] },
        _sdc_deleted_at: null,
      },
    ]);
    assert.deepEqual(await db!.rowsByIds('wms_allocation', []), []);
  });
});
