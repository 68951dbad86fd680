/**
 * A Data Extract initial load end to end: the simulator writes allocation's rows as Data Extract files (gzip CSV,
 * the documented default 10 MB of text per file) into the S3-compatible server (moto on 127.0.0.1, as the tests use
 * it), then `tap-oracle-wms` (ingest mode, data_extract.store s3) | `target-oracle` → PostgreSQL, every row checked
 * in. Writing the files is WMS's work, not ours: it is timed on its own and left out of the load's rows/s; the
 * simulator that wrote them (in the bench's process) is closed before the load, and the tap's API calls (discovery)
 * go to a simulator child process whose CPU is measured beside PostgreSQL's and moto's. Each size gets a bucket of
 * its own, emptied and dropped afterwards (moto keeps objects in memory).
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { S3Store } from '../tap-oracle-wms/index.js';
import { startSimulator, type RunningSimulator } from '../wms-simulator/index.js';
import { withScratchSchemas, type PgConnection } from './bench-env.js';
import { measuredPair, tapConfig, type PairFigure } from './pipeline-runs.js';
import { objectStorePid, postgresMeter, treeMeter, type ServerMeters } from './process-cpu.js';
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process.js';

/** The S3-compatible server the bench writes into: scripts/s3-server.sh's `env` (TEST_S3_*). */
export interface BenchS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface DataExtractFigure extends PairFigure {
  files: number;
  /** Bytes of CSV text before gzip, and as stored (gzip). */
  textMb: number;
  storedMb: number;
  /** The simulator writing the files into the store: WMS's share, not in rowsPerSecond. */
  writeSeconds: number;
}

const REGION = 'us-east-1';
const MB = 1024 * 1024;

/** TEST_S3_* as `scripts/s3-server.sh env` prints them, or undefined (the report says the step did not run). */
export function benchS3(): BenchS3 | undefined {
  const env = process.env;
  if (!env.TEST_S3_ENDPOINT || !env.TEST_S3_ACCESS_KEY_ID || !env.TEST_S3_SECRET_ACCESS_KEY) return undefined;
  return {
    endpoint: env.TEST_S3_ENDPOINT,
    accessKeyId: env.TEST_S3_ACCESS_KEY_ID,
    secretAccessKey: env.TEST_S3_SECRET_ACCESS_KEY,
  };
}

async function dropBucket(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (page.Contents ?? []).flatMap((item) => (item.Key === undefined ? [] : [{ Key: item.Key }]));
    if (keys.length === 0) break;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** One load per size: files written into a fresh bucket, then tap | target into a fresh schema. */
export async function dataExtractScaling(
  connection: PgConnection,
  s3: BenchS3,
  sizes: number[],
  fileMb: number,
  onStep: (text: string) => void,
): Promise<DataExtractFigure[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-de-'));
  const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  // The SDK's own switch for its Node 20 notice (as S3Store sets it): the bench's stderr shows progress only.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client({ region: REGION, endpoint: s3.endpoint, forcePathStyle: true, credentials });
  const figures: DataExtractFigure[] = [];
  const motoPid = await objectStorePid(Number(new URL(s3.endpoint).port));
  const servers: ServerMeters = {
    ...(await postgresMeter(connection)),
    ...(motoPid === undefined ? {} : { objectStore: treeMeter(motoPid) }),
  };
  try {
    await withScratchSchemas(connection, async (pgClient, schemaFor) => {
      for (const rows of sizes) {
        const bucket = `bench-de-${rows}-${process.pid}`;
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        let writer: RunningSimulator | undefined = await startSimulator({ port: 0, rows: { allocation: rows } });
        let sim: SimulatorProcess | undefined;
        try {
          const store = new S3Store({ ...s3, region: REGION, bucket, forcePathStyle: true });
          onStep(`Data Extract ${rows} rows: the simulator writes the files into ${store.description}`);
          const writeStart = process.hrtime.bigint();
          const exported = await writer.writeDataExtract(store, {
            entity: 'allocation',
            format: 'csv',
            compressed: true,
            fileSizeBytes: fileMb * MB,
            prefix: 'bench/allocation/',
          });
          const writeSeconds = Number(process.hrtime.bigint() - writeStart) / 1e9;
          let storedBytes = 0;
          for await (const file of store.list('bench/allocation/')) storedBytes += file.size;
          onStep(
            `Data Extract ${rows} rows: ${exported.files.length} file(s) in ${writeSeconds.toFixed(1)} s; tap | target`,
          );

          await writer.close();
          writer = undefined;
          sim = await startSimulatorProcess(rows);
          const schema = await schemaFor(`de_${rows}`);
          const config = await tapConfig(dir, sim.baseUrl, {
            data_extract: {
              store: 's3',
              bucket,
              region: REGION,
              endpoint: s3.endpoint,
              force_path_style: true,
              prefix: 'bench/',
              format: 'csv',
            },
            data_extract_access_key_id: s3.accessKeyId,
            data_extract_secret_access_key: s3.secretAccessKey,
          });
          const pair = await measuredPair(
            connection,
            pgClient,
            dir,
            schema,
            ['--config', config],
            rows,
            'the Data Extract load',
            { simulator: sim.cpu, ...servers },
          );
          figures.push({
            ...pair,
            files: exported.files.length,
            textMb: Math.round(exported.files.reduce((sum, file) => sum + file.bytes, 0) / MB),
            storedMb: Math.round(storedBytes / MB),
            writeSeconds: Math.round(writeSeconds * 10) / 10,
          });
          // The table is counted: drop it now, so the largest size does not hold every smaller one's rows too.
          await pgClient.query(`DROP SCHEMA "${schema}" CASCADE`);
        } finally {
          await writer?.close();
          await sim?.close();
          await dropBucket(client, bucket);
        }
      }
    });
  } finally {
    client.destroy();
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}
