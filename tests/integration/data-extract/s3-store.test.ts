import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConfigError, ExitCode, SourceError } from '../../../singer/index.js';
import { S3Store } from '../../../tap-oracle-wms/data-extract/s3-store.js';
import type { StoredFile } from '../../../tap-oracle-wms/data-extract/object-store.js';
import { createTestBucket, dropTestBucket, requireS3, s3Client, type S3Server } from '../../helpers/s3-server.js';

/** More keys than one ListObjectsV2 page holds (1,000): only following the continuation token lists them all. */
const MANY_KEYS = 1205;
/** Three 8 MiB parts and a short one: a streamed multipart write, and a read that arrives in many chunks. */
const LARGE_BYTES = 3 * 8 * 1024 * 1024 + 123_456;

/** Deterministic bytes (LARGE_BYTES is a multiple of 4), chunk by chunk: the test never holds the object whole. */
function* largeChunks(): Generator<Buffer> {
  const chunk = 1024 * 1024;
  for (let offset = 0; offset < LARGE_BYTES; offset += chunk) {
    const bytes = Buffer.alloc(Math.min(chunk, LARGE_BYTES - offset));
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE(((offset + i) * 2654435761) >>> 0, i);
    yield bytes;
  }
}

async function collect(files: AsyncIterable<StoredFile>): Promise<StoredFile[]> {
  const all: StoredFile[] = [];
  for await (const file of files) all.push(file);
  return all;
}

async function failureOf(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('expected a failure');
}

/** A port nothing listens on: one the kernel just gave and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

describe('data-extract: S3Store against a real S3-compatible server (moto, scripts/s3-server.sh) @integration', function () {
  this.timeout(300_000);
  let server: S3Server;
  let client: S3Client;
  let bucket: string | undefined;

  const store = (overrides: Partial<ConstructorParameters<typeof S3Store>[0]> = {}): S3Store =>
    new S3Store({
      bucket: bucket!,
      region: server.region,
      endpoint: server.endpoint,
      forcePathStyle: true,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      ...overrides,
    });

  before(async function () {
    server = requireS3(this);
    client = s3Client(server);
    bucket = await createTestBucket(client, 'dx-store');
  });

  after(async () => {
    if (bucket !== undefined) await dropTestBucket(client, bucket);
    client?.destroy();
  });

  it(`lists all ${MANY_KEYS} keys under a prefix in key order, across ListObjectsV2 pages, and nothing outside it`, async () => {
    const keys = Array.from({ length: MANY_KEYS }, (_, i) => `many/allocation_${String(i).padStart(5, '0')}.csv`);
    const outside = ['many-not/x.csv', 'man/y.csv', 'other/z.csv'];
    const all = [...keys, ...outside];
    for (let i = 0; i < all.length; i += 50) {
      await Promise.all(
        all
          .slice(i, i + 50)
          .map((key) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `id\n${key}\n` }))),
      );
    }
    const listed = await collect(store().list('many/'));
    assert.deepEqual(
      listed.map((file) => file.key),
      keys,
    );
    const first = listed[0];
    assert.equal(first.size, Buffer.byteLength(`id\n${keys[0]}\n`));
    assert.match(first.etag, /^[0-9a-f]{32}$/, 'the etag without its quotes');
    assert.ok(first.lastModified.getTime() > 0);
  });

  it(`writes a ${LARGE_BYTES}-byte stream as a multipart upload and reads it back as a stream, byte for byte`, async () => {
    const written = createHash('sha256');
    for (const chunk of largeChunks()) written.update(chunk);
    await store().write('large/export.bin', Readable.from(largeChunks()));

    const [file] = await collect(store().list('large/'));
    assert.equal(file?.size, LARGE_BYTES);
    assert.match(file.etag, /-4$/, 'a multipart upload of 4 parts (S3 etags end in -<parts>)');

    const read = createHash('sha256');
    let chunks = 0;
    let largest = 0;
    let total = 0;
    for await (const chunk of await store().read('large/export.bin')) {
      const bytes = chunk as Buffer;
      read.update(bytes);
      chunks += 1;
      total += bytes.length;
      largest = Math.max(largest, bytes.length);
    }
    assert.equal(total, LARGE_BYTES);
    assert.equal(read.digest('hex'), written.digest('hex'));
    assert.ok(chunks > 1 && largest < LARGE_BYTES, `streamed in ${chunks} chunks, the largest ${largest} bytes`);
  });

  it('reads a gzip object as its stored bytes, even with Content-Encoding: gzip (the readers unzip, not HTTP)', async () => {
    const csv = 'id,code\n1,"a ""quoted"", b"\n2,\n';
    const gzip = gzipSync(csv);
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'gz/part-0001.csv.gz', Body: gzip, ContentEncoding: 'gzip' }),
    );
    const parts: Buffer[] = [];
    for await (const chunk of await store().read('gz/part-0001.csv.gz')) parts.push(chunk as Buffer);
    const bytes = Buffer.concat(parts);
    assert.deepEqual(bytes, gzip);
    assert.equal(gunzipSync(bytes).toString('utf8'), csv);
  });

  it('wrong credentials: SourceError exit 4 naming the bucket and endpoint, never the key or secret', async () => {
    const wrongKey = store({ accessKeyId: 'AKIAFAKETESTKEY00000', secretAccessKey: 'fake-secret-for-tests' });
    const wrongSecret = store({ secretAccessKey: 'fake-secret-for-tests' });
    for (const [name, attempt] of [
      ['unknown key, list', () => collect(wrongKey.list('many/'))],
      ['unknown key, read', () => wrongKey.read('gz/part-0001.csv.gz')],
      ['wrong secret, list', () => collect(wrongSecret.list('many/'))],
      ['wrong secret, write', () => wrongSecret.write('x/y.csv', Buffer.from('id\n'))],
    ] as const) {
      const error = await failureOf(attempt);
      assert.ok(error instanceof SourceError, `${name}: ${error.message}`);
      assert.equal(error.exitCode, ExitCode.Source, name);
      assert.match(error.message, /refused the credentials/, name);
      assert.ok(error.message.includes(`'${bucket}'`) && error.message.includes(server.endpoint), error.message);
      for (const secret of ['AKIAFAKETESTKEY00000', 'fake-secret-for-tests', server.secretAccessKey])
        assert.ok(!error.message.includes(secret), `${name}: the message holds a credential`);
    }
  });

  it('a missing bucket: ConfigError exit 2 naming the bucket', async () => {
    const error = await failureOf(() => collect(store({ bucket: 'dx-no-such-bucket' }).list('')));
    assert.ok(error instanceof ConfigError, error.message);
    assert.equal(error.exitCode, ExitCode.Config);
    assert.match(error.message, /bucket does not exist .*'dx-no-such-bucket'/);
  });

  it('an endpoint nothing listens on: SourceError exit 4, retriable, naming the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const error = await failureOf(() => collect(store({ endpoint }).list('')));
    assert.ok(error instanceof SourceError, error.message);
    assert.equal(error.exitCode, ExitCode.Source);
    assert.equal(error.retriable, true);
    assert.ok(
      error.message.includes(`cannot be reached (ECONNREFUSED; S3 bucket '${bucket}' at ${endpoint}`),
      error.message,
    );
  });
});
