import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Catalog } from '../../../singer/index.js';
import { LocalDirectoryStore } from '../../../tap-oracle-wms/index.js';
import { startSim, type Sim } from '../tap/sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig } from '../tap/tap-harness.js';

/** The tap's failure line on stderr: its exit code and message. */
function failureOf(stderr: string): { exit_code: number; message: string } {
  const line = stderr.split('\n').find((text) => text.includes('"type":"failure"'));
  assert.ok(line, `no failure line in:\n${stderr}`);
  return JSON.parse(line.slice(line.indexOf('{'))) as { exit_code: number; message: string };
}

describe('Data Extract load failures: clear messages and documented exit codes (real tap processes, local directory)', function () {
  this.timeout(180_000);
  let sim: Sim;
  let dir: string;
  let catalog: Catalog;
  let store: LocalDirectoryStore;
  let root: string;

  before(async () => {
    sim = await startSim();
    dir = scratchDir();
    root = path.join(dir, 'store');
    store = new LocalDirectoryStore(root);
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['order_hdr']);
    await sim.writeDataExtract(store, {
      entity: 'order_hdr',
      format: 'csv',
      compressed: true,
      fileSizeBytes: 64 * 1024,
      prefix: 'good/order_hdr/',
    });
  });
  after(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const load = (prefix: string, format: 'csv' | 'json' = 'csv') =>
    runTap({
      dir,
      config: tapConfig('http://127.0.0.1:9', {
        enable_incremental: false,
        data_extract: { directory: root, prefix, format },
      }),
      catalog,
    });

  it('a truncated gzip file: exit 3 naming the file, after the files before it were checkpointed', async () => {
    const good = path.join(root, 'good', 'order_hdr');
    const target = path.join(root, 'cut', 'order_hdr');
    mkdirSync(target, { recursive: true });
    for (const name of ['order_hdr_000001.csv.gz', 'order_hdr_000002.csv.gz']) {
      const bytes = readFileSync(path.join(good, name));
      writeFileSync(path.join(target, name), name.endsWith('2.csv.gz') ? bytes.subarray(0, bytes.length - 100) : bytes);
    }
    const run = await load('cut/');
    assert.equal(run.exitCode, 3, run.stderr);
    const failure = failureOf(run.stderr);
    assert.equal(failure.exit_code, 3);
    assert.match(
      failure.message,
      /^Data Extract file 'cut\/order_hdr\/order_hdr_000002\.csv\.gz' in local directory .*: the gzip data is truncated or corrupt/,
    );
    const progress = run.lastState?.bookmarks.order_hdr?.data_extract as { through?: { key: string } };
    assert.equal(progress.through?.key, 'cut/order_hdr/order_hdr_000001.csv.gz');
  });

  it('a value that does not fit its column: exit 3 naming file, line and field, never the value', async () => {
    const target = path.join(root, 'bad', 'order_hdr');
    mkdirSync(target, { recursive: true });
    writeFileSync(
      path.join(target, 'order_hdr_000001.csv'),
      'id,order_nbr,cust_decimal_1\n1,"A1",1.5\n2,"A2",secret-text\n',
    );
    const run = await load('bad/');
    assert.equal(run.exitCode, 3, run.stderr);
    const failure = failureOf(run.stderr);
    assert.match(
      failure.message,
      /'bad\/order_hdr\/order_hdr_000001\.csv'.*field 'cust_decimal_1' is not a decimal number at line 3/,
    );
    assert.ok(!run.stderr.includes('secret-text'), 'the value is not in the log');
    writeFileSync(path.join(target, 'order_hdr_000001.csv'), gzipSync('id,order_nbr\n1x,"A1"\n'));
    const integer = failureOf((await load('bad/')).stderr);
    assert.match(integer.message, /field 'id' is not an integer at line 2/);
  });

  it('no files under the prefix: exit 4 naming the stream, prefix and store', async () => {
    const run = await load('nothing-here/');
    assert.equal(run.exitCode, 4, run.stderr);
    assert.match(
      failureOf(run.stderr).message,
      /^order_hdr: no Data Extract files under 'nothing-here\/order_hdr\/' in local directory /,
    );
  });
});
