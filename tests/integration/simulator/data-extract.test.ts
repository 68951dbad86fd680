import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { type ExportRequest, parseExportStatus, pushBody } from '../../../tap-oracle-wms/data-extract/export-api.js';
import { createTestBucket, dropTestBucket, requireS3, s3Client, type S3Server } from '../../helpers/s3-server.js';
import { DEMO_AUTH, SimFixture } from './sim-fixture.js';

/** Test-sized "MB": the 10 MB minimum file of an export is 10 × 4,096 bytes of text, so 1,000 orders are many files. */
const BYTES_PER_MB = 4096;
const STORE = 'wms-exports';

describe('wms-simulator over HTTP: Data Extract trigger and status calls, files into S3 (moto) @integration', function () {
  this.timeout(120_000);
  let fx: SimFixture;
  let server: S3Server;
  let client: S3Client;
  let bucket: string | undefined;
  let counter = 0;

  const request = (overrides: Partial<ExportRequest> = {}): ExportRequest => ({
    entity: 'order_hdr',
    filter: {},
    endpointName: STORE,
    objectStorePath: 'exports',
    fileFormat: 'csv',
    fileSizeInMb: 10,
    compressed: true,
    uniqueIdentifier: `run-${++counter}`,
    ...overrides,
  });
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${fx.sim.baseUrl}/wms/lgfapi/v10/data_extract/${path}`, {
      ...init,
      headers: { Authorization: DEMO_AUTH, 'Content-Type': 'application/json' },
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  const push = (body: unknown) => call('push_to_object_store', { method: 'POST', body: JSON.stringify(body) });
  const status = async (id: string) => {
    const answer = await call(`export_async_status?unique_identifier=${id}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    return parseExportStatus(answer.json, id);
  };
  /** Polls (as a tap does, a short pause between polls) until the status is not IN_PROGRESS; a hang guard only. */
  const finished = async (id: string) => {
    for (let polls = 0; polls < 2000; polls++) {
      const answer = await status(id);
      if (answer.status !== 'IN_PROGRESS') return answer;
      await delay(20);
    }
    assert.fail(`export ${id} still IN_PROGRESS`);
  };
  const exportOf = async (id: string) => {
    const all = (await fx.admin('GET', 'exports')).json.exports;
    return all.find((item: { unique_identifier: string }) => item.unique_identifier === id);
  };
  /** Waits until the simulator has written every file of the export (held late files aside). */
  const written = async (id: string) => {
    for (let polls = 0; polls < 2000; polls++) {
      const job = await exportOf(id);
      if (job.entities.every((entity: { writing: string }) => ['done', 'failed'].includes(entity.writing))) return job;
      await delay(20);
    }
    assert.fail(`export ${id} still writing`);
  };
  const keys = async (prefix: string) => {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (page.Contents ?? []).map((item) => item.Key!);
  };
  const bytesOf = async (key: string) => {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  };

  before(async function () {
    server = requireS3(this);
    client = s3Client(server);
    bucket = await createTestBucket(client, 'dx-sim');
    fx = await SimFixture.start({ dataExtractBytesPerMb: BYTES_PER_MB });
  });
  beforeEach(async () => {
    await fx.admin('POST', 'reset');
    const stored = await fx.admin('PUT', `object-stores/${STORE}`, {
      type: 's3',
      bucket,
      endpoint: server.endpoint,
      region: server.region,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    });
    assert.equal(stored.status, 200, stored.text);
    assert.ok(!stored.text.includes(server.secretAccessKey), 'the admin answer holds no secret');
  });
  after(async () => {
    await fx?.close();
    if (bucket !== undefined) await dropTestBucket(client, bucket);
    client?.destroy();
  });

  it("exports an entity as the adapter asks: every row once, gzip CSV files within the size, under the status's file_prefix", async () => {
    const ask = request();
    const accepted = await push(pushBody(ask));
    assert.equal(accepted.status, 200, JSON.stringify(accepted.json));
    const done = await finished(ask.uniqueIdentifier);
    assert.equal(done.status, 'COMPLETED');
    const [entity] = done.entities;
    assert.deepEqual(entity, {
      entity: 'order_hdr',
      status: 'COMPLETED',
      filePrefix: `exports/${ask.uniqueIdentifier}/order_hdr/`,
    });
    const files = await keys(entity.filePrefix);
    assert.ok(files.length > 3, `several files (${files.length})`);
    let rows = 0;
    for (const key of files) {
      assert.match(key, /order_hdr_\d{6}\.csv\.gz$/);
      const text = gunzipSync(await bytesOf(key)).toString('utf8');
      assert.ok(Buffer.byteLength(text) <= 10 * BYTES_PER_MB, `${key} within 10 "MB"`);
      const lines = text.split('\n').filter((line) => line !== '');
      assert.match(lines[0], /^id,/);
      rows += lines.length - 1;
    }
    const rest = await fx.get('order_hdr/?page_mode=paged&page_size=1');
    assert.equal(rows, rest.json.result_count);
  });

  it('a mod_ts window exports the rows REST lists with the same filter; JSON, uncompressed', async () => {
    const since = '2025-06-15T00:00:00Z';
    const ask = request({ filter: { mod_ts__gte: since }, fileFormat: 'json', compressed: false });
    assert.equal((await push(pushBody(ask))).status, 200);
    const done = await finished(ask.uniqueIdentifier);
    let rows = 0;
    for (const key of await keys(done.entities[0].filePrefix!)) {
      assert.match(key, /\.json$/);
      rows += (await bytesOf(key))
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '').length;
    }
    const rest = await fx.get(`order_hdr/?page_mode=paged&page_size=1&mod_ts__gte=${since}`);
    assert.ok(rows > 0 && rows < 1000, `a window, not the table (${rows})`);
    assert.equal(rows, rest.json.result_count);
  });

  it('a retried trigger answers the same export; the identifier with another body, bad fields and unknown ids are refused', async () => {
    const ask = request();
    assert.equal((await push(pushBody(ask))).status, 200);
    assert.equal((await push(pushBody(ask))).status, 200);
    assert.equal((await fx.admin('GET', 'exports')).json.exports.length, 1);
    const other = await push(pushBody({ ...ask, entity: 'item' }));
    assert.equal(other.status, 400);
    assert.match(other.json.details['options.unique_identifier'], /names another export/);
    const bad = await push(
      pushBody(
        request({ fileSizeInMb: 5, endpointName: 'nowhere', filter: { order_nbr: 'A1', mod_ts__gte: '2025-01-01' } }),
      ),
    );
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.json.details).sort(), [
      'options.endpoint.name',
      'options.file_size_in_mb',
      'parameters.entities[0].filter',
    ]);
    assert.equal((await call('export_async_status?unique_identifier=never')).status, 404);
    assert.equal((await call('push_to_object_store')).status, 405);
    const anonymous = await fetch(
      `${fx.sim.baseUrl}/wms/lgfapi/v10/data_extract/export_async_status?unique_identifier=x`,
    );
    assert.equal(anonymous.status, 401);
    await finished(ask.uniqueIdentifier);
  });

  it('fault export-late: one file lands only after later files and 3 more status polls; COMPLETED only then', async () => {
    await fx.admin('PUT', 'faults', { spec: 'order_hdr:export-late(1,3)@1' });
    const ask = request();
    await push(pushBody(ask));
    const job = await written(ask.uniqueIdentifier);
    const prefix = job.entities[0].prefix;
    const late = `${prefix}order_hdr_000001.csv.gz`;
    assert.ok(!(await keys(prefix)).includes(late), 'not there while the others are');
    assert.ok((await keys(prefix)).length > 2);
    const seen: string[] = [];
    for (let poll = 1; poll <= 3; poll++) {
      seen.push((await status(ask.uniqueIdentifier)).status);
      if (poll < 3) assert.ok(!(await keys(prefix)).includes(late), `still absent after poll ${poll}`);
    }
    assert.deepEqual(seen, ['IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
    assert.ok((await keys(prefix)).includes(late));
    assert.equal((await exportOf(ask.uniqueIdentifier)).entities[0].files.at(-1), late, 'landed last');
  });

  it('fault export-stuck: every file written, the status stays IN_PROGRESS', async () => {
    await fx.admin('PUT', 'faults', { spec: 'order_hdr:export-stuck' });
    const ask = request();
    await push(pushBody(ask));
    const job = await written(ask.uniqueIdentifier);
    assert.equal(job.entities[0].writing, 'done');
    for (let poll = 0; poll < 5; poll++) {
      const answer = await status(ask.uniqueIdentifier);
      assert.equal(answer.status, 'IN_PROGRESS');
      assert.equal(answer.entities[0].status, 'IN_PROGRESS');
    }
  });

  it('fault export-failed(2): FAILED after two files, and only those two are in the store', async () => {
    await fx.admin('PUT', 'faults', { spec: 'order_hdr:export-failed(2)' });
    const ask = request();
    await push(pushBody(ask));
    const done = await finished(ask.uniqueIdentifier);
    assert.equal(done.status, 'FAILED');
    assert.equal(done.entities[0].status, 'FAILED');
    assert.equal((await keys(done.entities[0].filePrefix!)).length, 2);
  });

  it('fault export-truncated(2): the second gzip file is cut short, the others are whole', async () => {
    await fx.admin('PUT', 'faults', { spec: 'order_hdr:export-truncated(2)' });
    const ask = request();
    await push(pushBody(ask));
    const done = await finished(ask.uniqueIdentifier);
    assert.equal(done.status, 'COMPLETED');
    const files = await keys(done.entities[0].filePrefix!);
    for (const [index, key] of files.entries()) {
      const bytes = await bytesOf(key);
      if (index === 1) assert.throws(() => gunzipSync(bytes), /unexpected end of file/);
      else assert.doesNotThrow(() => gunzipSync(bytes));
    }
  });
});
