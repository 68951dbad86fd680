import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { type Catalog, parseJsonExact, type SingerMessage, type TapState } from '../../../singer/index.js';
import { LocalDirectoryStore } from '../../../tap-oracle-wms/index.js';
import { binPath } from '../../helpers/run-bin.js';
import { openBackend, runTarget, states, type TargetBackend } from '../../helpers/target-backend.js';
import { startSim, type Sim } from '../tap/sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig, writeJson } from '../tap/tap-harness.js';

interface Progress {
  prefix: string;
  through?: { key: string; etag: string };
  complete: boolean;
  version?: number;
}
const progressOf = (state: unknown): Progress => (state as TapState).bookmarks.order_hdr.data_extract as Progress;

/**
 * Runs the real tap and kills it (SIGKILL) right after it wrote the first STATE that `cut` accepts: the lines up to
 * and including that STATE, what a target got before the kill.
 */
async function runUntilState(
  dir: string,
  config: Record<string, unknown>,
  catalog: Catalog,
  state: unknown,
  cut: (progress: Progress) => boolean,
): Promise<string[]> {
  const tap = spawn(
    process.execPath,
    [
      binPath('tap-oracle-wms'),
      '--config',
      writeJson(dir, 'config.json', config),
      '--catalog',
      writeJson(dir, 'catalog.json', catalog),
      '--state',
      writeJson(dir, 'state.json', state),
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => tap.once('close', () => resolve()));
  const sent: string[] = [];
  let killed = false;
  for await (const line of createInterface({ input: tap.stdout })) {
    sent.push(line);
    if (line.startsWith('{"type":"STATE"') && cut(progressOf((parseJsonExact(line) as { value: unknown }).value))) {
      tap.kill('SIGKILL');
      killed = true;
      break;
    }
  }
  await exited;
  assert.ok(killed, 'the tap wrote the STATE to kill it at');
  return sent;
}

const activateVersions = (messages: readonly SingerMessage[]): number[] =>
  messages.flatMap((message) => (message.type === 'ACTIVATE_VERSION' ? [message.version] : []));

describe('Data Extract load killed with kill -9 at its end resumes to a finished load (real tap and target processes, local directory, PostgreSQL)', function () {
  this.timeout(300_000);
  let sim: Sim;
  let dir: string;
  let backend: TargetBackend;
  let catalog: Catalog;
  let root: string;
  let targetConfig: Record<string, unknown>;

  before(async function () {
    backend = await openBackend(this, 'postgres', 'dxfinish');
    targetConfig = { ...backend.config, add_record_metadata: true };
    sim = await startSim();
    dir = scratchDir();
    root = path.join(dir, 'store');
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['order_hdr']);
  });
  after(async () => {
    await sim?.close();
    await backend?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rowsOf = async (): Promise<{ live: number; retired: number }> =>
    (
      await backend.query(
        `SELECT count(*) FILTER (WHERE _sdc_deleted_at IS NULL)::int AS live, count(_sdc_deleted_at)::int AS retired FROM ${backend.table('order_hdr')}`,
      )
    )[0] as { live: number; retired: number };

  it('killed after its last file was committed, before its closing ACTIVATE_VERSION: the rerun closes the saved version, retires the rows deleted in WMS, marks the load complete and hands over the bookmark', async () => {
    const store = new LocalDirectoryStore(root);
    const extract = (prefix: string) =>
      sim.writeDataExtract(store, { entity: 'order_hdr', format: 'csv', fileSizeBytes: 32 * 1024, prefix });
    const tap = (prefix: string, startedAt?: string) =>
      tapConfig('http://127.0.0.1:9', {
        emit_activate_version: true,
        data_extract: {
          directory: root,
          prefix,
          format: 'csv',
          ...(startedAt === undefined ? {} : { export_started_at: startedAt }),
        },
      });

    // An earlier finished load of the whole table (without export_started_at: it leaves no bookmark, so the one the
    // rerun hands over is its own).
    const earlier = await extract('full-1/order_hdr/');
    const seeded = await runTap({ dir, config: tap('full-1/'), catalog });
    assert.equal(seeded.exitCode, 0, seeded.stderr);
    const seededLoad = await runTarget(targetConfig, seeded.stdout);
    assert.equal(seededLoad.exitCode, 0, seededLoad.stderr);

    // A row is deleted in WMS; the reconcile export no longer holds it. Its load is killed at the STATE that commits
    // its last file: the closing ACTIVATE_VERSION and the complete STATE never come.
    const deleted = Number((await backend.query(`SELECT min(id)::int AS id FROM ${backend.table('order_hdr')}`))[0].id);
    assert.ok(sim.admin.delete('order_hdr', deleted));
    const reconcile = await extract('full-2/order_hdr/');
    const config = tap('full-2/', reconcile.startedAt);
    const lastKey = reconcile.files.at(-1)!.key;
    const sent = await runUntilState(
      dir,
      config,
      catalog,
      states(seededLoad).at(-1),
      (progress) => progress.through?.key === lastKey && !progress.complete,
    );
    const cutLoad = await runTarget(targetConfig, `${sent.join('\n')}\n`);
    assert.equal(cutLoad.exitCode, 0, cutLoad.stderr);
    const committed = states(cutLoad).at(-1);
    const cut = progressOf(committed);
    assert.equal(cut.complete, false);
    assert.equal(cut.through?.key, lastKey);
    assert.ok(cut.version !== undefined, 'the reconcile load has a version');
    assert.equal((committed as TapState).bookmarks.order_hdr.replication_key_value, undefined, 'no bookmark yet');
    assert.deepEqual(await rowsOf(), { live: earlier.rows, retired: 0 }, 'nothing retired before the closing message');

    // The rerun has no file left to load: it finishes the load.
    const rerun = await runTap({ dir, config, catalog, state: committed });
    assert.equal(rerun.exitCode, 0, rerun.stderr);
    assert.equal(rerun.report.records.order_hdr?.length ?? 0, 0, 'no file is loaded twice');
    assert.deepEqual(
      activateVersions(rerun.report.messages),
      [cut.version, cut.version],
      'the saved version, announced and closed (the target closes a version on its second message in a run)',
    );
    const finished = await runTarget(targetConfig, rerun.stdout);
    assert.equal(finished.exitCode, 0, finished.stderr);
    const final = states(finished).at(-1) as TapState;
    assert.equal(progressOf(final).complete, true);
    assert.equal(progressOf(final).through?.key, lastKey);
    assert.equal(final.bookmarks.order_hdr.replication_key, 'mod_ts');
    assert.equal(
      Date.parse(String(final.bookmarks.order_hdr.replication_key_value)),
      Date.parse(reconcile.startedAt),
      'the incremental bookmark is the export start',
    );
    assert.deepEqual(await rowsOf(), { live: reconcile.rows, retired: 1 }, 'the row deleted in WMS is retired');
    const gone = await backend.query(
      `SELECT _sdc_deleted_at IS NOT NULL AS retired FROM ${backend.table('order_hdr')} WHERE id = $1`,
      [deleted],
    );
    assert.deepEqual(gone, [{ retired: true }]);

    // A finished load stays finished: the next run sends nothing.
    const third = await runTap({ dir, config, catalog, state: final });
    assert.equal(third.exitCode, 0, third.stderr);
    assert.deepEqual(activateVersions(third.report.messages), []);
    assert.equal(third.report.records.order_hdr?.length ?? 0, 0);
  });

  it('a "new files only" load (no version) killed and resumed sends no ACTIVATE_VERSION: the rows of the earlier full load stay live', async () => {
    const store = new LocalDirectoryStore(root);
    const exported = await sim.writeDataExtract(store, {
      entity: 'order_hdr',
      format: 'csv',
      fileSizeBytes: 32 * 1024,
      prefix: 'more-1/order_hdr/',
    });
    const config = tapConfig('http://127.0.0.1:9', {
      enable_incremental: false,
      emit_activate_version: true,
      data_extract: { directory: root, prefix: 'more-1/', format: 'csv' },
    });
    const full = await runTap({ dir, config, catalog });
    assert.equal(full.exitCode, 0, full.stderr);
    const fullLoad = await runTarget(targetConfig, full.stdout);
    assert.equal(fullLoad.exitCode, 0, fullLoad.stderr);
    const before = await rowsOf();

    // Two files land later under the same prefix (copies of loaded ones: the same rows again).
    const late = exported.files.slice(0, 2).map((file, index) => {
      const key = `more-1/order_hdr/order_hdr_9${String(index + 1).padStart(5, '0')}.csv`;
      copyFileSync(path.join(root, ...file.key.split('/')), path.join(root, ...key.split('/')));
      return { key, rows: file.rows };
    });
    const oldLast = exported.files.at(-1)!.key;
    // Killed at its first STATE: the new-files load begun (not complete, no version), no new file committed.
    const sent = await runUntilState(
      dir,
      config,
      catalog,
      states(fullLoad).at(-1),
      (progress) => !progress.complete && progress.through?.key === oldLast,
    );
    const cutLoad = await runTarget(targetConfig, `${sent.join('\n')}\n`);
    assert.equal(cutLoad.exitCode, 0, cutLoad.stderr);
    const committed = states(cutLoad).at(-1);
    assert.equal(progressOf(committed).version, undefined, 'the new-files load began without a version');

    const resumed = await runTap({ dir, config, catalog, state: committed });
    assert.equal(resumed.exitCode, 0, resumed.stderr);
    assert.equal(
      resumed.report.records.order_hdr.length,
      late.reduce((sum, file) => sum + file.rows, 0),
    );
    const resumedLoad = await runTarget(targetConfig, resumed.stdout);
    assert.equal(resumedLoad.exitCode, 0, resumedLoad.stderr);
    assert.deepEqual(await rowsOf(), before, 'no row of the earlier full load is retired');
    assert.deepEqual(activateVersions(resumed.report.messages), [], 'a resume without a saved version sends none');
    assert.equal(progressOf(states(resumedLoad).at(-1)).complete, true);
  });
});
