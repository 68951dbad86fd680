/**
 * Range workers: one entity loaded by 1, 2, 4 and 8 separate `tap-oracle-wms | target-oracle` pipelines, one id
 * range each (planned by `wms-pipeline plan-partitions`), into a fresh PostgreSQL schema, with the simulator at
 * 2 ms/row (a real tenant answers a 1000-row page in ~20 s, i.e. 20 ms/row) and one request in flight per worker.
 *
 *   bash scripts/pg.sh start; eval "$(bash scripts/pg.sh env)"
 *   npx tsc -p tsconfig.json && node dist/bench/range-workers.js [--rows 40000] [--ms-per-row 2] [--workers 1,2,4,8]
 *
 * Prints rows/s per worker count; `benchRangeWorkers` returns the same figures for other benches.
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { startSimulator } from '../wms-simulator/index.js';
import { pgConfigFromEnv, uniqueName, withClient, type PgConfig } from '../tests/helpers/postgres.js';
import { planRangesWithCli, runRangeWorkers } from '../tests/helpers/range-workers.js';

export interface RangeWorkersFigure {
  workers: number;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface RangeWorkersOptions {
  pg: PgConfig;
  rows?: number;
  msPerRow?: number;
  workers?: readonly number[];
}

export async function benchRangeWorkers(options: RangeWorkersOptions): Promise<RangeWorkersFigure[]> {
  const rows = options.rows ?? 40_000;
  const sim = await startSimulator({
    port: 0,
    rows: { allocation: rows },
    latencyMsPerRow: options.msPerRow ?? 2,
  });
  const figures: RangeWorkersFigure[] = [];
  try {
    for (const workers of options.workers ?? [1, 2, 4, 8]) {
      const plan = await planRangesWithCli(sim.baseUrl, 'allocation', workers);
      const schema = uniqueName(`bench_range_${workers}`);
      const started = process.hrtime.bigint();
      try {
        const results = await runRangeWorkers({
          baseUrl: sim.baseUrl,
          pg: options.pg,
          schema,
          entity: 'allocation',
          ranges: plan.ranges,
        });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const failed = results.find((result) => result.exitCode !== 0);
        if (failed) throw new Error(`a worker failed (exit ${failed.exitCode}): ${failed.stderr.slice(-2000)}`);
        const loaded = results.reduce((total, result) => total + result.rows, 0);
        figures.push({ workers, rows: loaded, seconds, rowsPerSecond: loaded / seconds });
      } finally {
        await withClient((c) => c.query(`DROP SCHEMA IF EXISTS ${c.escapeIdentifier(schema)} CASCADE`), options.pg);
      }
    }
  } finally {
    await sim.close();
  }
  return figures;
}

function arg(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const pg = pgConfigFromEnv();
  if (!pg) throw new Error('TEST_PG_* not set: bash scripts/pg.sh start; eval "$(bash scripts/pg.sh env)"');
  const rows = Number(arg('rows') ?? 40_000);
  const msPerRow = Number(arg('ms-per-row') ?? 2);
  const workers = (arg('workers') ?? '1,2,4,8').split(',').map(Number);
  console.log(
    `range workers: allocation ${rows} rows, simulator ${msPerRow} ms/row, 1 request in flight per worker; ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  for (const figure of await benchRangeWorkers({ pg, rows, msPerRow, workers })) {
    console.log(
      `${String(figure.workers).padStart(2)} worker(s): ${figure.rows} rows in ${figure.seconds.toFixed(1)} s = ${Math.round(figure.rowsPerSecond)} rows/s`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
