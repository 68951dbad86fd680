import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ExitCode, exitClassOf, SUPERVISOR_PID_ENV } from '../../singer/index.js';
import { StderrCollector } from '../stderr-collector.js';
import type { AttemptOptions, AttemptOutcome } from './runner.js';

/** The package's bin/ (this file runs from dist/orchestrator/runners/). */
export const BIN_DIR = path.resolve(fileURLToPath(new URL('../../../bin/', import.meta.url)));

export interface DirectAttempt {
  tapConfig: Record<string, unknown>;
  targetConfig: Record<string, unknown>;
  stateFile?: string;
  env?: NodeJS.ProcessEnv;
}

const KILL_GRACE_MS = 10_000;

/**
 * Configs hold passwords: they reach the children through an inherited pipe read as `--config /dev/fd/3`, never a
 * file, so nothing is left on disk when this process is killed (and nothing shows in `ps` or the environment).
 */
const CONFIG_FD = 3;
const CONFIG_PATH = `/dev/fd/${CONFIG_FD}`;

/** A child with the pipes this runner asks for (spawn's types only know three stdio entries). */
type Piped = ChildProcess & { stdout: Readable; stderr: Readable };

function sendConfig(child: ChildProcess, config: Record<string, unknown>): void {
  const pipe = child.stdio[CONFIG_FD] as Writable | null;
  // A child that exits before reading its config makes the write fail: its exit code reports that.
  pipe?.on('error', () => undefined);
  pipe?.end(JSON.stringify(config));
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

function stop(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, KILL_GRACE_MS).unref();
}

/**
 * `tap-oracle-wms --config … [--state …] | target-oracle --config …` with a real pipe: tap.stdout.pipe(target.stdin)
 * pauses the tap when the target falls behind (backpressure). Both exit codes are checked; both stderr streams are
 * parsed for METRIC lines; the target's stdout lines are state values, the last one wins.
 */
export async function runDirectAttempt(attempt: DirectAttempt, options: AttemptOptions): Promise<AttemptOutcome> {
  // The children stop by themselves if this process dies without stopping them (singer/parent-watch.ts).
  const env = { ...process.env, ...attempt.env, [SUPERVISOR_PID_ENV]: String(process.pid) };
  const tapArgs = [
    path.join(BIN_DIR, 'tap-oracle-wms.js'),
    '--config',
    CONFIG_PATH,
    ...(attempt.stateFile ? ['--state', attempt.stateFile] : []),
  ];
  const targetArgs = [path.join(BIN_DIR, 'target-oracle.js'), '--config', CONFIG_PATH];
  const tapCollector = new StderrCollector((point) => options.onMetric('tap', point));
  const targetCollector = new StderrCollector((point) => options.onMetric('target', point));

  const target = spawn(process.execPath, targetArgs, { env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] }) as Piped & {
    stdin: Writable;
  };
  const tap = spawn(process.execPath, tapArgs, { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] }) as Piped;
  sendConfig(target, attempt.targetConfig);
  sendConfig(tap, attempt.tapConfig);
  for (const child of [target, tap]) if (child.pid) options.onSpawn(child.pid);
  const spawnErrors: string[] = [];
  tap.on('error', (error) => spawnErrors.push(`tap-oracle-wms could not start: ${error.message}`));
  target.on('error', (error) => spawnErrors.push(`target-oracle could not start: ${error.message}`));

  // If the target dies, writes into its stdin fail with EPIPE: the tap then fails too; the target's code explains why.
  target.stdin.on('error', () => undefined);
  tap.stdout.pipe(target.stdin);
  // A target that stops before the tap has finished writing can never read the rest: the pipe would fill and the
  // tap block until the run timeout. Close the tap's stdout (its next write fails at once) and stop it.
  void exited(target).then(({ code }) => {
    if (code === 0 && tap.stdout.readableEnded) return;
    tap.stdout.unpipe(target.stdin);
    tap.stdout.destroy();
    stop(tap);
  });

  tap.stderr.on('data', (chunk: Buffer) => tapCollector.push(chunk));
  target.stderr.on('data', (chunk: Buffer) => targetCollector.push(chunk));
  if (options.onLine) {
    tapCollector.onLine = (line) => options.onLine?.('tap', line);
    targetCollector.onLine = (line) => options.onLine?.('target', line);
  }

  let stateText: string | undefined;
  let partial = '';
  target.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') stateText = line.trim();
  });

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop(tap);
    stop(target);
  }, options.timeoutMs);
  const onAbort = (): void => {
    // Forward the stop: the tap stops reading, the target commits and emits its last state, both exit 130.
    stop(tap);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const [tapExit, targetExit] = await Promise.all([exited(tap), exited(target)]);
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  tapCollector.end();
  targetCollector.end();
  if (partial.trim() !== '') stateText = partial.trim();

  const base = { tap: tapCollector, target: targetCollector, stateText, timedOut };
  if (spawnErrors.length > 0)
    return { ...base, success: false, exitCode: ExitCode.Internal, retriable: false, error: spawnErrors.join('; ') };
  if (timedOut) {
    return {
      ...base,
      success: false,
      exitCode: ExitCode.Internal,
      retriable: false,
      error: `the run did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped`,
    };
  }
  const codeOf = (exit: { code: number | null; signal: NodeJS.Signals | null }): number =>
    exit.code ?? (exit.signal === 'SIGTERM' || exit.signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Internal);
  const tapCode = codeOf(tapExit);
  const targetCode = codeOf(targetExit);
  if (tapCode === 0 && targetCode === 0) return { ...base, success: true, exitCode: 0, retriable: false };

  // The target's failure is the root cause when both failed (the tap then only saw a broken pipe).
  const [who, code, collector] =
    targetCode !== 0
      ? (['target-oracle', targetCode, targetCollector] as const)
      : (['tap-oracle-wms', tapCode, tapCollector] as const);
  // Its failure report says why and whether a retry may pass; a child that died without one is not retried.
  const reason =
    collector.failure?.message.replace(/\n\s*/g, ' ') ??
    collector
      .failureLines(3)
      .map((line) => line.replace(/^(CRITICAL|ERROR) /, ''))
      .join(' | ');
  const error = `${who} exited with code ${code} (${exitClassOf(code)})${reason ? `: ${reason}` : ''}`;
  return { ...base, success: false, exitCode: code, retriable: collector.failure?.retriable ?? false, error };
}
