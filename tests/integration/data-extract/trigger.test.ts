import type { S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Catalog, TapState } from '../../../singer/index.js';
import { parseInstant } from '../../../tap-oracle-wms/instant.js';
import { createTestBucket, dropTestBucket, requireS3, s3Client, type S3Server } from '../../helpers/s3-server.js';
import { startSim, type Sim } from '../tap/sim.js';
import {
  discoverCatalog,
  idsOf,
  runTap,
  scratchDir,
  selectStreams,
  sortedUnique,
  tapConfig,
} from '../tap/tap-harness.js';

/** Test-sized "MB" in the simulator: the 10 MB minimum file is 40 KB of text, so 1,000 orders are many files. */
const BYTES_PER_MB = 4096;
const STORE = 'wms-exports';

/** The tap's failure line on stderr. */
function failureOf(stderr: string): { exit_code: number; retriable: boolean; message: string } {
  const line = stderr.split('\n').find((text) => text.includes('"type":"failure"'));
  assert.ok(line, `no failure line in:\n${stderr}`);
  return JSON.parse(line.slice(line.indexOf('{')));
}

interface ExtractState {
  prefix: string;
  through?: { key: string; etag: string };
  complete: boolean;
}

describe('Data Extract trigger mode: real tap processes, the simulator over HTTP, files in S3 (moto) @integration', function () {
  this.timeout(300_000);
  let server: S3Server;
  let client: S3Client;
  let bucket: string | undefined;
  let sim: Sim;
  let dir: string;
  let catalog: Catalog;
  let allIds: string[];

  /** Tap config for trigger mode: fast polls, the given export timeout. */
  const config = (trigger: Record<string, unknown> = {}) =>
    tapConfig(sim.baseUrl, {
      replication_lag_seconds: 0,
      incremental_overlap_minutes: 0,
      data_extract: {
        store: 's3',
        bucket,
        region: server.region,
        endpoint: server.endpoint,
        force_path_style: true,
        format: 'csv',
        trigger: {
          endpoint_name: STORE,
          object_store_path: 'exports',
          poll_initial_seconds: 0.05,
          poll_max_seconds: 0.2,
          ...trigger,
        },
      },
      data_extract_access_key_id: server.accessKeyId,
      data_extract_secret_access_key: server.secretAccessKey,
    });
  const withFaults = (spec: string) => {
    sim.admin.setFaults(spec);
  };

  before(async function () {
    server = requireS3(this);
    client = s3Client(server);
    bucket = await createTestBucket(client, 'dx-trigger');
    sim = await startSim({ dataExtractBytesPerMb: BYTES_PER_MB });
    dir = scratchDir();
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['order_hdr']);
    const rest = await runTap({ dir, config: tapConfig(sim.baseUrl, { enable_incremental: false }), catalog });
    assert.equal(rest.exitCode, 0, rest.stderr);
    allIds = sortedUnique(idsOf(rest, 'order_hdr'));
  });
  beforeEach(() => {
    sim.admin.dataExtract.configureStore(STORE, {
      type: 's3',
      bucket,
      endpoint: server.endpoint,
      region: server.region,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    });
  });
  afterEach(() => withFaults(''));
  after(async () => {
    await sim?.close();
    if (bucket !== undefined) await dropTestBucket(client, bucket);
    client?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a file that lands late, after later files: still loaded; every row once, handoff bookmark = export request', async () => {
    withFaults('order_hdr:export-late(1,3)');
    const before = Date.now() * 1000;
    const run = await runTap({ dir, config: config(), catalog, env: { LOGLEVEL: 'debug' } });
    const after = Date.now() * 1000;
    assert.equal(run.exitCode, 0, run.stderr);
    const ids = idsOf(run, 'order_hdr');
    assert.equal(ids.length, allIds.length, 'each row once');
    assert.deepEqual(sortedUnique(ids), allIds);
    const done = [...run.stderr.matchAll(/Data Extract file '([^']+)' done/g)].map((match) => match[1]);
    assert.ok(done.length > 2, `several files (${done.length})`);
    assert.match(
      done.at(-1)!,
      /\/order_hdr\/order_hdr_000001\.csv\.gz$/,
      'the late file was loaded when it landed, last',
    );
    assert.match(done[0], /\/order_hdr\/order_hdr_000002\.csv\.gz$/, 'the files before it were loaded as they landed');
    const bookmark = (run.lastState as TapState).bookmarks.order_hdr;
    const extract = bookmark.data_extract as ExtractState;
    assert.equal(extract.complete, true);
    assert.equal(extract.through?.key, [...done].sort().at(-1), 'the watermark is the greatest key, once whole');
    assert.equal(bookmark.replication_key, 'mod_ts');
    const handoff = parseInstant(String(bookmark.replication_key_value));
    assert.ok(handoff !== undefined && handoff >= before && handoff <= after, 'the instant the export was requested');
    assert.match(run.stderr, /order_hdr: requested the Data Extract export of 'order_hdr' \('order_hdr-[^']+'\)/);
    assert.match(run.stderr, /is COMPLETED after/);
    assert.match(run.stderr, /Data Extract file\(s\) loaded so far/);
  });

  it('a status stuck IN_PROGRESS: a retriable exit 4 after export timeout_seconds, naming the entity and the export', async () => {
    withFaults('order_hdr:export-stuck');
    const run = await runTap({ dir, config: config({ timeout_seconds: 1 }), catalog });
    assert.equal(run.exitCode, 4, run.stderr);
    const failure = failureOf(run.stderr);
    assert.equal(failure.retriable, true);
    assert.match(
      failure.message,
      /^the Data Extract export of 'order_hdr' \('order_hdr-[^']+'\) is still IN_PROGRESS after \d+ s, past the export timeout \(1 s\)/,
    );
    const extract = run.lastState?.bookmarks.order_hdr?.data_extract as ExtractState;
    assert.equal(extract.complete, false, 'the load is not marked complete');
  });

  it('a failed export: exit 4 naming the entity and the export identifier, not retriable', async () => {
    withFaults('order_hdr:export-failed(1)');
    const run = await runTap({ dir, config: config(), catalog });
    assert.equal(run.exitCode, 4, run.stderr);
    const failure = failureOf(run.stderr);
    assert.equal(failure.retriable, false);
    assert.match(failure.message, /^the Data Extract export of 'order_hdr' \('order_hdr-[^']+'\) FAILED in WMS/);
  });

  it('a truncated gzip file: exit 3 naming the file; no STATE names it, the load is not complete', async () => {
    withFaults('order_hdr:export-truncated(2)');
    const run = await runTap({ dir, config: config(), catalog });
    assert.equal(run.exitCode, 3, run.stderr);
    const failure = failureOf(run.stderr);
    const cut =
      /Data Extract file '(exports\/order_hdr-[^/]+\/order_hdr\/order_hdr_000002\.csv\.gz)' in S3 bucket .*: the gzip data is truncated or corrupt/.exec(
        failure.message,
      );
    assert.ok(cut, failure.message);
    const extract = run.lastState?.bookmarks.order_hdr?.data_extract as ExtractState;
    assert.ok(!run.stdout.includes(cut[1]), 'the truncated file is never in a STATE');
    assert.equal(extract.through, undefined, 'no watermark before the load is whole');
    assert.equal(extract.complete, false);
  });

  it('a mod_ts window: only the rows in it, and no ACTIVATE_VERSION (the export is not the whole table)', async () => {
    const since = '2025-06-15T00:00:00Z';
    const run = await runTap({
      dir,
      config: { ...config({ window_start: since }), emit_activate_version: true },
      catalog,
    });
    assert.equal(run.exitCode, 0, run.stderr);
    const rest = await runTap({
      dir,
      config: tapConfig(sim.baseUrl, { replication_lag_seconds: 0, incremental_overlap_minutes: 0 }),
      catalog,
      state: {
        bookmarks: { order_hdr: { replication_key: 'mod_ts', replication_key_value: '2025-06-15T00:00:00+00:00' } },
      },
    });
    assert.equal(rest.exitCode, 0, rest.stderr);
    assert.deepEqual(sortedUnique(idsOf(run, 'order_hdr')), sortedUnique(idsOf(rest, 'order_hdr')));
    assert.ok(idsOf(run, 'order_hdr').length < allIds.length);
    assert.ok(!run.stdout.includes('"ACTIVATE_VERSION"'));
  });
});
