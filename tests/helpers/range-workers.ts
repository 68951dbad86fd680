import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PgConfig } from './postgres.js';
import { binPath, runBin, runProcess } from './run-bin.js';

/** One id range as `wms-pipeline plan-partitions` wrote it (decimal text; an end left out is open). */
export interface IdRange {
  gte?: string;
  lt?: string;
}

/** Runs the real `wms-pipeline plan-partitions` against a WMS and reads the ranges back from its YAML. */
export async function planRangesWithCli(
  baseUrl: string,
  entity: string,
  parts: number,
): Promise<{ yaml: string; ranges: IdRange[] }> {
  const result = await runBin('wms-pipeline', ['plan-partitions', '--entity', entity, '--parts', String(parts)], {
    env: { WMS_PIPELINE_WMS_BASE_URL: baseUrl, WMS_PIPELINE_WMS_USERNAME: 'demo', WMS_PIPELINE_WMS_PASSWORD: 'demo' },
    timeoutMs: 120_000,
  });
  if (result.exitCode !== 0) throw new Error(`plan-partitions exited ${result.exitCode}: ${result.stderr}`);
  const ranges = [...result.stdout.matchAll(/^ +id_range: \{(.*)\}$/gm)].map((match) => {
    const range: IdRange = {};
    for (const part of match[1].split(',').filter((p) => p.trim() !== '')) {
      const [key, value] = part.split(':').map((s) => s.trim());
      if (key === 'gte' || key === 'lt') range[key] = value;
    }
    return range;
  });
  return { yaml: result.stdout, ranges };
}

export interface RangeWorkerOptions {
  baseUrl: string;
  pg: PgConfig;
  schema: string;
  entity: string;
  ranges: readonly IdRange[];
  /** Requests in flight per worker (default 1: the workers' count is then the tenant-wide figure). */
  maxConcurrentRequests?: number;
  pageSize?: number;
}

export interface RangeWorkerResult {
  range: IdRange;
  exitCode: number | undefined;
  /** Rows the worker's tap sent (its closing progress line). */
  rows: number;
  stderr: string;
  seconds: number;
}

/**
 * Starts one `tap-oracle-wms | target-oracle` pipeline (two real processes, a real pipe) per id range, all at once,
 * full table without ACTIVATE_VERSION, into one schema; resolves when every worker has exited.
 */
export async function runRangeWorkers(options: RangeWorkerOptions): Promise<RangeWorkerResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'range-workers-'));
  try {
    return await Promise.all(
      options.ranges.map(async (range, i) => {
        const tapConfig = path.join(dir, `tap-${i}.json`);
        const targetConfig = path.join(dir, `target-${i}.json`);
        await writeFile(
          tapConfig,
          JSON.stringify({
            base_url: options.baseUrl,
            username: 'demo',
            password: 'demo',
            entities: [options.entity],
            enable_incremental: false,
            max_concurrent_requests: options.maxConcurrentRequests ?? 1,
            page_size: options.pageSize ?? 250,
            id_range: range,
          }),
        );
        await writeFile(
          targetConfig,
          JSON.stringify({
            dialect: 'postgres',
            host: options.pg.host,
            port: options.pg.port,
            user: options.pg.user,
            password: options.pg.password,
            database: options.pg.database,
            default_target_schema: options.schema,
            add_record_metadata: true,
          }),
        );
        const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
        const script = `set -o pipefail; ${q(process.execPath)} ${q(binPath('tap-oracle-wms'))} --config ${q(tapConfig)} | ${q(process.execPath)} ${q(binPath('target-oracle'))} --config ${q(targetConfig)} >/dev/null`;
        const result = await runProcess('bash', ['-c', script], { env: { LOGLEVEL: 'info' }, timeoutMs: 280_000 });
        const done = new RegExp(`^.*${options.entity}: (\\d+) (?:of \\d+ )?rows read\\b.*, done\\b`, 'm').exec(
          result.stderr,
        );
        return {
          range,
          exitCode: result.exitCode,
          rows: done ? Number(done[1]) : 0,
          stderr: result.stderr,
          seconds: result.durationMs / 1000,
        };
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
