import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './repo-root.js';
import { requireEnvOrSkip } from './require-env.js';

/** The venv's dagster: DAGSTER_BIN (set by scripts/test.sh), else .cache/dagster-venv/bin/dagster if present. */
export function dagsterBin(): string | undefined {
  if (process.env.DAGSTER_BIN) return process.env.DAGSTER_BIN;
  const local = path.join(repoRoot, '.cache', 'dagster-venv', 'bin', 'dagster');
  return existsSync(local) ? local : undefined;
}

/** For a `before` hook: the dagster path, or skip when there is none (fail under CI). */
export function requireDagster(ctx: Mocha.Context): string {
  const bin = dagsterBin();
  if (bin) return bin;
  requireEnvOrSkip(ctx, ['DAGSTER_BIN'], 'run `npm test` (it installs Dagster with scripts/dagster-venv.sh)');
  return process.env.DAGSTER_BIN!;
}
