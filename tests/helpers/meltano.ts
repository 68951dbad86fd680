import { existsSync } from 'node:fs';
import path from 'node:path';
import type { PgConfig } from './postgres.js';
import { repoRoot } from './repo-root.js';
import { requireEnvOrSkip } from './require-env.js';
import { runProcess, type ProcessOptions, type ProcessResult } from './run-bin.js';

/** Keeps Meltano from phoning home; scripts/test.sh exports the same. */
export const MELTANO_NO_TRACKING_ENV = {
  MELTANO_SEND_ANONYMOUS_USAGE_STATS: 'false',
  MELTANO_DISABLE_TRACKING: 'true',
  MELTANO_CLI_DISABLE_VERSION_CHECK: 'true',
} as const;

/**
 * What every Meltano test project's plugins need from the environment: tap-oracle-wms pointed at the simulator
 * (its demo login) and target-oracle's PostgreSQL dialect loading into `schema`. Each test adds its own settings.
 */
export function meltanoPluginEnv(wmsBaseUrl: string, pg: PgConfig, schema: string): Record<string, string> {
  return {
    TAP_ORACLE_WMS_BASE_URL: wmsBaseUrl,
    TAP_ORACLE_WMS_USERNAME: 'demo',
    TAP_ORACLE_WMS_PASSWORD: 'demo',
    TARGET_ORACLE_DIALECT: 'postgres',
    TARGET_ORACLE_HOST: pg.host,
    TARGET_ORACLE_PORT: String(pg.port),
    TARGET_ORACLE_USER: pg.user,
    TARGET_ORACLE_PASSWORD: pg.password,
    TARGET_ORACLE_DATABASE: pg.database,
    TARGET_ORACLE_DEFAULT_TARGET_SCHEMA: schema,
  };
}

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
