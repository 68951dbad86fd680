import type { S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Catalog, parseJsonExact, type TapState } from '../../../singer/index.js';
import { parseInstant } from '../../../tap-oracle-wms/instant.js';
import { binPath } from '../../helpers/run-bin.js';
import { createTestBucket, dropTestBucket, requireS3, s3Client, type S3Server } from '../../helpers/s3-server.js';
import { openBackend, runTarget, states, type TargetBackend } from '../../helpers/target-backend.js';
import { startSim, type Sim } from '../tap/sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig, writeJson } from '../tap/tap-harness.js';

/** Test-sized "MB" in the simulator: the 10 MB minimum file is 40 KB of text, so 1,000 orders are many files. */
const BYTES_PER_MB = 4096;
const STORE = 'wms-exports';
const PUSH = /\/data_extract\/push_to_object_store\/?$/;

interface TriggerProgress {
  prefix: string;
  complete: boolean;
  version?: number;
  export?: { id: string; requested_at: string };
  loaded?: [string, string][];
  through?: { key: string };
}
const progressOf = (state: unknown): TriggerProgress =>
  (state as TapState).bookmarks.order_hdr.data_extract as TriggerProgress;

describe('Data Extract trigger mode killed with kill -9 between files: the rerun follows the same export (real tap and target processes, simulator, S3 in moto, PostgreSQL)', function () {
  this.timeout(300_000);
  let server: S3Server;
  let client: S3Client;
  let bucket: string | undefined;
  let sim: Sim;
  let dir: string;
  let backend: TargetBackend;

  before(async function () {
    server = requireS3(this);
    backend = await openBackend(this, 'postgres', 'dxtrigres');
    client = s3Client(server);
    bucket = await createTestBucket(client, 'dx-trigger-resume');
    sim = await startSim({ dataExtractBytesPerMb: BYTES_PER_MB });
    sim.admin.dataExtract.configureStore(STORE, {
      type: 's3',
      bucket,
      endpoint: server.endpoint,
      region: server.region,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    });
    dir = scratchDir();
  });
  after(async () => {
    await sim?.close();
    await backend?.close();
    if (bucket !== undefined) await dropTestBucket(client, bucket);
    client?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let catalog: Catalog;
  let total: number;
  const pushes = () => sim.admin.requests().filter((entry) => entry.method === 'POST' && PUSH.test(entry.path));
  const triggerConfig = () =>
    tapConfig(sim.baseUrl, {
      replication_lag_seconds: 0,
      incremental_overlap_minutes: 0,
      emit_activate_version: true,
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
        },
      },
      data_extract_access_key_id: server.accessKeyId,
      data_extract_secret_access_key: server.secretAccessKey,
    });

  before(async () => {
    if (sim === undefined) return;
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['order_hdr']);
    const rest = await runTap({ dir, config: tapConfig(sim.baseUrl, { enable_incremental: false }), catalog });
    assert.equal(rest.exitCode, 0, rest.stderr);
    total = rest.report.records.order_hdr.length;
  });

  it('asks for no second export, loads only the files not committed, every row once, handoff at the first request', async () => {
    const config = triggerConfig();
    const pushedBefore = pushes().length;

    // First run: killed with SIGKILL as soon as it logs that its second file is done (a point between files).
    const startedUs = Date.now() * 1000;
    const tap = spawn(
      process.execPath,
      [
        binPath('tap-oracle-wms'),
        '--config',
        writeJson(dir, 'config.json', config),
        '--catalog',
        writeJson(dir, 'catalog.json', catalog),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOGLEVEL: 'debug' } },
    );
    const exited = new Promise<void>((resolve) => tap.once('close', () => resolve()));
    const sent: string[] = [];
    const collected = (async () => {
      for await (const line of createInterface({ input: tap.stdout })) sent.push(line);
    })();
    let done = 0;
    for await (const line of createInterface({ input: tap.stderr }))
      if (/Data Extract file '[^']+' done/.test(line) && ++done === 2) {
        tap.kill('SIGKILL');
        break;
      }
    await Promise.all([exited, collected]);
    const killedUs = Date.now() * 1000;
    assert.equal(done, 2, 'the first run got through two files before it was killed');
    assert.equal(pushes().length, pushedBefore + 1);

    const first = await runTarget(backend.config, `${sent.join('\n')}\n`);
    assert.equal(first.exitCode, 0, first.stderr);
    const committed = states(first).at(-1);

    // Rerun from the target's state: the same export followed, only the files not committed loaded.
    const second = await runTap({ dir, config, catalog, state: committed });
    assert.equal(second.exitCode, 0, second.stderr);
    assert.equal(pushes().length, pushedBefore + 1, 'the rerun asked WMS for no new export');
    assert.match(second.stderr, /resuming the Data Extract export '[^']+' requested at/);

    // What the first run committed: the export it follows and the files it finished.
    const cut = progressOf(committed);
    assert.equal(cut.complete, false);
    assert.ok(cut.export, 'the state records the export it follows');
    assert.ok((cut.loaded?.length ?? 0) >= 1, `files committed before the kill: ${JSON.stringify(cut.loaded)}`);
    // The records the first run sent before the STATE the target committed last: the committed files' rows.
    const stateAt = sent.findIndex(
      (line) =>
        line.startsWith('{"type":"STATE"') &&
        JSON.stringify((parseJsonExact(line) as { value: unknown }).value) === JSON.stringify(committed),
    );
    const committedRows = sent.slice(0, stateAt).filter((line) => line.startsWith('{"type":"RECORD"')).length;
    assert.ok(committedRows > 0 && committedRows < total, `${committedRows} of ${total} rows committed`);
    assert.equal(
      second.report.records.order_hdr.length,
      total - committedRows,
      'the rerun sends the rows of the files not committed, none of a committed file',
    );
    const versions = second.report.messages
      .filter((message) => message.type === 'ACTIVATE_VERSION')
      .map((message) => (message as { version: number }).version);
    assert.deepEqual(versions, [cut.version, cut.version], "the first run's version, announced again and closed");
    const loaded = await runTarget(backend.config, second.stdout);
    assert.equal(loaded.exitCode, 0, loaded.stderr);
    const final = states(loaded).at(-1) as TapState;
    const finished = progressOf(final);
    assert.equal(finished.complete, true);
    assert.equal(finished.loaded, undefined, 'the list of files gives way to the watermark once the load is whole');
    assert.ok(finished.through);

    // Every row once, none retired; the handoff bookmark is the first run's request instant.
    const rows = await backend.query(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM ${backend.table('order_hdr')}`,
    );
    assert.deepEqual(rows[0], { n: total, ids: total });
    const handoff = parseInstant(String(final.bookmarks.order_hdr.replication_key_value));
    assert.ok(
      handoff !== undefined && handoff >= startedUs && handoff <= killedUs,
      'the instant the first run requested the export',
    );
  });

  it('a rerun after a FAILED export asks for a new one, saying so, and loads every row', async () => {
    const config = triggerConfig();
    sim.admin.setFaults('order_hdr:export-failed(1)');
    const failed = await runTap({ dir, config, catalog });
    sim.admin.setFaults('');
    assert.equal(failed.exitCode, 4, failed.stderr);
    const recorded = progressOf(failed.lastState).export;
    assert.ok(recorded, 'the failed run recorded its export');
    const pushedBefore = pushes().length;
    const rerun = await runTap({ dir, config, catalog, state: failed.lastState });
    assert.equal(rerun.exitCode, 0, rerun.stderr);
    assert.equal(pushes().length, pushedBefore + 1, 'a new export');
    assert.ok(
      rerun.stderr.includes(`the recorded Data Extract export '${recorded.id}' FAILED in WMS: asking for a new export`),
      rerun.stderr,
    );
    assert.equal(rerun.report.records.order_hdr.length, total);
    assert.notEqual(progressOf(rerun.lastState).export?.id, recorded.id);
  });
});
