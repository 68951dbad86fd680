import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  connectPostgres,
  type PostgresConnectionHandle,
} from '../../../target-oracle/dialects/postgres/postgres-driver.js';
import { parseTargetConfig } from '../../../target-oracle/settings.js';
import { createTestSchema, requirePg, type PgConfig, type TestSchema } from '../../helpers/postgres.js';

const CHUNKS = 200;
const ROWS_PER_CHUNK = 1000;

/** COPY text in chunks of ~64 KB, counting how many the copy has pulled. */
function* countedChunks(pulled: { count: number }): Generator<string> {
  const filler = 'x'.repeat(60);
  for (let c = 0; c < CHUNKS; c += 1) {
    pulled.count += 1;
    let text = '';
    for (let r = 0; r < ROWS_PER_CHUNK; r += 1) text += `${c * ROWS_PER_CHUNK + r}\t${filler}\n`;
    yield text;
  }
}

describe('target-oracle postgres COPY backpressure (real PostgreSQL, COPY held by a table lock)', function () {
  this.timeout(30_000);
  let pgConfig: PgConfig;
  let schema: TestSchema;
  let connection: PostgresConnectionHandle | undefined;

  before(async function () {
    pgConfig = requirePg(this);
    schema = await createTestSchema('copy_bp', pgConfig);
  });
  after(async () => {
    await connection?.close();
    await schema?.drop();
  });

  it('pulls only a few chunks while PostgreSQL does not read the COPY data, then copies every row', async () => {
    const table = `"${schema.schema}"."held"`;
    const admin = new pg.Client(pgConfig);
    await admin.connect();
    try {
      await admin.query(`CREATE TABLE ${table} (id integer, v text)`);
      const config = parseTargetConfig({ dialect: 'postgres', ...pgConfig, connect_timeout_seconds: 10 });
      connection = await connectPostgres(config);
      await admin.query('BEGIN');
      await admin.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);

      const pulled = { count: 0 };
      const copy = connection.session.copyIn(`COPY ${table} (id, v) FROM STDIN`, countedChunks(pulled));
      await sleep(500);
      // Without backpressure the whole 13 MB input would be pulled (and held in memory) by now.
      assert.ok(pulled.count <= 4, `pulled ${pulled.count} of ${CHUNKS} chunks while the COPY was blocked`);

      await admin.query('COMMIT');
      assert.equal(await copy, CHUNKS * ROWS_PER_CHUNK);
      assert.equal(pulled.count, CHUNKS);
      await connection.session.commit();
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${table}`);
      assert.equal(rows[0].n, CHUNKS * ROWS_PER_CHUNK);
    } finally {
      await admin.end();
    }
  });
});
