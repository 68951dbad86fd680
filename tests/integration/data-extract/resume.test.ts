import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { type Catalog, parseJsonExact, type TapState } from '../../../singer/index.js';
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

describe('Data Extract load killed with kill -9 between files resumes after the last committed file (real tap and target processes, local directory, PostgreSQL)', function () {
  this.timeout(300_000);
  let sim: Sim;
  let dir: string;
  let backend: TargetBackend;

  before(async function () {
    backend = await openBackend(this, 'postgres', 'dxresume');
    sim = await startSim();
    dir = scratchDir();
  });
  after(async () => {
    await sim?.close();
    await backend?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the rerun loads only the files after the last committed one, keeps the version, and a third run loads nothing', async () => {
    const catalog: Catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['order_hdr']);
    const root = path.join(dir, 'store');
    const exported = await sim.writeDataExtract(new LocalDirectoryStore(root), {
      entity: 'order_hdr',
      format: 'csv',
      fileSizeBytes: 32 * 1024,
      prefix: 'run-1/order_hdr/',
    });
    assert.ok(exported.files.length >= 6, `${exported.files.length} files`);
    const config = tapConfig('http://127.0.0.1:9', {
      enable_incremental: false,
      emit_activate_version: true,
      data_extract: { directory: root, prefix: 'run-1/', format: 'csv', concurrent_files: 3 },
    });

    // First run: its output up to the STATE that commits the third file reaches the target, then the tap is killed.
    const tap = spawn(
      process.execPath,
      [
        binPath('tap-oracle-wms'),
        '--config',
        writeJson(dir, 'config.json', config),
        '--catalog',
        writeJson(dir, 'catalog.json', catalog),
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      tap.once('close', (_code, signal) => resolve(signal)),
    );
    const sent: string[] = [];
    for await (const line of createInterface({ input: tap.stdout })) {
      sent.push(line);
      if (
        line.startsWith('{"type":"STATE"') &&
        progressOf((parseJsonExact(line) as { value: unknown }).value).through?.key === exported.files[2].key
      ) {
        tap.kill('SIGKILL');
        break;
      }
    }
    await exited;
    const first = await runTarget(backend.config, `${sent.join('\n')}\n`);
    assert.equal(first.exitCode, 0, first.stderr);
    const committed = states(first).at(-1);
    const cut = progressOf(committed);
    assert.equal(cut.complete, false);
    assert.equal(cut.prefix, 'run-1/order_hdr/');
    assert.equal(cut.through?.key, exported.files[2].key, 'the third file is the last one committed');

    // Rerun from the target's state: the other files only, the same ACTIVATE_VERSION.
    const second = await runTap({ dir, config, catalog, state: committed });
    assert.equal(second.exitCode, 0, second.stderr);
    const remaining = exported.files.slice(3).reduce((sum, file) => sum + file.rows, 0);
    assert.equal(second.report.records.order_hdr.length, remaining, 'records of the files not committed before');
    const versions = second.report.messages
      .filter((message) => message.type === 'ACTIVATE_VERSION')
      .map((message) => (message as { version: number }).version);
    assert.deepEqual(versions, [cut.version, cut.version], 'the first run version, announced again and closed');
    const loaded = await runTarget(backend.config, second.stdout);
    assert.equal(loaded.exitCode, 0, loaded.stderr);
    const final = states(loaded).at(-1);
    assert.equal(progressOf(final).complete, true);
    assert.equal(progressOf(final).through?.key, exported.files.at(-1)!.key);

    // Every row once, none retired; a third run lists the same files and loads none of them.
    const rows = await backend.query(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM ${backend.table('order_hdr')}`,
    );
    assert.deepEqual(rows[0], { n: exported.rows, ids: exported.rows });
    const third = await runTap({ dir, config, catalog, state: final });
    assert.equal(third.exitCode, 0, third.stderr);
    assert.equal(third.report.records.order_hdr?.length ?? 0, 0);
  });
});
