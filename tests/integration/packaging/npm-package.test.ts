import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hubDefinitions, NPM_PACKAGE } from '../../../tools/meltano-hub.js';
import { MELTANO_NO_TRACKING_ENV, requireMeltano } from '../../helpers/meltano.js';
import { createTestSchema, requirePg, withClient, type PgConfig, type TestSchema } from '../../helpers/postgres.js';
import { repoRoot } from '../../helpers/repo-root.js';
import { runProcess, startProcess, type ProcessResult } from '../../helpers/run-bin.js';

const BINS = ['tap-oracle-wms', 'target-oracle', 'wms-simulator', 'wms-pipeline'] as const;

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  files?: string[];
  scripts: Record<string, string>;
  bin: Record<string, string>;
}

describe('the npm package: `npm pack`, installed from the tarball into a temp project, bins run from there (real npm, simulator, PostgreSQL 15) @integration', function () {
  this.timeout(600_000);
  let pkg: PackageJson;
  let dir: string;
  let tarball: string;
  let installed: ProcessResult;
  let pg: PgConfig;
  let schema: TestSchema;
  const binDir = (): string => path.join(dir, 'project', 'node_modules', '.bin');

  before(async function () {
    pg = requirePg(this);
    pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
    dir = await mkdtemp(path.join(os.tmpdir(), 'npm-package-'));
    // The suite has built dist/ already; prepack would rebuild it under the running tests.
    const pack = await runProcess('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: repoRoot,
      timeoutMs: 120_000,
    });
    assert.equal(pack.exitCode, 0, pack.stderr);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(dir, packed.filename);
    const project = path.join(dir, 'project');
    await runProcess('mkdir', ['-p', project]);
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    // The dependencies come from the npm cache that `npm ci` filled, or the registry.
    installed = await runProcess(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball],
      { cwd: project, timeoutMs: 300_000 },
    );
    schema = await createTestSchema('npm_package', pg);
  });

  after(async () => {
    await schema?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is publishable: not private, a files list, built on prepack; the tarball holds the bins, the compiled plugins and the Hub definitions, not the tests', async () => {
    assert.equal(pkg.private, undefined);
    assert.ok(pkg.files && pkg.files.length > 0);
    assert.equal(pkg.scripts.prepack, 'npm run build');
    const listing = await runProcess('tar', ['-tzf', tarball]);
    const files = listing.stdoutLines.map((f) => f.replace(/^package\//, ''));
    for (const bin of Object.values(pkg.bin)) assert.ok(files.includes(bin), `${bin} is packed`);
    for (const entry of ['dist/tap-oracle-wms/cli.js', 'dist/target-oracle/cli.js', 'dist/orchestrator/cli.js'])
      assert.ok(files.includes(entry), `${entry} is packed`);
    for (const { file } of hubDefinitions()) assert.ok(files.includes(file), `${file} is packed`);
    assert.deepEqual(
      files.filter((f) => /^(dist\/)?(tests|bench|tools)\/|^\.cache|^node_modules/.test(f)),
      [],
      'no tests, benchmarks, tools or caches',
    );
  });

  it('installs from the tarball into another project', () => {
    assert.equal(installed.exitCode, 0, installed.stderr);
  });

  for (const bin of BINS) {
    it(`${bin} --version runs from the installed copy and prints the package version`, async () => {
      const result = await runProcess(path.join(binDir(), bin), ['--version'], { cwd: dir });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stdout, new RegExp(pkg.version.replace(/\./g, '\\.')));
    });
  }

  it('tap-oracle-wms | target-oracle from the installed copy load the installed simulator’s order_hdr into PostgreSQL', async () => {
    const sim = startProcess(path.join(binDir(), 'wms-simulator'), ['--port', '0', '--rows', 'order_hdr=40'], {
      cwd: dir,
    });
    try {
      const baseUrl = (await sim.waitForLine('stdout', /^base_url=\S+/, 30_000)).slice('base_url='.length);
      const tapConfig = path.join(dir, 'tap.json');
      const targetConfig = path.join(dir, 'target.json');
      await writeFile(
        tapConfig,
        JSON.stringify({
          base_url: baseUrl,
          username: 'demo',
          password: 'demo',
          entities: ['order_hdr'],
          enable_incremental: false,
        }),
      );
      await writeFile(
        targetConfig,
        JSON.stringify({
          dialect: 'postgres',
          host: pg.host,
          port: pg.port,
          user: pg.user,
          password: pg.password,
          database: pg.database,
          default_target_schema: schema.schema,
        }),
      );
      const sync = await runProcess(
        'bash',
        ['-o', 'pipefail', '-c', `"$BIN/tap-oracle-wms" --config tap.json | "$BIN/target-oracle" --config target.json`],
        { cwd: dir, env: { BIN: binDir() }, timeoutMs: 180_000 },
      );
      assert.equal(sync.exitCode, 0, sync.stderr.slice(-3000));
      const rows = await withClient(
        async (c) =>
          Number((await c.query(`SELECT count(*) AS n FROM ${c.escapeIdentifier(schema.schema)}.order_hdr`)).rows[0].n),
        pg,
      );
      assert.equal(rows, 40);
      assert.match(sync.stdout, /"bookmarks"/, 'the target wrote the final state');
    } finally {
      await sim.stop();
    }
  });

  it('Meltano adds both plugins from the Hub definitions (`meltano add --from-ref`) and runs the installed executables', async function () {
    const meltano = requireMeltano(this);
    const project = path.join(dir, 'meltano-project');
    const env = {
      ...MELTANO_NO_TRACKING_ENV,
      PATH: `${binDir()}:${process.env.PATH ?? ''}`,
    };
    const init = await runProcess(meltano, ['init', project, '--no-usage-stats'], {
      cwd: dir,
      env,
      timeoutMs: 120_000,
    });
    assert.equal(init.exitCode, 0, init.stderr.slice(-2000));
    for (const { file } of hubDefinitions()) {
      const type = file.includes('/extractors/') ? 'extractor' : 'loader';
      const name = path.basename(path.dirname(file));
      const add = await runProcess(meltano, ['add', type, name, '--from-ref', path.join(repoRoot, file)], {
        cwd: project,
        env,
        timeoutMs: 120_000,
      });
      assert.equal(add.exitCode, 0, add.stderr.slice(-2000));
      const about = await runProcess(meltano, ['invoke', name, '--about', '--format', 'json'], {
        cwd: project,
        env,
        timeoutMs: 120_000,
      });
      assert.equal(about.exitCode, 0, about.stderr.slice(-2000));
      assert.equal((JSON.parse(about.stdout) as { name: string }).name, name);
    }
    const yml = await readFile(path.join(project, 'meltano.yml'), 'utf8');
    assert.match(
      yml,
      new RegExp(`install --global ${NPM_PACKAGE}@`),
      'the npm install command came with the definition',
    );
  });
});
