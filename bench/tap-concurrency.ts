/**
 * tap-oracle-wms with the WMS simulator at 2 ms/row: a full sync of one stream over 8 id ranges with
 * max_concurrent_requests 8, then 1; the speed-up comes from this one run (goal ≥ 5×). The tap without latency
 * (rows/s, CPU µs/row, peak RSS) is `npm run bench`'s tap-alone section, not measured here.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/tap-concurrency.js [--latency-rows 50000]
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

const latencyRows = arg('latency-rows', 50_000);
process.stdout.write(
  `tap-oracle-wms concurrency\nmachine: ${machine()}\ncommand: node dist/bench/tap-concurrency.js --latency-rows ${latencyRows}\n\n`,
);

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
      `2 ms/row, ${latencyRows} rows, max_concurrent_requests ${concurrency}: ${r.rows} rows in ${r.seconds.toFixed(2)} s = ${Math.round(r.rows / r.seconds)} rows/s (exit ${r.exitCode})\n`,
    );
  }
  process.stdout.write(`speed-up 8 vs 1: ${(results[1].seconds / results[8].seconds).toFixed(2)}×\n`);
} finally {
  await slow.close();
}
