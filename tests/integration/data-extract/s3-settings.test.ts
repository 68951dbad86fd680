import type { S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Catalog } from '../../../singer/index.js';
import { S3Store } from '../../../tap-oracle-wms/data-extract/s3-store.js';
import { createTestBucket, dropTestBucket, requireS3, s3Client, type S3Server } from '../../helpers/s3-server.js';
import { startSim, type Sim } from '../tap/sim.js';
import { discoverCatalog, idsOf, runTap, scratchDir, selectStreams, tapConfig } from '../tap/tap-harness.js';

/** The tap's failure line on stderr: its exit code and message. */
function failureOf(stderr: string): { exit_code: number; message: string } {
  const line = stderr.split('\n').find((text) => text.includes('"type":"failure"'));
  assert.ok(line, `no failure line in:\n${stderr}`);
  return JSON.parse(line.slice(line.indexOf('{'))) as { exit_code: number; message: string };
}

/** The AWS SDK's switch for its Node-version warning: removed from the tap's environment so the tap decides. */
const WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

describe('data_extract store s3 from the settings (real tap processes)', function () {
  this.timeout(180_000);
  let dir: string;

  before(() => {
    dir = scratchDir();
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // No request is made: the config is refused first, so no WMS and no S3 server are needed.
  const refused = async (settings: Record<string, unknown>): Promise<string> => {
    const run = await runTap({ dir, config: tapConfig('http://127.0.0.1:9', settings), args: ['--discover'] });
    assert.equal(run.exitCode, 2, run.stderr);
    const failure = failureOf(run.stderr);
    assert.equal(failure.exit_code, 2);
    return failure.message;
  };

  it("set for a Meltano project's incremental extractor (as inherited from tap-oracle-wms): exit 2 naming the full one", async () => {
    const run = await runTap({
      dir,
      config: tapConfig('http://127.0.0.1:9', { data_extract: { directory: dir } }),
      args: ['--discover'],
      env: { MELTANO_EXTRACTOR_NAME: 'tap-oracle-wms--allocation-incremental' },
    });
    assert.equal(run.exitCode, 2, run.stderr);
    assert.match(
      failureOf(run.stderr).message,
      /'data_extract' is set for tap-oracle-wms--allocation-incremental, an incremental job's extractor, .*: set it on tap-oracle-wms--allocation-full only/,
    );
  });

  it('store s3 without bucket and region: exit 2 naming both settings', async () => {
    const message = await refused({ data_extract: { store: 's3' } });
    assert.match(message, /^Invalid configuration \(2 problems\)/);
    assert.match(message, /'data_extract\.bucket' is required/);
    assert.match(message, /'data_extract\.region' is required/);
    assert.doesNotMatch(message, /"then" schema/);
  });

  it('an access key without its secret, or with a local store: exit 2, the values never shown', async () => {
    const lonely = await refused({
      data_extract: { store: 's3', bucket: 'exports', region: 'eu-frankfurt-1' },
      data_extract_access_key_id: 'AKIAFAKEFAKEFAKE0001',
    });
    assert.match(lonely, /'data_extract_access_key_id' and 'data_extract_secret_access_key' go together/);
    assert.doesNotMatch(lonely, /AKIAFAKEFAKEFAKE0001/);
    const local = await refused({
      data_extract: { directory: '/exports' },
      data_extract_access_key_id: 'AKIAFAKEFAKEFAKE0001',
      data_extract_secret_access_key: 'fake-secret-not-real-0001',
    });
    assert.match(local, /are only used with data_extract store s3/);
    assert.doesNotMatch(local, /AKIAFAKEFAKEFAKE0001|fake-secret-not-real-0001/);
  });

  describe('against a real S3-compatible server (moto, scripts/s3-server.sh) @integration', () => {
    let server: S3Server;
    let client: S3Client;
    let bucket: string | undefined;
    let sim: Sim;
    let catalog: Catalog;
    let exportedIds: string[];

    before(async function () {
      server = requireS3(this);
      client = s3Client(server);
      bucket = await createTestBucket(client, 'dx-settings');
      sim = await startSim();
      catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['order_hdr']);
      const store = new S3Store({ ...server, bucket, forcePathStyle: true });
      const exported = await sim.writeDataExtract(store, {
        entity: 'order_hdr',
        format: 'csv',
        compressed: true,
        fileSizeBytes: 64 * 1024,
        prefix: 'run-1/order_hdr/',
      });
      assert.ok(exported.files.length > 1, `${exported.files.length} files`);
      const rest = await runTap({ dir, config: tapConfig(sim.baseUrl, { enable_incremental: false }), catalog });
      assert.equal(rest.exitCode, 0, rest.stderr);
      exportedIds = idsOf(rest, 'order_hdr');
    });
    after(async () => {
      await sim?.close();
      if (bucket !== undefined) await dropTestBucket(client, bucket);
      client?.destroy();
    });

    it('loads every row from the bucket; stderr has no NodeVersionSupportWarning and no key', async () => {
      const run = await runTap({
        dir,
        config: tapConfig('http://127.0.0.1:9', {
          enable_incremental: false,
          data_extract: {
            store: 's3',
            bucket,
            region: server.region,
            endpoint: server.endpoint,
            force_path_style: true,
            prefix: 'run-1/',
          },
          data_extract_access_key_id: server.accessKeyId,
          data_extract_secret_access_key: server.secretAccessKey,
        }),
        catalog,
        env: { [WARNING_SWITCH]: undefined },
      });
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(run.report.problems, []);
      assert.deepEqual(idsOf(run, 'order_hdr'), exportedIds);
      assert.doesNotMatch(run.stderr, /NodeVersionSupportWarning|AWS SDK for JavaScript/);
      assert.ok(!run.stderr.includes(server.secretAccessKey), 'the secret is not on stderr');
    });

    it('a wrong secret: exit 4 naming the bucket and endpoint, the secret never shown', async () => {
      const wrong = 'wrong-fake-secret-key-0000000000000000';
      const run = await runTap({
        dir,
        config: tapConfig('http://127.0.0.1:9', {
          enable_incremental: false,
          data_extract: {
            store: 's3',
            bucket,
            region: server.region,
            endpoint: server.endpoint,
            force_path_style: true,
            prefix: 'run-1/',
          },
          data_extract_access_key_id: server.accessKeyId,
          data_extract_secret_access_key: wrong,
        }),
        catalog,
      });
      assert.equal(run.exitCode, 4, run.stderr);
      const failure = failureOf(run.stderr);
      assert.match(failure.message, /the object store refused the credentials or the permission/);
      assert.ok(failure.message.includes(`S3 bucket '${bucket}' at ${server.endpoint}`), failure.message);
      assert.ok(!run.stderr.includes(wrong), 'the secret is not on stderr');
    });
  });
});
