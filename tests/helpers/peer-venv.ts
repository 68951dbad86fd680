import path from 'node:path';
import { repoRoot } from './repo-root.js';
import { runProcess } from './run-bin.js';

/** scripts/peer-venvs.sh's exit status when PyPI cannot be reached. */
const EX_UNREACHABLE = 75;

/**
 * For a `before` hook: the executable of another project's Singer plugin from PyPI (`scripts/peer-venvs.sh NAME`,
 * a stamp check once installed). Skips only when PyPI cannot be reached; any other install failure fails.
 */
export async function requirePeer(ctx: Mocha.Context, name: string): Promise<string> {
  const result = await runProcess('bash', [path.join(repoRoot, 'scripts', 'peer-venvs.sh'), name], {
    cwd: repoRoot,
    timeoutMs: 600_000,
  });
  if (result.exitCode === EX_UNREACHABLE) {
    console.warn(`      skipped: PyPI cannot be reached, so ${name} could not be installed (scripts/peer-venvs.sh)`);
    ctx.skip();
  }
  if (result.exitCode !== 0) throw new Error(`scripts/peer-venvs.sh ${name} failed:\n${result.stderr}`);
  return path.join(repoRoot, '.cache', 'peer-venvs', name, 'bin', name);
}
