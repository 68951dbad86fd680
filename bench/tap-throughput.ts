/**
 * tap-oracle-wms throughput against the WMS simulator (in this process, real HTTP on 127.0.0.1); the tap runs as the
 * real bin/tap-oracle-wms.js process and its stdout is counted, not stored.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/tap-throughput.js [--rows 200000] [--latency-rows 50000]
 *
 * 1. One stream (allocation), simulator latency off: rows/s of a full sync (goal ≥ 20k rows/s), single range and
 *    default partitioning.
 * 2. Simulator at 2 ms/row: a 50k-row full sync with max_concurrent_requests 8 vs 1 (8 id ranges both times); the
 *    ratio comes from this one run (goal ≥ 5×).
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { startSimulator } from '../wms-simulator/index.js';
import { repoRoot } from '../tests/helpers/repo-root.js';

interface Result {
  rows: number;
  seconds: number;
  exitCode: number | undefined;
}

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'tap-bench-'));

async function runTap(baseUrl: string, extra: Record<string, unknown>): Promise<Result> {
  const config = path.join(dir, `config-${Date.now()}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      base_url: baseUrl,
      username: 'demo',
      password: 'demo',
      entities: ['allocation'],
      enable_incremental: false,
      page_size: 1000,
      ...extra,
    }),
  );
  const started = process.hrtime.bigint();
  const child = execa(process.execPath, [path.join(repoRoot, 'bin/tap-oracle-wms.js'), '--config', config], {
    reject: false,
    buffer: { stdout: false, stderr: true },
  });
  let rows = 0;
  let tail = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = tail + chunk.toString('latin1');
    const parts = text.split('\n');
    tail = parts.pop() ?? '';
    for (const line of parts) if (line.startsWith('{"type":"RECORD"')) rows += 1;
  });
  const result = await child;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.exitCode !== 0)
    process.stderr.write(
      String(result.stderr)
        .split('\n')
        .filter((l) => !l.includes('METRIC'))
        .slice(-5)
        .join('\n'),
    );
  return { rows, seconds, exitCode: result.exitCode };
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

const rows = arg('rows', 200_000);
const latencyRows = arg('latency-rows', 50_000);
process.stdout.write(
  `tap-oracle-wms throughput\nmachine: ${machine()}\ncommand: node dist/bench/tap-throughput.js --rows ${rows} --latency-rows ${latencyRows}\n\n`,
);

const fast = await startSimulator({ port: 0, rows: { allocation: rows } });
try {
  const discovery = await runTap(fast.baseUrl, { entities: ['uom'] }); // warm up (discovery + process start)
  void discovery;
  for (const [label, extra] of [
    ['1 range, 1 request in flight', { full_sync_partitions: 1, max_concurrent_requests: 1 }],
    ['default (4 ranges, 4 in flight)', {}],
  ] as const) {
    const r = await runTap(fast.baseUrl, extra);
    process.stdout.write(
      `1. latency off, ${label}: ${r.rows} rows in ${r.seconds.toFixed(2)} s = ${Math.round(r.rows / r.seconds)} rows/s (exit ${r.exitCode}; includes process start and discovery)\n`,
    );
  }
} finally {
  await fast.close();
}

const slow = await startSimulator({ port: 0, rows: { allocation: latencyRows }, latencyMsPerRow: 2 });
try {
  const results: Record<number, Result> = {};
  for (const concurrency of [8, 1]) {
    results[concurrency] = await runTap(slow.baseUrl, {
      full_sync_partitions: 8,
      max_concurrent_requests: concurrency,
    });
    const r = results[concurrency];
    process.stdout.write(
      `2. 2 ms/row, ${latencyRows} rows, max_concurrent_requests ${concurrency}: ${r.rows} rows in ${r.seconds.toFixed(2)} s = ${Math.round(r.rows / r.seconds)} rows/s (exit ${r.exitCode})\n`,
    );
  }
  process.stdout.write(`   speed-up 8 vs 1: ${(results[1].seconds / results[8].seconds).toFixed(2)}×\n`);
} finally {
  await slow.close();
}
