// Real child processes: runCli's signal handling and exit codes need a process of their own.
// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { parseFailureLine } from '../../../singer/failure.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/singer-cli/bin.js', import.meta.url));
const PASSWORD = 'fixture-pw-"quoted"-7731';

describe('singer/cli in a child process (tests/fixtures/singer-cli)', function () {
  this.timeout(30_000);
  let dir: string;
  let configFile: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'singer-cli-'));
    configFile = path.join(dir, 'config.json');
    await writeFile(configFile, JSON.stringify({ base_url: 'https://wms.example.test', password: PASSWORD }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function spawn(args: string[], options: { input?: string; env?: Record<string, string> } = {}): ResultPromise {
    return execa(process.execPath, [FIXTURE, ...args], {
      reject: false,
      extendEnv: false,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      timeout: 20_000,
      ...(options.input === undefined ? { stdin: 'pipe' as const } : { input: options.input }),
    });
  }

  async function firstStdoutLine(child: ResultPromise): Promise<string> {
    return new Promise((resolve, reject) => {
      let text = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
      });
      child.once('exit', () => reject(new Error(`exited before writing a line: ${text}`)));
    });
  }

  it('echoes Singer messages and exits 0', async () => {
    const result = await spawn(['--config', configFile], {
      input: '{"type":"record","stream":"s","record":{"id":12345678901234567890}}\r\n\n{"type":"STATE","value":{}}',
    });
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.equal(
      result.stdout,
      '{"type":"RECORD","stream":"s","record":{"id":12345678901234567890}}\n{"type":"STATE","value":{}}',
    );
  });

  it('SIGTERM aborts ctx.signal: the main function emits its final state and the exit code is 130', async () => {
    const child = spawn(['--config', configFile, '--mode', 'wait']);
    const first = firstStdoutLine(child);
    child.stdin!.write('{"type":"STATE","value":{"n":1}}\n');
    assert.equal(await first, '{"type":"STATE","value":{"n":1}}');
    child.kill('SIGTERM');
    const result = await child;
    assert.equal(result.exitCode, 130, String(result.stderr));
    assert.equal(result.signal, undefined);
    assert.deepEqual(String(result.stdout).split('\n'), [
      '{"type":"STATE","value":{"n":1}}',
      '{"stopped_by":"SIGTERM"}',
    ]);
    assert.match(String(result.stderr), /WARNING Received SIGTERM: finishing the current work, then stopping/);
    assert.ok(!/CRITICAL/.test(String(result.stderr)));
  });

  it('work cancelled through ctx.signal (an AbortError) also exits 130, not as an internal failure', async () => {
    const child = execa(process.execPath, [FIXTURE, '--config', configFile, '--mode', 'wait-abort'], {
      reject: false,
      extendEnv: false,
      env: { PATH: process.env.PATH ?? '' },
      timeout: 20_000,
    });
    await new Promise<void>((resolve) => {
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('INFO Waiting')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await child;
    assert.equal(result.exitCode, 130, String(result.stderr));
    assert.match(String(result.stderr), /WARNING Stopped by SIGINT/);
    assert.ok(!/Internal failure|CRITICAL/.test(String(result.stderr)), String(result.stderr));
  });

  const codes: [string, string[], number, RegExp][] = [
    [
      'a thrown SourceError',
      ['--mode', 'source-error'],
      4,
      /^CRITICAL HTTP 401 from https:\/\/demo:\*{8}@wms\.example\.test\/ \(password \*{8}\)$/m,
    ],
    ['a thrown DatabaseError', ['--mode', 'database-error'], 5, /^CRITICAL ORA-00001: unique constraint violated$/m],
    ['a bad input line', ['--mode', 'protocol-error'], 3, /^CRITICAL Invalid JSON \(line 2\)$/m],
    [
      'an unexpected TypeError',
      ['--mode', 'internal-error'],
      1,
      /^CRITICAL Internal failure: Cannot read properties of undefined \(token \*{8}\)$/m,
    ],
  ];
  for (const [description, args, code, stderr] of codes) {
    it(`${description} exits ${code} with a CRITICAL line and no secret in stderr`, async () => {
      const result = await spawn(['--config', configFile, ...args], { input: '{"type":"STATE","value":1}\n{oops\n' });
      assert.equal(result.exitCode, code, String(result.stderr));
      assert.match(String(result.stderr), stderr);
      assert.ok(!String(result.stderr).includes(PASSWORD.slice(0, 11)), String(result.stderr));
      assert.match(
        String(result.stderr),
        /^INFO Loaded config \{"base_url":"https:\/\/wms\.example\.test","password":"\*{8}","page_size":100\}$/m,
      );
    });
  }

  it('invalid config exits 2 listing every problem as CRITICAL lines, and no METRIC line', async () => {
    const result = await spawn(['--config', 'ENV'], { env: { TAP_FIXTURE_PAGE_SIZE: 'many' } });
    assert.equal(result.exitCode, 2);
    const lines = String(result.stderr).split('\n');
    // A config failure's last line: its failure report (singer/failure.ts), the class as data, for a supervisor.
    assert.deepEqual(parseFailureLine(lines.pop()!), {
      type: 'failure',
      exit_code: 2,
      exit_class: 'config',
      retriable: false,
      message:
        "Invalid configuration (3 problems):\n  - 'base_url' is required\n  - 'password' is required\n  - 'page_size' must be integer",
    });
    assert.deepEqual(lines, [
      'CRITICAL Invalid configuration:',
      "CRITICAL   - 'base_url' is required",
      "CRITICAL   - 'password' is required",
      "CRITICAL   - 'page_size' must be integer",
    ]);
  });

  it('--config ENV reads the environment; an unknown option exits 2', async () => {
    const ok = await spawn(['--config', 'ENV', '--mode', 'metric'], {
      env: { TAP_FIXTURE_BASE_URL: 'u', TAP_FIXTURE_PASSWORD: PASSWORD },
    });
    assert.equal(ok.exitCode, 0, String(ok.stderr));
    assert.match(
      String(ok.stderr),
      /^INFO METRIC: \{"type":"counter","metric":"record_count","value":3,"tags":\{"stream":"allocation"\}\}$/m,
    );
    assert.ok(!String(ok.stderr).includes(PASSWORD));
    // The peak RSS METRIC ends a run that did work (see the peakRssMetric test in cli.test.ts).
    assert.match(
      String(ok.stderr).trimEnd().split('\n').at(-1)!,
      /^INFO METRIC: \{"type":"counter","metric":"process_peak_rss_bytes","value":\d+,"tags":\{"executable":"tap-fixture","pid":\d+\}\}$/,
    );
    const bad = await spawn(['--nope']);
    assert.equal(bad.exitCode, 2);
    assert.equal(bad.stderr, "CRITICAL Usage error: Unknown argument: nope (run 'tap-fixture --help' for usage)");
    assert.equal(bad.stdout, '');
  });

  it('--help, -h, --version and --about answer on stdout, exit 0, and write nothing to stderr (no METRIC line)', async () => {
    for (const args of [['--help'], ['-h'], ['--version'], ['--about']]) {
      const result = await spawn(args);
      assert.equal(result.exitCode, 0, args[0]);
      assert.equal(result.stderr, '', args[0]);
      assert.match(String(result.stdout), args[0] === '--version' ? /^tap-fixture v0\.0\.0-test$/ : /tap-fixture/);
    }
  });

  it('--about with a secret in --config prints no secret, in every format', async () => {
    for (const format of ['text', 'json', 'markdown']) {
      const result = await spawn(['--config', configFile, '--about', '--format', format]);
      assert.equal(result.exitCode, 0);
      assert.match(String(result.stdout), /tap-fixture/);
      assert.ok(!`${String(result.stdout)}${String(result.stderr)}`.includes(PASSWORD), format);
    }
  });
});
