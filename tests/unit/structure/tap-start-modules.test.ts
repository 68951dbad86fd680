import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSimulator, type RunningSimulator } from '../../../wms-simulator/index.js';
import { binPath, runProcess } from '../../helpers/run-bin.js';
import { tempDir } from '../../helpers/temp-dirs.js';

/**
 * Records every module the child loads: ES modules through a resolve hook (in the loader thread), CommonJS ones from
 * require.cache when the process exits (on Node 20 a package's own require() calls bypass the ES hooks).
 */
const PRELOAD = `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
const log = process.env.MODULE_LOG;
register(new URL('./hooks.mjs', import.meta.url), { data: { log } });
process.on('exit', () => appendFileSync(log, Object.keys(createRequire(import.meta.url).cache).join('\\n') + '\\n'));
`;
const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(log, resolved.url + '\\n');
  return resolved;
}
`;

/** Packages a REST run has no use for: the Data Extract store's SDK and the target's database drivers. */
const NOT_FOR_REST = /node_modules\/(@aws-sdk|@smithy|oracledb|pg|pg-copy-streams)\//;

/**
 * A REST sync's start-up cost is mostly module loading: @aws-sdk/client-s3 alone took about a third of a second of
 * CPU at every run, for the Data Extract store a REST run never opens. This keeps such packages out of the REST
 * path's module graph, so the cut cannot silently come back with a new static import.
 */
describe('tap-oracle-wms: a REST sync loads no S3 SDK and no database driver', function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  let dir: string;

  before(async () => {
    sim = await startSimulator({ port: 0, rows: { allocation: 1 } });
    dir = tempDir('tap-start-modules-');
    await writeFile(path.join(dir, 'preload.mjs'), PRELOAD);
    await writeFile(path.join(dir, 'hooks.mjs'), HOOKS);
  });
  after(async () => {
    await sim?.close();
  });

  it('discovery then a full sync of one row: the modules it loads', async () => {
    const config = path.join(dir, 'config.json');
    // Obviously fake credentials: the simulator's demo user.
    const settings = {
      base_url: sim.baseUrl,
      username: 'demo',
      password: 'demo',
      entities: ['allocation'],
      enable_incremental: false,
    };
    await writeFile(config, JSON.stringify(settings));
    const log = path.join(dir, 'modules.log');
    const run = await runProcess(
      process.execPath,
      ['--import', pathToFileURL(path.join(dir, 'preload.mjs')).href, binPath('tap-oracle-wms'), '--config', config],
      { env: { MODULE_LOG: log } },
    );
    assert.equal(run.exitCode, 0, run.stderr);
    assert.ok(
      run.stdoutLines.some((line) => line.startsWith('{"type":"RECORD"')),
      'the run synced no record: it did not take the REST sync path',
    );
    const loaded = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
    // The recording works: the HTTP client the REST path uses is in it.
    assert.ok(
      loaded.some((module) => /node_modules\/axios\//.test(module)),
      'the module log has no axios: nothing was recorded',
    );
    const unwanted = [...new Set(loaded.filter((module) => NOT_FOR_REST.test(module)))];
    assert.deepEqual(unwanted.slice(0, 5), [], `${unwanted.length} module(s) a REST run does not need were loaded`);
  });
});
