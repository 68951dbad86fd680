import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { requireEnvOrSkip } from './require-env.js';

/** The S3-compatible test server scripts/s3-server.sh starts (moto), as scripts/test.sh exports it. */
export interface S3Server {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const ENV_NAMES = ['TEST_S3_ENDPOINT', 'TEST_S3_ACCESS_KEY_ID', 'TEST_S3_SECRET_ACCESS_KEY'] as const;
const HOW_TO_SET = 'run `npm test`, or `scripts/s3-server.sh start && eval "$(scripts/s3-server.sh env)"` before mocha';

/**
 * For a `before` hook: the server, or skip. scripts/test.sh sets TEST_S3_UNAVAILABLE when PyPI could not be reached
 * to install moto: then the tests skip with that reason, in CI too (like the peer plugins); otherwise a missing
 * server skips outside CI and fails in CI.
 */
export function requireS3(ctx: Mocha.Context): S3Server {
  const unavailable = process.env.TEST_S3_UNAVAILABLE;
  if (unavailable) {
    console.warn(`      skipped: ${unavailable}`);
    ctx.skip();
  }
  requireEnvOrSkip(ctx, ENV_NAMES, HOW_TO_SET);
  return {
    endpoint: process.env.TEST_S3_ENDPOINT!,
    region: 'us-east-1',
    accessKeyId: process.env.TEST_S3_ACCESS_KEY_ID!,
    secretAccessKey: process.env.TEST_S3_SECRET_ACCESS_KEY!,
  };
}

/** An SDK client of the test server, for arranging what a test reads (path-style, the test key). */
export function s3Client(server: S3Server): S3Client {
  // The SDK's own switch for its Node 20 NodeVersionSupportWarning (as S3Store sets it in the tap): the notice is for
  // whoever updates the dependency, not a line in every mocha run. Set before the client, which reads it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: server.region,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
}

/** A new empty bucket with a random name (tests never share one). */
export async function createTestBucket(client: S3Client, label: string): Promise<string> {
  const bucket = `${label}-${randomBytes(6).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Deletes every object of the bucket, then the bucket (for `after` hooks). */
export async function dropTestBucket(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (page.Contents ?? []).flatMap((item) => (item.Key === undefined ? [] : [{ Key: item.Key }]));
    if (keys.length === 0) break;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}
