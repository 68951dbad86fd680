import type { S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../../../singer/index.js';
import type { ObjectStore } from '../../../tap-oracle-wms/data-extract/object-store.js';
import { S3Store } from '../../../tap-oracle-wms/data-extract/s3-store.js';
import { LocalDirectoryStore } from '../../../tap-oracle-wms/index.js';
import { createTestBucket, dropTestBucket, requireS3, s3Client } from '../../helpers/s3-server.js';
import { openBackend, runTarget, type TargetBackend } from '../../helpers/target-backend.js';
import { startSim, type Sim } from '../tap/sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig } from '../tap/tap-harness.js';

const STREAMS = ['order_hdr', 'allocation'];

/** Values a CSV writer and reader must get right, put into simulator rows before either path reads them. */
const EDGE_TEXT = 'say "hi", \\"twice\\" and ""doubled""\nsecond line, with a comma\\';
const EDGE_DECIMAL = '12345678901234567890.123456789';

describe('Data Extract files and REST load the same tables (real tap and target processes, simulator, PostgreSQL; local directory and S3 in moto)', function () {
  this.timeout(300_000);
  let sim: Sim;
  let dir: string;
  let catalog: Catalog;
  let rest: TargetBackend;
  const backends: TargetBackend[] = [];
  /** The bucket of the S3 case, dropped after. */
  let s3: { client: S3Client; bucket: string } | undefined;
  const restRows = new Map<string, Record<string, string | null>[]>();
  let ids: number[];

  before(async function () {
    rest = await openBackend(this, 'postgres', 'dxrest');
    backends.push(rest);
    sim = await startSim();
    dir = scratchDir();
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), STREAMS);
    ids = await firstIds(sim, 'order_hdr', 3);
    sim.admin.update('order_hdr', ids[0], { cust_field_4: EDGE_TEXT, cust_field_1: '', cust_decimal_1: EDGE_DECIMAL });
    sim.admin.update('order_hdr', ids[1], { cust_field_4: null, cust_decimal_1: '-0.000000000000000000001' });
    sim.admin.update('order_hdr', ids[2], { cust_field_4: '', cust_field_1: 'C:\\temp\\new "folder"' });
    const tap = await runTap({ dir, config: tapConfig(sim.baseUrl, { enable_incremental: false }), catalog });
    assert.equal(tap.exitCode, 0, tap.stderr);
    const target = await runTarget(rest.config, tap.stdout);
    assert.equal(target.exitCode, 0, target.stderr);
    for (const stream of STREAMS) restRows.set(stream, await rest.rows(stream, 'id'));
  });
  after(async () => {
    await sim?.close();
    for (const backend of backends) await backend.close();
    if (s3) {
      await dropTestBucket(s3.client, s3.bucket);
      s3.client.destroy();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the REST load holds the edge-case values (so the comparison covers them)', () => {
    const orders = restRows.get('order_hdr')!;
    const byId = (id: number) => orders.find((row) => row.id === String(id))!;
    assert.equal(byId(ids[0]).cust_field_4, EDGE_TEXT);
    assert.equal(byId(ids[0]).cust_field_1, '');
    assert.equal(byId(ids[0]).cust_decimal_1, EDGE_DECIMAL);
    assert.equal(byId(ids[1]).cust_field_4, null);
    assert.equal(byId(ids[2]).cust_field_4, '');
  });

  /** Exports STREAMS into `store`, loads them with the real tap (`settings` for data_extract) and target, compares. */
  const loadAndCompare = async (
    ctx: Mocha.Context,
    schema: string,
    store: ObjectStore,
    format: 'csv' | 'json',
    compressed: boolean,
    settings: Record<string, unknown>,
  ): Promise<void> => {
    const backend = await openBackend(ctx, 'postgres', schema);
    backends.push(backend);
    for (const entity of STREAMS) {
      const exported = await sim.writeDataExtract(store, {
        entity,
        format,
        compressed,
        fileSizeBytes: 128 * 1024,
        prefix: `run-1/${entity}/`,
      });
      assert.ok(exported.files.length > 1, `${entity}: ${exported.files.length} files`);
    }
    const tap = await runTap({
      dir,
      config: tapConfig('http://127.0.0.1:9', { enable_incremental: false, ...settings }),
      catalog,
    });
    assert.equal(tap.exitCode, 0, tap.stderr);
    assert.deepEqual(tap.report.problems, []);
    const target = await runTarget(backend.config, tap.stdout);
    assert.equal(target.exitCode, 0, target.stderr);
    for (const stream of STREAMS) {
      const expected = restRows.get(stream)!;
      const actual = await backend.rows(stream, 'id');
      assert.ok(expected.length > 100, `${stream}: ${expected.length} rows`);
      assert.deepEqual(Object.keys(actual[0]), Object.keys(expected[0]), `${stream} columns`);
      assert.equal(actual.length, expected.length, `${stream} row count`);
      for (let index = 0; index < expected.length; index += 1)
        assert.deepEqual(actual[index], expected[index], `${stream} row id ${expected[index].id}`);
    }
  };

  for (const [format, compressed] of [
    ['csv', false],
    ['json', true],
  ] as const)
    it(`${format}${compressed ? ' gzip' : ''} files in a local directory: every column of every row as the REST load`, async function () {
      const root = path.join(dir, `store-${format}`);
      await loadAndCompare(this, `dx${format}`, new LocalDirectoryStore(root), format, compressed, {
        data_extract: { directory: root, prefix: 'run-1/', format },
      });
    });

  it('csv gzip files in an S3 bucket (moto), read with store s3: every column of every row as the REST load', async function () {
    const server = requireS3(this);
    const client = s3Client(server);
    const bucket = await createTestBucket(client, 'dx-tables');
    s3 = { client, bucket };
    const store = new S3Store({ ...server, bucket, forcePathStyle: true });
    await loadAndCompare(this, 'dxs3', store, 'csv', true, {
      data_extract: {
        store: 's3',
        bucket,
        region: server.region,
        endpoint: server.endpoint,
        force_path_style: true,
        prefix: 'run-1/',
        format: 'csv',
      },
      data_extract_access_key_id: server.accessKeyId,
      data_extract_secret_access_key: server.secretAccessKey,
    });
  });
});

/** The lowest ids of an entity, read through the simulator's REST API. */
async function firstIds(sim: Sim, entity: string, count: number): Promise<number[]> {
  const response = await fetch(
    `${sim.baseUrl}/wms/lgfapi/v10/entity/${entity}/?page_size=${count}&ordering=id&fields=id`,
    { headers: { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` } },
  );
  return ((await response.json()) as { results: { id: number }[] }).results.map((row) => row.id);
}
