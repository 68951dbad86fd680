// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { COMMON_OPTIONS, configSources, parseArgs, printInfoIfAsked, runCli } from '../../../singer/cli.js';
import { parseFailureLine } from '../../../singer/failure.js';
import {
  ConfigError,
  DatabaseError,
  ExitCode,
  exitCodeOf,
  InterruptedError,
  ProtocolError,
  SingerError,
  SourceError,
  UsageError,
} from '../../../singer/errors.js';

function sink(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { out, text: () => text };
}

describe('singer/cli: runCli maps errors to exit codes', () => {
  let savedExitCode: typeof process.exitCode;
  beforeEach(() => {
    savedExitCode = process.exitCode;
    process.exitCode = undefined;
  });
  afterEach(() => {
    process.exitCode = savedExitCode;
  });

  const table: [string, () => unknown, ExitCode, RegExp][] = [
    ['success', () => undefined, ExitCode.Ok, /^$/],
    [
      'ConfigError (one problem)',
      () => new ConfigError("'user' is required"),
      ExitCode.Config,
      /^CRITICAL Invalid configuration: 'user' is required\n$/,
    ],
    [
      'ProtocolError',
      () => new ProtocolError("RECORD is missing 'record'", { line: 7, stream: 's' }),
      ExitCode.Protocol,
      /^CRITICAL RECORD is missing 'record' \(line 7, stream 's'\)\n$/,
    ],
    [
      'SourceError',
      () => new SourceError('HTTP 503 after 5 attempts', { status: 503, retriable: true }),
      ExitCode.Source,
      /^CRITICAL HTTP 503 after 5 attempts\n$/,
    ],
    [
      'DatabaseError',
      () => new DatabaseError('ORA-12541: no listener', { code: 'ORA-12541' }),
      ExitCode.Database,
      /^CRITICAL ORA-12541: no listener\n$/,
    ],
    ['InterruptedError', () => new InterruptedError('SIGTERM'), ExitCode.Interrupted, /^WARNING Stopped by SIGTERM\n$/],
    [
      'a SingerError with its own code',
      () => new SingerError('custom', ExitCode.Database),
      ExitCode.Database,
      /^CRITICAL custom\n$/,
    ],
    [
      'an unexpected Error',
      () => new TypeError('x is undefined'),
      ExitCode.Internal,
      /^CRITICAL Internal failure: x is undefined\n$/,
    ],
    ['a thrown non-Error', () => 'just a string', ExitCode.Internal, /^CRITICAL Internal failure: just a string\n$/],
  ];
  for (const [description, makeError, code, stderr] of table) {
    it(`${description} → ${code}`, async () => {
      const err = sink();
      const thrown = makeError();
      const result = await runCli(
        'tap-x',
        async () => {
          if (thrown !== undefined) throw thrown;
        },
        { argv: [], env: {}, stdin: Readable.from([]), stdout: new PassThrough(), stderr: err.out },
      );
      assert.equal(result, code);
      assert.equal(process.exitCode, code);
      // A failure's last line is its report (singer/failure.ts); the human lines above it are unchanged.
      const text = err.text();
      const last = text.trimEnd().split('\n').at(-1) ?? '';
      const report = parseFailureLine(last);
      if (code === ExitCode.Ok || code === ExitCode.Interrupted) {
        assert.equal(report, undefined);
        assert.match(text, stderr);
      } else {
        assert.equal(report?.exit_code, code);
        assert.equal(report?.retriable, thrown instanceof SingerError && thrown.retriable);
        assert.match(text.slice(0, text.length - last.length - 1), stderr);
      }
    });
  }

  it('a ConfigError lists every problem on its own CRITICAL line', async () => {
    const err = sink();
    const code = await runCli(
      'tap-x',
      async () => {
        throw new ConfigError(["'user' is required", "'page_size' must be integer", "'mode' must be one of: a, b"]);
      },
      { env: {}, stderr: err.out, stdout: new PassThrough() },
    );
    assert.equal(code, ExitCode.Config);
    assert.deepEqual(err.text().trimEnd().split('\n'), [
      'CRITICAL Invalid configuration:',
      "CRITICAL   - 'user' is required",
      "CRITICAL   - 'page_size' must be integer",
      "CRITICAL   - 'mode' must be one of: a, b",
      `CRITICAL {"type":"failure","exit_code":2,"exit_class":"config","retriable":false,"message":${JSON.stringify(
        "Invalid configuration (3 problems):\n  - 'user' is required\n  - 'page_size' must be integer\n  - 'mode' must be one of: a, b",
      )}}`,
    ]);
  });

  it('prints the stack only at LOGLEVEL=debug', async () => {
    const quiet = sink();
    await runCli('tap-x', async () => Promise.reject(new Error('boom')), {
      env: {},
      stderr: quiet.out,
      stdout: new PassThrough(),
    });
    assert.ok(!quiet.text().includes('    at '));
    const loud = sink();
    await runCli('tap-x', async () => Promise.reject(new Error('boom')), {
      env: { LOGLEVEL: 'debug' },
      stderr: loud.out,
      stdout: new PassThrough(),
    });
    assert.match(loud.text(), /DEBUG Error: boom\n\s+at /);
  });

  it('hands the context through and removes its signal listeners afterwards', async () => {
    const before = process.listenerCount('SIGTERM');
    const stdout = new PassThrough();
    let during = 0;
    await runCli(
      'tap-x',
      async (ctx) => {
        during = process.listenerCount('SIGTERM');
        assert.deepEqual(ctx.argv, ['--a']);
        assert.equal(ctx.env.X, '1');
        assert.equal(ctx.stdout, stdout);
        assert.equal(ctx.signal.aborted, false);
      },
      { argv: ['--a'], env: { X: '1' }, stdout, stderr: new PassThrough() },
    );
    assert.equal(during, before + 1);
    assert.equal(process.listenerCount('SIGTERM'), before);
  });

  it('peakRssMetric: one last INFO METRIC line with the process peak RSS (bytes), also after a failure', async () => {
    for (const fail of [false, true]) {
      const err = sink();
      await runCli(
        'tap-x',
        async () => {
          if (fail) throw new SourceError('down');
        },
        { env: {}, stderr: err.out, stdout: new PassThrough(), peakRssMetric: true },
      );
      const lines = err.text().trimEnd().split('\n');
      const match = /^INFO METRIC: (\{.*\})$/.exec(lines.at(-1)!);
      assert.ok(match, lines.at(-1));
      const point = JSON.parse(match[1]) as {
        type: string;
        metric: string;
        value: number;
        tags: Record<string, unknown>;
      };
      assert.deepEqual(
        [point.type, point.metric, point.tags],
        ['counter', 'process_peak_rss_bytes', { executable: 'tap-x', pid: process.pid }],
      );
      // ru_maxrss is the high-water mark: at least the RSS now, and whole kB.
      assert.ok(point.value >= process.memoryUsage().rss * 0.5 && point.value % 1024 === 0, String(point.value));
      // After a failure: its CRITICAL line, then its failure report (singer/failure.ts), then the metric.
      assert.equal(lines.length, fail ? 3 : 1);
    }
  });

  it('no peak RSS line by default with an injected stderr; at LOGLEVEL=warning none either', async () => {
    const injected = sink();
    await runCli('tap-x', async () => undefined, { env: {}, stderr: injected.out, stdout: new PassThrough() });
    assert.equal(injected.text(), '');
    const quiet = sink();
    await runCli('tap-x', async () => undefined, {
      env: { LOGLEVEL: 'warning' },
      stderr: quiet.out,
      stdout: new PassThrough(),
      peakRssMetric: true,
    });
    assert.equal(quiet.text(), '');
  });

  it('exitCodeOf: SingerError subclasses carry their code, anything else is Internal', () => {
    assert.equal(exitCodeOf(new ConfigError('x')), 2);
    assert.equal(exitCodeOf(new ProtocolError('x')), 3);
    assert.equal(exitCodeOf(new SourceError('x')), 4);
    assert.equal(exitCodeOf(new DatabaseError('x')), 5);
    assert.equal(exitCodeOf(new InterruptedError('SIGINT')), 130);
    assert.equal(exitCodeOf(new Error('x')), 1);
    assert.equal(exitCodeOf(undefined), 1);
    assert.equal(new SourceError('x', { retriable: true }).retriable, true);
    assert.equal(new DatabaseError('x').retriable, false);
  });
});

