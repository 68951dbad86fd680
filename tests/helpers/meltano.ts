import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './repo-root.js';
import { requireEnvOrSkip } from './require-env.js';
import { runProcess, type ProcessOptions, type ProcessResult } from './run-bin.js';

/** Keeps Meltano from phoning home; scripts/test.sh exports the same. */
export const MELTANO_NO_TRACKING_ENV = {
  MELTANO_SEND_ANONYMOUS_USAGE_STATS: 'false',
  MELTANO_DISABLE_TRACKING: 'true',
  MELTANO_CLI_DISABLE_VERSION_CHECK: 'true',
} as const;

/** The venv's meltano: MELTANO_BIN (set by scripts/test.sh), else .cache/meltano-venv/bin/meltano if present. */
export function meltanoBin(): string | undefined {
  if (process.env.MELTANO_BIN) return process.env.MELTANO_BIN;
  const local = path.join(repoRoot, '.cache', 'meltano-venv', 'bin', 'meltano');
  return existsSync(local) ? local : undefined;
}

/** For a `before` hook: the meltano path, or skip when there is none (fail under CI). */
export function requireMeltano(ctx: Mocha.Context): string {
  const bin = meltanoBin();
  if (bin) return bin;
  requireEnvOrSkip(ctx, ['MELTANO_BIN'], 'run `npm test` (it installs Meltano with scripts/meltano-venv.sh)');
  return process.env.MELTANO_BIN!;
}

/**
 * Runs `meltano <args>` with `projectDir` as working directory (Meltano finds meltano.yml from there) and tracking
 * off. Never throws on a non-zero exit. Default timeout 120 s.
 */
export function runMeltano(
  projectDir: string,
  args: readonly string[],
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  const bin = meltanoBin();
  if (!bin) throw new Error('meltano not found: run `npm test` or scripts/meltano-venv.sh, or set MELTANO_BIN');
  return runProcess(bin, args, {
    timeoutMs: 120_000,
    ...options,
    cwd: projectDir,
    env: { ...MELTANO_NO_TRACKING_ENV, ...options.env },
  });
}
