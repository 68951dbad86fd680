import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runBin, type BinName, type ProcessResult } from '../../helpers/run-bin.js';

const BINS: BinName[] = ['tap-oracle-wms', 'target-oracle', 'wms-simulator', 'wms-pipeline'];
const PIPELINE_COMMANDS = ['full', 'incremental', 'run', 'jobs', 'health', 'serve', 'plan-partitions'];

/** One line on stderr: the usage error and where the usage is; never the configuration wording. */
function assertUsageError(result: ProcessResult, program: string, problem: RegExp): void {
  assert.equal(result.exitCode, 2, result.stderr);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, no METRIC line: ${result.stderr}`);
  assert.match(lines[0], /^CRITICAL Usage error: .* \(run '.+ --help' for usage\)$/);
  assert.ok(lines[0].endsWith(`(run '${program} --help' for usage)`), lines[0]);
  assert.match(lines[0], problem);
  assert.doesNotMatch(lines[0], /Invalid configuration/);
}

describe('--help and usage errors (real bin/*.js child processes)', function () {
  this.timeout(120_000);
  let dir: string;
  // Nothing configured: no WMS_PIPELINE_* (or plugin) variables leak in from the developer's shell, and a fresh cwd
  // without .env, so that "no config" really is none.
  const bare = (): { cwd: string; env: Record<string, string | undefined> } => ({
    cwd: dir,
    env: Object.fromEntries(
      Object.keys(process.env)
        .filter((key) => /^(WMS_PIPELINE|TAP_ORACLE_WMS|TARGET_ORACLE)_/.test(key))
        .map((key) => [key, undefined]),
    ),
  });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'help-usage-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const bin of BINS) {
    it(`${bin} --help and -h: usage, options and the docs on stdout, exit 0, nothing on stderr`, async () => {
      for (const flag of ['--help', '-h']) {
        const result = await runBin(bin, [flag], bare());
        assert.equal(result.exitCode, 0, result.stderr);
        assert.equal(result.stderr, '', 'no METRIC or log line');
        assert.match(result.stdout, new RegExp(`^Usage:\\n {2}${bin} `, 'm'));
        assert.match(result.stdout, /^Options:\n/m);
        assert.match(result.stdout, /^ {2}--help, -h +Print this help and exit$/m);
        assert.match(result.stdout, /^ {2}--version +Print the version and exit$/m);
        assert.match(result.stdout, /^ {2}--about +Print plugin information and exit$/m);
        assert.match(result.stdout, /^Docs: .*docs\/[a-z-]+\.md/m);
        if (bin !== 'wms-simulator') assert.match(result.stdout, /^ {2}--config <string> /m);
      }
    });

    it(`${bin} --version and --about: exit 0, nothing on stderr`, async () => {
      const version = await runBin(bin, ['--version'], bare());
      assert.equal(version.exitCode, 0, version.stderr);
      assert.match(version.stdout, new RegExp(`^${bin} v\\d+\\.\\d+\\.\\d+`));
      assert.equal(version.stderr, '');
      const about = await runBin(bin, ['--about', '--format', 'json'], bare());
      assert.equal(about.exitCode, 0, about.stderr);
      assert.equal((JSON.parse(about.stdout) as { name: string }).name, bin);
      assert.equal(about.stderr, '');
    });

    it(`${bin} with an unknown option: a one-line usage error, exit 2`, async () => {
      assertUsageError(await runBin(bin, ['--no-such-option'], bare()), bin, /Unknown argument: no-such-option/);
    });
  }

  it('the tap and the target with a bad --format or --test value: usage errors, exit 2', async () => {
    assertUsageError(
      await runBin('target-oracle', ['--about', '--format', 'yaml'], bare()),
      'target-oracle',
      /Argument: format, Given: "yaml"/,
    );
    const configFile = path.join(dir, 'tap.json');
    await writeFile(
      configFile,
      JSON.stringify({ base_url: 'https://wms.example.test/env', username: 'u', password: 'p' }),
    );
    assertUsageError(
      await runBin('tap-oracle-wms', ['--config', configFile, '--test=everything'], bare()),
      'tap-oracle-wms',
      /--test takes no value, 'all' or 'schema'/,
    );
  });

  it('a configuration error is not a usage error, and writes no METRIC line either', async () => {
    for (const bin of ['tap-oracle-wms', 'target-oracle'] as const) {
      const result = await runBin(bin, ['--config', 'ENV'], bare());
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, /^CRITICAL Invalid configuration/);
      assert.doesNotMatch(result.stderr, /METRIC|Usage error/);
    }
  });

  it('invalid JSON in a config file: exit 2 naming the line and column, not the text around it', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{\n  "base_url": "https://wms.example.test/env",\n  "password": hunter2-secret\n}\n');
    for (const bin of ['tap-oracle-wms', 'target-oracle', 'wms-pipeline'] as const) {
      const result = await runBin(bin, bin === 'wms-pipeline' ? ['jobs', '--config', file] : ['--config', file]);
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, /is not valid JSON \(line 3, column 15\)/);
      assert.doesNotMatch(result.stderr, /hunter2/);
    }
  });

  describe('wms-pipeline commands', () => {
    for (const command of PIPELINE_COMMANDS) {
      it(`wms-pipeline ${command} --help: that command's usage and options, exit 0`, async () => {
        const result = await runBin('wms-pipeline', [command, '--help'], bare());
        assert.equal(result.exitCode, 0, result.stderr);
        assert.equal(result.stderr, '');
        assert.match(result.stdout, new RegExp(`^Usage:\\n {2}wms-pipeline ${command}\\b`, 'm'));
        assert.match(result.stdout, /^Docs: /m);
      });
    }

    it('wms-pipeline --help lists every command', async () => {
      const result = await runBin('wms-pipeline', ['--help'], bare());
      for (const command of PIPELINE_COMMANDS) assert.match(result.stdout, new RegExp(`^ {2}${command} +\\S`, 'm'));
    });

    it('no command, an unknown command, an unknown job, a missing job name: usage errors, exit 2, nothing run', async () => {
      assertUsageError(await runBin('wms-pipeline', [], bare()), 'wms-pipeline', /a command is required \(full, /);
      assertUsageError(await runBin('wms-pipeline', ['fulll'], bare()), 'wms-pipeline', /unknown command 'fulll'/);
      assertUsageError(
        await runBin('wms-pipeline', ['run', 'nightly'], bare()),
        'wms-pipeline run',
        /unknown job 'nightly' \(jobs: none configured\)/,
      );
      assertUsageError(await runBin('wms-pipeline', ['run'], bare()), 'wms-pipeline run', /'run' takes one job name/);
      assertUsageError(
        await runBin('wms-pipeline', ['full', 'extra'], bare()),
        'wms-pipeline full',
        /unexpected argument 'extra'/,
      );
      // Nothing started: no report, no state, no alert history.
      assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n === '.wms-pipeline')), []);
    });

    for (const command of ['health', 'full', 'incremental', 'serve']) {
      it(`wms-pipeline ${command} with no config: a usage error in the pipeline's setting names, exit 2, nothing started`, async () => {
        const result = await runBin('wms-pipeline', [command], bare());
        assertUsageError(result, `wms-pipeline ${command}`, /'wms_base_url' is required/);
        assert.match(result.stderr, /'wms_username' is required; 'wms_password' is required/);
        assert.match(result.stderr, /'target_host' or 'target_config\.connect_string' is required/);
        assert.match(result.stderr, /pass --config <file> or set WMS_PIPELINE_<SETTING> variables/);
        assert.doesNotMatch(result.stderr, /'base_url'|'host'|'user'/);
        assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n === '.wms-pipeline')), []);
      });
    }

    it('with a config file that lacks settings: "Invalid configuration" in the pipeline names, exit 2, nothing started', async () => {
      const file = path.join(dir, 'partial.json');
      await writeFile(
        file,
        JSON.stringify({ wms_base_url: 'https://wms.example.test/env', target_dialect: 'postgres' }),
      );
      const result = await runBin('wms-pipeline', ['full', '--config', file], bare());
      assert.equal(result.exitCode, 2, result.stderr);
      assert.deepEqual(result.stderr.trimEnd().split('\n'), [
        'CRITICAL Invalid configuration:',
        "CRITICAL   - 'wms_username' is required",
        "CRITICAL   - 'wms_password' is required",
        "CRITICAL   - 'target_host' is required for the postgres dialect",
        "CRITICAL   - 'target_user' is required",
        // The failure line (docs/singer-api.md): the same problems as data, for a parent process.
        `CRITICAL ${JSON.stringify({
          type: 'failure',
          exit_code: 2,
          exit_class: 'config',
          retriable: false,
          message:
            "Invalid configuration (4 problems):\n  - 'wms_username' is required\n  - 'wms_password' is required\n  - 'target_host' is required for the postgres dialect\n  - 'target_user' is required",
        })}`,
      ]);
      assert.deepEqual(await readdir(dir).then((names) => names.filter((n) => n === '.wms-pipeline')), []);
    });
  });
});