describe('singer/cli: parseArgs and --about/--version', () => {
  it('collects repeated --config in order, including --config=ENV', async () => {
    const args = await parseArgs('tap-x', ['--config', 'a.json', '--config=ENV', '--config', 'b.json'], {});
    assert.deepEqual(configSources(args), ['a.json', 'ENV', 'b.json']);
    assert.deepEqual(configSources(await parseArgs('tap-x', [], {})), []);
  });

  it('accepts the plugin’s own options', async () => {
    const args = await parseArgs('tap-x', ['--discover', '--state', 's.json'], {
      discover: { type: 'boolean' },
      state: { type: 'string' },
    });
    assert.equal(args.discover, true);
    assert.equal(args.state, 's.json');
  });

  for (const [description, argv] of [
    ['an unknown option', ['--bogus']],
    ['an invalid --format', ['--about', '--format', 'yaml']],
  ] as const) {
    it(`rejects ${description} with a UsageError (exit 2, a hint to --help, not "Invalid configuration")`, async () => {
      await assert.rejects(
        parseArgs('tap-x', argv, {}),
        (error: unknown) =>
          error instanceof UsageError &&
          error.exitCode === ExitCode.Config &&
          /^Usage error: .* \(run 'tap-x --help' for usage\)$/.test(error.message),
      );
    });
  }

  it('printInfoIfAsked prints --help/-h, --version and --about in the chosen format, and nothing otherwise', async () => {
    const info = {
      name: 'tap-x',
      description: 'd',
      version: '9.9.9',
      capabilities: ['about'],
      settings: { type: 'object' as const, properties: {} },
    };
    const own = { mode: { type: 'string', choices: ['a', 'b'], description: 'What to do' } } as const;
    const help = {
      name: 'tap-x',
      description: 'A test tap',
      usage: ['tap-x --config <file>'],
      options: { ...COMMON_OPTIONS, ...own },
      docs: ['docs/tap-x.md'],
    };
    for (const flag of ['--help', '-h']) {
      const out = sink();
      assert.equal(printInfoIfAsked(await parseArgs('tap-x', [flag], own), info, out.out, help), true);
      assert.match(out.text(), /^A test tap\n\nUsage:\n {2}tap-x --config <file>\n/);
      assert.match(out.text(), /^ {2}--mode <a\|b> +What to do$/m);
      assert.match(out.text(), /^ {2}--help, -h +Print this help and exit$/m);
      assert.match(out.text(), /^Docs: docs\/tap-x\.md/m);
    }
    const version = sink();
    assert.equal(printInfoIfAsked(await parseArgs('tap-x', ['--version'], {}), info, version.out, help), true);
    assert.equal(version.text(), 'tap-x v9.9.9\n');
    const about = sink();
    assert.equal(
      printInfoIfAsked(await parseArgs('tap-x', ['--about', '--format=json'], {}), info, about.out, help),
      true,
    );
    assert.equal((JSON.parse(about.text()) as { version: string }).version, '9.9.9');
    const nothing = sink();
    assert.equal(printInfoIfAsked(await parseArgs('tap-x', ['--config', 'x'], {}), info, nothing.out, help), false);
    assert.equal(nothing.text(), '');
  });
});
