import { spawn } from 'node:child_process';

export interface MeltanoOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one short meltano command (`--version`, `state get/set`) and collects its output. Rejects with the spawn error
 * when meltano cannot start; the callers say what a failure means for them. (A pipeline run streams instead:
 * runners/meltano-runner.ts.)
 */
export function runMeltanoCommand(bin: string, args: readonly string[], cwd?: string): Promise<MeltanoOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd === undefined ? {} : { cwd }) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}
