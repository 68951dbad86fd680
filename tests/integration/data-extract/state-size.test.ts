import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../../../singer/index.js';
import { LocalDirectoryStore } from '../../../tap-oracle-wms/index.js';
import { startSim, type Sim } from '../tap/sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig } from '../tap/tap-harness.js';

/** One row per file (a file holds at least one row): as many files as rows. */
const ONE_ROW_FILES = 1;

describe('Data Extract STATE stays the same size as the file count grows (real tap processes, local directory)', function () {
  this.timeout(300_000);
  let sim: Sim;
  let dir: string;
  let catalog: Catalog;
  let root: string;

  before(async () => {
    sim = await startSim();
    dir = scratchDir();
    root = path.join(dir, 'store');
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['order_hdr']);
  });
  after(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Exports the first `rows` rows of order_hdr one row per file, loads them, returns the last STATE line's bytes. */
  const lastStateBytes = async (rows: number): Promise<number> => {
    const ids = await firstIds(sim, 'order_hdr', rows);
    assert.equal(ids.length, rows, `the simulator has ${rows} order_hdr rows`);
    const prefix = `rows-${String(rows).padStart(4, '0')}/`;
    const exported = await sim.writeDataExtract(new LocalDirectoryStore(root), {
      entity: 'order_hdr',
      format: 'csv',
      fileSizeBytes: ONE_ROW_FILES,
      prefix: `${prefix}order_hdr/`,
      filter: { id__lte: String(ids.at(-1)) },
    });
    assert.equal(exported.files.length, rows, 'one file per row');
    const run = await runTap({
      dir,
      config: tapConfig('http://127.0.0.1:9', {
        enable_incremental: false,
        data_extract: { directory: root, prefix, format: 'csv' },
      }),
      catalog,
    });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.report.records.order_hdr.length, rows);
    const line = run.stdoutLines.filter((text) => text.startsWith('{"type":"STATE"')).at(-1);
    assert.ok(line, 'a STATE line');
    return Buffer.byteLength(line);
  };

  it('the last STATE line of a 200-file load is no longer than that of a 20-file load (bar an etag digit or two)', async () => {
    const few = await lastStateBytes(20);
    const many = await lastStateBytes(200);
    // The keys have the same length; a local etag is the size and mtime in hex, so a digit may differ.
    assert.ok(Math.abs(many - few) <= 8, `last STATE ${few} bytes after 20 files, ${many} bytes after 200`);
  });
});

/** The lowest ids of an entity, read through the simulator's REST API. */
async function firstIds(sim: Sim, entity: string, count: number): Promise<number[]> {
  const response = await fetch(
    `${sim.baseUrl}/wms/lgfapi/v10/entity/${entity}/?page_size=${count}&ordering=id&fields=id`,
    { headers: { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` } },
  );
  return ((await response.json()) as { results: { id: number }[] }).results.map((row) => row.id);
}
