import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { requirePeer } from '../../helpers/peer-venv.js';
import { createTestSchema, requirePg, withClient, type PgConfig, type TestSchema } from '../../helpers/postgres.js';
import { runBin, runProcess, type ProcessResult } from '../../helpers/run-bin.js';
import { runTap, scratchDir, tapConfig, writeJson } from '../tap/tap-harness.js';
import { startSim, type Sim } from '../tap/sim.js';

/** More significant digits than a double holds: a float on the way rounds it to 12345678901234568. */
const EXACT = '12345678901234567.891';
const AS_FLOAT = '12345678901234568';

interface Loaded {
  text: string;
  type: string;
}

describe('peers: tap-oracle-wms with use_singer_decimal into MeltanoLabs target-postgres 0.8.1 (PyPI, .cache/peer-venvs) and into target-oracle (simulator, PostgreSQL 15) @integration', function () {
  this.timeout(600_000);
  let pg: PgConfig;
  let peer: string;
  let sim: Sim;
  let dir: string;
  let tapOutput: string;
  let id: number;
  const schemas: TestSchema[] = [];

  /** alloc_qty of the changed row, as text, and its column type, in `schema`. */
  const loaded = (schema: string): Promise<Loaded> =>
    withClient(async (c) => {
      const s = c.escapeIdentifier(schema);
      const row = (await c.query(`SELECT alloc_qty::text AS text FROM ${s}.allocation WHERE id = $1`, [id])).rows[0] as
        { text: string } | undefined;
      const column = (
        await c.query(
          `SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'allocation' AND column_name = 'alloc_qty'`,
          [schema],
        )
      ).rows[0] as { data_type: string };
      assert.ok(row, 'the changed row was loaded');
      return { text: row.text.replace(/(\.\d*?)0+$/, '$1'), type: column.data_type };
    }, pg);

  const peerLoad = async (config: Record<string, unknown>): Promise<[ProcessResult, string]> => {
    const schema = await createTestSchema('peer_decimal', pg);
    schemas.push(schema);
    const file = writeJson(dir, 'target-postgres.json', {
      host: pg.host,
      port: pg.port,
      user: pg.user,
      password: pg.password,
      database: pg.database,
      default_target_schema: schema.schema,
      ...config,
    });
    const result = await runProcess(peer, ['--config', file], { input: tapOutput, timeoutMs: 180_000 });
    return [result, schema.schema];
  };

  before(async function () {
    pg = requirePg(this);
    peer = await requirePeer(this, 'target-postgres');
    dir = scratchDir();
    sim = await startSim({ rows: { allocation: 20 } });
    const first = await fetch(`${sim.baseUrl}/wms/lgfapi/v10/entity/allocation/?page_size=1&fields=id`, {
      headers: { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` },
    });
    id = ((await first.json()) as { results: { id: number }[] }).results[0].id;
    sim.admin.update('allocation', id, { alloc_qty: EXACT });
    const run = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, { entities: ['allocation'], enable_incremental: false, use_singer_decimal: true }),
    });
    assert.equal(run.exitCode, 0, run.stderr);
    tapOutput = run.stdout;
  });

  after(async () => {
    await sim?.close();
    for (const schema of schemas) await schema.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the tap sends alloc_qty as a string in the x-singer.decimal format, with its exact digits', () => {
    interface Message {
      type: string;
      schema?: { properties: Record<string, unknown> };
      record?: { id: number; alloc_qty: unknown };
    }
    const messages = tapOutput
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Message);
    // Nullable: only id is required on real tenants.
    assert.deepEqual(messages.find((m) => m.type === 'SCHEMA')?.schema?.properties.alloc_qty, {
      type: ['string', 'null'],
      format: 'x-singer.decimal',
    });
    const record = messages.find((m) => m.type === 'RECORD' && m.record?.id === id);
    assert.ok(record?.record);
    assert.equal(record.record.alloc_qty, EXACT);
  });

  it(`target-postgres (its default INSERT load) stores ${EXACT} exactly, in a numeric column`, async () => {
    const [result, schema] = await peerLoad({});
    assert.equal(result.exitCode, 0, result.stderr.slice(-3000));
    assert.deepEqual(await loaded(schema), { text: EXACT, type: 'numeric' });
  });

  it(`target-postgres with use_copy: true rounds it to ${AS_FLOAT} all the same (its COPY writer converts every NUMERIC value through a float), as docs/tap-oracle-wms.md says`, async () => {
    const [result, schema] = await peerLoad({ use_copy: true });
    assert.equal(result.exitCode, 0, result.stderr.slice(-3000));
    assert.deepEqual(await loaded(schema), { text: AS_FLOAT, type: 'numeric' });
  });

  it(`target-oracle (postgres dialect) reads the x-singer.decimal strings as exact decimals: ${EXACT} in a numeric column`, async () => {
    const schema = await createTestSchema('peer_decimal_ours', pg);
    schemas.push(schema);
    const config = writeJson(dir, 'target-oracle.json', {
      dialect: 'postgres',
      host: pg.host,
      port: pg.port,
      user: pg.user,
      password: pg.password,
      database: pg.database,
      default_target_schema: schema.schema,
    });
    const result = await runBin('target-oracle', ['--config', config], { input: tapOutput, timeoutMs: 120_000 });
    assert.equal(result.exitCode, 0, result.stderr.slice(-3000));
    assert.deepEqual(await loaded(schema.schema), { text: EXACT, type: 'numeric' });
  });
});
