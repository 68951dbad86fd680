import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { recordOutput } from './captured-output.js';
import { repoRoot } from './repo-root.js';

export type BinName = 'tap-oracle-wms' | 'target-oracle' | 'wms-simulator' | 'wms-pipeline';

export interface ProcessOptions {
  /** Standard input: a string, or `{ file }` to stream a file. Without it, stdin is empty (`runProcess`). */
  input?: string | { file: string };
  /** Merged over `process.env`; a key set to `undefined` is removed from the child's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** SIGTERM after this long (then SIGKILL 5 s later). Default 60 s. */
  timeoutMs?: number;
}

export interface ProcessResult {
  stdout: string;
  stderr: string;
  /** `stdout` split into lines, without a trailing empty line. */
  stdoutLines: string[];
  /** Undefined when the process was killed by a signal or could not start. */
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  durationMs: number;
}

function commandLabel(file: string, args: readonly string[]): string {
  const shown = file === process.execPath ? [] : [path.basename(file)];
  return [...shown, ...args.map((arg) => (arg.startsWith(repoRoot) ? path.relative(repoRoot, arg) : arg))].join(' ');
}

export function binPath(name: BinName): string {
  return path.join(repoRoot, 'bin', `${name}.js`);
}

function childEnv(env: ProcessOptions['env']): Record<string, string> {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}

function spawn(file: string, args: readonly string[], options: ProcessOptions, stdinOpen: boolean) {
  const { input } = options;
  return execa(file, args, {
    cwd: options.cwd ?? repoRoot,
    env: childEnv(options.env),
    extendEnv: false,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    ...(typeof input === 'string'
      ? { input }
      : input
        ? { inputFile: input.file }
        : { stdin: stdinOpen ? ('pipe' as const) : ('ignore' as const) }),
  });
}

async function toResult(subprocess: ResultPromise, label: string): Promise<ProcessResult> {
  const r = await subprocess;
  const stdout = String(r.stdout ?? '');
  // For the reliability campaign's secret scan (a no-op in the other suites).
  recordOutput(label, { stdout, stderr: String(r.stderr ?? '') });
  return {
    stdout,
    stderr: String(r.stderr ?? ''),
    stdoutLines: stdout === '' ? [] : stdout.split(/\r?\n/),
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    durationMs: r.durationMs,
  };
}

/** Runs any executable to completion; never throws on a non-zero exit. */
export function runProcess(
  file: string,
  args: readonly string[] = [],
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  return toResult(spawn(file, args, options, false), commandLabel(file, args));
}

/** Runs `bin/<name>.js` with this Node to completion; never throws on a non-zero exit. */
export function runBin(
  name: BinName,
  args: readonly string[] = [],
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  return runProcess(process.execPath, [binPath(name), ...args], options);
}

export interface RunningProcess {
  /** The execa subprocess: `pid`, `stdin` (open unless `input` was given), `stdout`, `stderr`. */
  readonly subprocess: ResultPromise;
  /** Settles when the process exits. */
  readonly result: Promise<ProcessResult>;
  /** Resolves with the first line (already seen or to come) matching `pattern`; rejects on exit or timeout. */
  waitForLine(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<ProcessResult>;
}

/** Starts a long-running process (a server, or a tap/target to interrupt) without waiting for it. */
export function startProcess(file: string, args: readonly string[] = [], options: ProcessOptions = {}): RunningProcess {
  const subprocess = spawn(file, args, options, true);
  const result = toResult(subprocess, commandLabel(file, args));
  const lines: Record<'stdout' | 'stderr', string[]> = { stdout: [], stderr: [] };
  const waiters = new Set<() => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    subprocess[stream]?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split(/\r?\n/);
      partial = parts.pop() ?? '';
      lines[stream].push(...parts);
      for (const wake of waiters) wake();
    });
  }
  let exited = false;
  void result.then(() => {
    exited = true;
    for (const wake of waiters) wake();
  });

  return {
    subprocess,
    result,
    waitForLine(stream, pattern, timeoutMs = 15_000) {
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          const line = lines[stream].find((l) => pattern.test(l));
          if (line !== undefined) finish(() => resolve(line));
          else if (exited)
            finish(() =>
              reject(
                new Error(
                  `process exited before a ${stream} line matched ${pattern}:\n${lines.stderr.slice(-20).join('\n')}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(
                  `no ${stream} line matched ${pattern} within ${timeoutMs} ms:\n${lines.stderr.slice(-20).join('\n')}`,
                ),
              ),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      subprocess.kill(signal);
      return result;
    },
  };
}

/** Starts `bin/<name>.js` with this Node; see `startProcess`. */
export function startBin(name: BinName, args: readonly string[] = [], options: ProcessOptions = {}): RunningProcess {
  return startProcess(process.execPath, [binPath(name), ...args], options);
}
