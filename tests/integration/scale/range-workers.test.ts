import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../../../wms-simulator/index.js';
import { requirePg, uniqueName, withClient, type PgConfig } from '../../helpers/postgres.js';
import { runBin } from '../../helpers/run-bin.js';
import { planRangesWithCli, runRangeWorkers, type RangeWorkerResult } from '../../helpers/range-workers.js';

const ROWS = 6000;
const WORKERS = 8;

describe('8 range workers (separate tap | target processes, one id range each) load one entity into a fresh schema (simulator at 2 ms/row over HTTP, PostgreSQL 15) @integration', function () {
  this.timeout(300_000);
  let pg: PgConfig;
  let sim: RunningSimulator;
  let schema: string;
  let workers: RangeWorkerResult[];

  before(async function () {
    pg = requirePg(this);
    sim = await startSimulator({ port: 0, rows: { allocation: ROWS }, latencyMsPerRow: 2 });
    // Not created here: the eight targets create the schema and the table at the same moment.
    schema = uniqueName('range_workers');
  });

  after(async () => {
    await sim?.close();
    if (schema) await withClient((c) => c.query(`DROP SCHEMA IF EXISTS ${c.escapeIdentifier(schema)} CASCADE`), pg);
  });

  it('`wms-pipeline plan-partitions --entity allocation --parts 8` prints 8 range jobs covering every id, open at both ends', async () => {
    const plan = await planRangesWithCli(sim.baseUrl, 'allocation', WORKERS);
    assert.equal(plan.ranges.length, WORKERS);
    assert.equal(plan.ranges[0].gte, undefined);
    assert.equal(plan.ranges[WORKERS - 1].lt, undefined);
    for (let i = 1; i < WORKERS; i += 1) assert.equal(plan.ranges[i].gte, plan.ranges[i - 1].lt, 'ranges are adjacent');
    assert.match(plan.yaml, /^ {2}- name: "allocation-range-8-of-8"$/m);
    assert.match(plan.yaml, /^ {8}emit_activate_version: false$/m);
  });

  it('the workers run at once and the table holds every source row exactly once, none marked deleted', async () => {
    const plan = await planRangesWithCli(sim.baseUrl, 'allocation', WORKERS);
    workers = await runRangeWorkers({ baseUrl: sim.baseUrl, pg, schema, entity: 'allocation', ranges: plan.ranges });
    for (const worker of workers) assert.equal(worker.exitCode, 0, worker.stderr.slice(-3000));

    const source = await sourceIds(sim);
    const loaded = await withClient(
      async (c) =>
        (
          await c.query(
            `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, sum(id)::text AS sum, min(id)::text AS min, max(id)::text AS max,
                    count(_sdc_deleted_at)::int AS deleted
               FROM ${c.escapeIdentifier(schema)}.allocation`,
          )
        ).rows[0],
      pg,
    );
    assert.deepEqual(loaded, {
      n: source.count,
      ids: source.count,
      sum: source.sum.toString(),
      min: source.min.toString(),
      max: source.max.toString(),
      deleted: 0,
    });
    // Each worker read its own range only: the rows it sent add up to the table.
    assert.equal(
      workers.reduce((total, worker) => total + worker.rows, 0),
      source.count,
    );
    assert.ok(
      workers.every((worker) => worker.rows > 0),
      'every range had rows',
    );
  });

  it('a range job is refused when it would send ACTIVATE_VERSION (it would retire the other ranges), exit 2 before any request', async () => {
    sim.admin.clearRequests();
    const result = await runBin('tap-oracle-wms', ['--config', 'ENV'], {
      env: {
        TAP_ORACLE_WMS_BASE_URL: sim.baseUrl,
        TAP_ORACLE_WMS_USERNAME: 'demo',
        TAP_ORACLE_WMS_PASSWORD: 'demo',
        TAP_ORACLE_WMS_ENTITIES: '["allocation"]',
        TAP_ORACLE_WMS_ENABLE_INCREMENTAL: 'false',
        TAP_ORACLE_WMS_EMIT_ACTIVATE_VERSION: 'true',
        TAP_ORACLE_WMS_ID_RANGE: '{"gte": 100, "lt": 200}',
      },
    });
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /'id_range' cannot be combined with 'emit_activate_version'/);
    assert.deepEqual(sim.admin.requests(), []);
  });
});

/** Every allocation id the simulator serves, summed exactly. */
async function sourceIds(sim: RunningSimulator): Promise<{ count: number; sum: bigint; min: bigint; max: bigint }> {
  let url: string | null = `${sim.baseUrl}/wms/lgfapi/v10/entity/allocation/?page_size=1250&fields=id&ordering=id`;
  const ids: bigint[] = [];
  const auth = `Basic ${Buffer.from('demo:demo').toString('base64')}`;
  sim.admin.updateSettings({ latencyMsPerRow: 0 });
  try {
    while (url) {
      const response = await fetch(url, { headers: { authorization: auth } });
      const body = (await response.json()) as { results: { id: number }[]; next_page: string | null };
      ids.push(...body.results.map((r) => BigInt(r.id)));
      url = body.next_page;
    }
  } finally {
    sim.admin.updateSettings({ latencyMsPerRow: 2 });
  }
  return {
    count: ids.length,
    sum: ids.reduce((a, b) => a + b, 0n),
    min: ids.reduce((a, b) => (b < a ? b : a)),
    max: ids.reduce((a, b) => (b > a ? b : a)),
  };
}
