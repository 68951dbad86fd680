/**
 * The WMS simulator as a child process (`bin/wms-simulator.js`), not in the bench's own process: the bench's work
 * (counting the tap's output, reading /proc) then takes nothing from the simulator's event loop, and the
 * simulator's own CPU can be read from /proc on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { root, shebangFlags } from './bench-env.js';
import { treeMeter, type CpuMeter } from './process-cpu.js';

const BIN = path.join(root, 'bin', 'wms-simulator.js');
const START_TIMEOUT_MS = 30_000;

export interface SimulatorProcess {
  baseUrl: string;
  pid: number;
  /** The simulator's CPU (utime + stime from /proc) between start() and stop(). */
  cpu: CpuMeter;
  /** SIGTERM (SIGKILL after 5 s), resolved once it has exited. */
  close(): Promise<void>;
}

/**
 * The simulators not closed yet. If the bench ends first (an exception, process.exit, or SIGINT/SIGTERM/SIGHUP sent
 * to its process only), they are killed: none outlives it. (SIGKILL cannot be caught: the simulator's CLI does not
 * watch its parent.)
 */
const running = new Set<ChildProcess>();
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const killRunning = (): void => {
  for (const child of running) child.kill('SIGKILL');
};

function onStopSignal(signal: NodeJS.Signals): void {
  killRunning();
  watchExit(false);
  // Then end by the same signal, as without a handler (the status a shell expects).
  process.kill(process.pid, signal);
}

function watchExit(on: boolean): void {
  process[on ? 'on' : 'off']('exit', killRunning);
  for (const signal of STOP_SIGNALS) process[on ? 'on' : 'off'](signal, onStopSignal);
}

/** Starts `wms-simulator --port 0 --rows allocation=<rows> …extraArgs` and waits for its `base_url=` line. */
export async function startSimulatorProcess(rows: number, extraArgs: string[] = []): Promise<SimulatorProcess> {
  const child = spawn(
    process.execPath,
    [...shebangFlags(BIN), BIN, '--port', '0', '--rows', `allocation=${rows}`, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  if (running.size === 1) watchExit(true);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (running.delete(child) && running.size === 0) watchExit(false);
  };
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  try {
    const baseUrl = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(
        () => reject(new Error('wms-simulator printed no base_url within 30 s')),
        START_TIMEOUT_MS,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const url = /^base_url=(\S+)$/m.exec(stdout)?.[1];
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      });
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`wms-simulator exited ${code} before it listened:\n${stderr}`));
      });
    });
    // Its stdout has nothing more to say; keep reading so it never blocks on a full pipe.
    child.stdout.resume();
    return { baseUrl, pid: child.pid!, cpu: treeMeter(child.pid!), close };
  } catch (error) {
    await close();
    throw error;
  }
}
