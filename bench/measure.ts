/**
 * One process measured from outside by GNU time (`/usr/bin/time`, Debian package `time`): wall seconds, CPU seconds
 * (user + system, the figure a shared 2-core machine does not distort much) and peak RSS. Processes can be chained
 * into a pipeline (`tap | target`), each measured on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const GNU_TIME = '/usr/bin/time';

export interface Usage {
  exitCode: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  /** The last lines of stderr, for a failure's message. */
  stderrTail: string;
}

export interface MeasuredProcess {
  child: ChildProcess;
  /** null when `stdout` was given. */
  stdout: Readable | null;
  usage: Promise<Usage>;
}

export interface MeasureOptions {
  /** A file to read stdin from, or another measured process's stdout. */
  stdin?: string | Readable;
  /** No `stdin`: `child.stdin` is left open to the caller (to write, or to hand to another process as `stdout`). */
  openStdin?: boolean;
  /**
   * Another measured process's stdin (started with `openStdin`): this process writes into that pipe itself, and the
   * bench closes its own end of it, so no byte passes through the bench's process (a shell's `a | b`).
   */
  stdout?: Writable;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Starts `command args` under GNU time; read `stdout` (or it blocks), await `usage`. */
export async function startMeasured(
  command: string,
  args: string[],
  options: MeasureOptions = {},
): Promise<MeasuredProcess> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-time-'));
  const timeFile = path.join(dir, 'time');
  const child = spawn(GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, command, ...args], {
    stdio: ['pipe', options.stdout ?? 'pipe', 'pipe'],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  // The child has its copy of the pipe now: with the bench's copy open, the reader would never see the end.
  options.stdout?.destroy();
  const stdin = child.stdin!;
  if (typeof options.stdin === 'string') createReadStream(options.stdin).pipe(stdin);
  else if (options.stdin) options.stdin.pipe(stdin);
  else if (!options.openStdin) stdin.end();
  // A consumer that stops reading early (EPIPE) is the consumer's failure, reported by its own exit code.
  stdin.on('error', () => undefined);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
  });
  const usage = new Promise<Usage>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      // The directory is gone before `usage` resolves: a caller that exits right after leaves nothing in /tmp.
      void readFile(timeFile, 'utf8')
        .finally(() => rm(dir, { recursive: true, force: true }))
        .then((text) => {
          // On a non-zero exit GNU time writes "Command exited with non-zero status N" first: the figures are last.
          const [wall, user, system, maxRssKb] = text.trim().split('\n').at(-1)!.split(' ').map(Number);
          resolve({
            exitCode: code ?? 1,
            wallSeconds: wall,
            cpuSeconds: user + system,
            peakRssMb: maxRssKb / 1024,
            stderrTail: stderr.split('\n').slice(-8).join('\n'),
          });
        }, reject);
    });
  });
  return { child, stdout: child.stdout, usage };
}

/** Runs one process to the end, its stdout discarded (counted by `onStdout` when given). */
export async function measure(
  command: string,
  args: string[],
  options: MeasureOptions & { onStdout?: (chunk: Buffer) => void } = {},
): Promise<Usage> {
  const run = await startMeasured(command, args, options);
  run.stdout?.on('data', options.onStdout ?? (() => undefined));
  return run.usage;
}

/** Throws with the process's own last stderr lines when it failed. */
export function assertSucceeded(label: string, usage: Usage): Usage {
  if (usage.exitCode !== 0) throw new Error(`${label} exited ${usage.exitCode}:\n${usage.stderrTail}`);
  return usage;
}

const RECORD_LINE = Buffer.from('\n{"type":"RECORD"');

/**
 * Counts the lines of a Singer stream that start with `{"type":"RECORD"`, chunk by chunk, on the bytes (no string
 * is made): a line start is a newline, or the very start of the stream.
 */
export class RecordCounter {
  records = 0;
  /** The last bytes seen, shorter than the needle: a match may start there and end in the next chunk. */
  #carry: Buffer = Buffer.from('\n');

  add(chunk: Buffer): void {
    const keep = RECORD_LINE.length - 1;
    const head = Buffer.concat([this.#carry, chunk.subarray(0, keep)]);
    for (let at = head.indexOf(RECORD_LINE); at >= 0 && at < this.#carry.length; at = head.indexOf(RECORD_LINE, at + 1))
      this.records += 1;
    for (let at = chunk.indexOf(RECORD_LINE); at >= 0; at = chunk.indexOf(RECORD_LINE, at + 1)) this.records += 1;
    this.#carry = Buffer.from((chunk.length >= keep ? chunk : Buffer.concat([this.#carry, chunk])).subarray(-keep));
  }
}
