// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { createTestSchema, requirePg, withClient, type PgConfig } from '../../helpers/postgres.js';

describe('foundation: PostgreSQL test server (real server started by scripts/pg.sh)', () => {
  let config: PgConfig;
  before(function () {
    config = requirePg(this);
  });

  it('is PostgreSQL 15 on 127.0.0.1, reached with the test role and password', async () => {
    const row = await withClient(
      async (c) => (await c.query('SELECT version() AS v, current_user AS u')).rows[0],
      config,
    );
    assert.match(row.v, /PostgreSQL 15\./);
    assert.equal(row.u, config.user);
  });

  it('creates and drops a fresh schema per test file', async () => {
    const { schema, drop } = await createTestSchema('foundation', config);
    const exists = () =>
      withClient(
        async (c) => (await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount,
        config,
      );
    await withClient((c) => c.query(`CREATE TABLE ${c.escapeIdentifier(schema)}.t (id int PRIMARY KEY)`), config);
    assert.equal(await exists(), 1);
    await drop();
    assert.equal(await exists(), 0);
  });

  it('rejects a wrong password (password auth is on)', async () => {
    const error = await withClient(async () => undefined, { ...config, password: 'wrong' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.match(String(error), /password authentication failed/);
  });
});
