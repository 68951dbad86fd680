import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TapState } from '../../../singer/index.js';
import { LocalDirectoryStore } from '../../../tap-oracle-wms/index.js';
import { parseInstant } from '../../../tap-oracle-wms/instant.js';
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

describe('Data Extract → REST incremental handoff with rows changed mid-export (real tap processes, simulator, local directory)', function () {
  this.timeout(180_000);
  let sim: Sim;
  let dir: string;

  before(async () => {
    sim = await startSim();
    dir = scratchDir();
  });
  after(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the next REST incremental run starts at the export's start and reads the rows changed during the export", async () => {
    const config = tapConfig(sim.baseUrl, { replication_lag_seconds: 0, incremental_overlap_minutes: 0 });
    const catalog = selectStreams(await discoverCatalog(dir, config), ['order_hdr']);
    const root = path.join(dir, 'store');
    const changed: number[] = [];
    const exported = await sim.writeDataExtract(new LocalDirectoryStore(root), {
      entity: 'order_hdr',
      format: 'csv',
      fileSizeBytes: 32 * 1024,
      prefix: 'run-1/order_hdr/',
      // After the first file: a row it already holds changes (the file keeps the old value).
      afterFile: (file) => {
        if (changed.length > 0) return;
        const id = firstIdOf(root, file.key);
        sim.admin.update('order_hdr', id, { cust_field_1: 'CHANGED' });
        changed.push(id);
      },
    });
    const load = await runTap({
      dir,
      config: { ...config, data_extract: { directory: root, prefix: 'run-1/', export_started_at: exported.startedAt } },
      catalog,
    });
    assert.equal(load.exitCode, 0, load.stderr);
    const stale = load.report.records.order_hdr.find((record) => record.id === changed[0]);
    assert.notEqual(stale?.cust_field_1, 'CHANGED', 'the export holds the value before the change');
    const bookmark = (load.lastState as TapState).bookmarks.order_hdr;
    assert.equal(bookmark.replication_key, 'mod_ts');
    const instant = parseInstant(String(bookmark.replication_key_value));
    assert.ok(instant !== undefined);
    assert.equal(instant, parseInstant(exported.startedAt));

    const next = await runTap({ dir, config, catalog, state: load.lastState });
    assert.equal(next.exitCode, 0, next.stderr);
    const fresh = next.report.records.order_hdr.find((record) => record.id === changed[0]);
    assert.equal(fresh?.cust_field_1, 'CHANGED', 'the incremental run reads the row changed during the export');
  });

  it("a full job's load (enable_incremental off) records the export's start as its snapshot start, replacing the former load's, and says which path it took", async () => {
    const config = tapConfig(sim.baseUrl, { enable_incremental: false, emit_activate_version: true });
    const catalog = selectStreams(await discoverCatalog(dir, config), ['order_hdr']);
    const root = path.join(dir, 'full-store');
    const exported = await sim.writeDataExtract(new LocalDirectoryStore(root), {
      entity: 'order_hdr',
      format: 'csv',
      fileSizeBytes: 32 * 1024,
      prefix: 'reconcile-2/order_hdr/',
    });
    // The full job's state after a former load (taken over by the incremental job since): an earlier snapshot start.
    const former = {
      bookmarks: { order_hdr: { replication_key: 'mod_ts', replication_key_value: '2026-01-01T00:00:00+00:00' } },
    };
    const load = await runTap({
      dir,
      config: {
        ...config,
        data_extract: { directory: root, prefix: 'reconcile-2/', export_started_at: exported.startedAt },
      },
      catalog,
      state: former,
    });
    assert.equal(load.exitCode, 0, load.stderr);
    const bookmark = (load.lastState as TapState).bookmarks.order_hdr;
    assert.equal(bookmark.replication_key, 'mod_ts');
    assert.equal(parseInstant(String(bookmark.replication_key_value)), parseInstant(exported.startedAt));
    assert.equal((bookmark.data_extract as { complete: boolean }).complete, true);
    const paths = load.stderr.split('\n').filter((line) => line.includes('Loading '));
    assert.equal(paths.length, 1, load.stderr);
    assert.match(
      paths[0],
      /INFO Loading from Data Extract files, not the REST API: data_extract is set \(the files already under data_extract.prefix 'reconcile-2\/' in local directory /,
    );

    const rest = await runTap({ dir, config, catalog });
    assert.equal(rest.exitCode, 0, rest.stderr);
    assert.match(rest.stderr, /INFO Loading through the REST API: data_extract is not set/);
    assert.deepEqual(
      sortedUnique(idsOf(rest, 'order_hdr')),
      sortedUnique(idsOf(load, 'order_hdr')),
      'the REST full load holds the rows the export held',
    );
  });
});

/** The id of the first row of a CSV file the export wrote (its second line). */
function firstIdOf(root: string, key: string): number {
  const text = readFileSync(path.join(root, ...key.split('/')), 'utf8');
  return Number(text.split('\n')[1].split(',')[0]);
}
