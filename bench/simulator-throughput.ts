/**
 * wms-simulator throughput and memory: with latency off, fetch 1000-row allocation pages one after the
 * other (sequenced, following next_page) and report rows/s and the server process's RSS as the table
 * grows to 1M rows. Goals: ≥ 20k rows/s, RSS flat in the row count.
 *
 *   node dist/bench/simulator-throughput.js [--rows 10000,100000,1000000] [--max-fetch 200000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/wms-simulator.js', import.meta.url));
const AUTH = { Authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function start(rows: number): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--rows', `allocation=${rows}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /base_url=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
  return { child, baseUrl };
}

/** Follows next_page from `url` until `limit` rows or the end; returns rows and seconds. */
async function drain(url: string, limit: number): Promise<{ rows: number; seconds: number; bytes: number }> {
  const started = performance.now();
  let next: string | null = url;
  let rows = 0;
  let bytes = 0;
  while (next !== null && rows < limit) {
    const res = await fetch(next, { headers: AUTH });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    bytes += text.length;
    const page = JSON.parse(text) as { next_page: string | null; results: unknown[] };
    rows += page.results.length;
    next = page.next_page;
  }
  return { rows, seconds: (performance.now() - started) / 1000, bytes };
}

async function main(): Promise<void> {
  const sizes = arg('--rows', '10000,100000,1000000').split(',').map(Number);
  const maxFetch = Number(arg('--max-fetch', '200000'));
  const cpus = os.cpus();
  console.log(`command: node ${process.argv.slice(1).join(' ')}`);
  console.log(
    `machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`,
  );
  console.log(
    'allocation rows | query                                    | fetched | rows/s  | MB/s  | RSS idle MB | RSS after MB',
  );
  for (const n of sizes) {
    const { child, baseUrl } = await start(n);
    try {
      const entity = `${baseUrl}/wms/lgfapi/v10/entity/allocation/`;
      await drain(`${entity}?page_size=1000&page_mode=sequenced`, 2000); // warm-up (JIT, offset cache)
      const idle = rssMb(child.pid!);
      const queries: [string, string][] = [
        ['sequenced ordering=id', `${entity}?page_size=1000&page_mode=sequenced&ordering=id`],
        [
          'sequenced -mod_ts,id in a mod_ts window',
          `${entity}?page_size=1000&page_mode=sequenced&ordering=-mod_ts,id&mod_ts__gte=2024-07-01T00:00:00Z&mod_ts__lt=2025-07-01T00:00:00Z`,
        ],
      ];
      for (const [label, url] of queries) {
        const r = await drain(url, Math.min(n, maxFetch));
        const after = rssMb(child.pid!);
        console.log(
          `${String(n).padStart(15)} | ${label.padEnd(40)} | ${String(r.rows).padStart(7)} | ${String(Math.round(r.rows / r.seconds)).padStart(7)} | ${(r.bytes / 2 ** 20 / r.seconds).toFixed(1).padStart(5)} | ${idle.toFixed(1).padStart(11)} | ${after.toFixed(1).padStart(12)}`,
        );
      }
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
