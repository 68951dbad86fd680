/**
 * Bench: 1M allocation-shaped RECORDs from a file into PostgreSQL through the real bin/target-oracle.js (postgres
 * dialect): a first load into an empty table, then an upsert of the same rows. Prints rows/s, peak RSS (VmHWM of
 * the target process), the machine and the command.
 *
 *   scripts/pg.sh start && eval "$(scripts/pg.sh env)" && npx tsc -p tsconfig.json && node dist/bench/target-load.js [rows]
 *
 * Goals (issue 6): first load ≥ 50k rows/s with peak RSS ≤ 300 MB; upsert of the same rows ≥ 30k rows/s.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import pg from 'pg';
import { writeAllocationFile } from './allocation-file.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const root = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
const bin = path.join(root, 'bin', 'target-oracle.js');

async function peakRssWhileRunning(pid: number, done: Promise<unknown>): Promise<number> {
  let peak = 0;
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  while (!finished) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return peak;
}

/** 1/5/15-minute load averages: the machine is shared, so every figure carries the load it was taken under. */
function loadAverage(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

async function load(
  label: string,
  configFile: string,
  input: string,
): Promise<{ seconds: number; rss: number; states: number; loadBefore: string; loadAfter: string }> {
  const loadBefore = loadAverage();
  const started = process.hrtime.bigint();
  const child = execa(process.execPath, [bin, '--config', configFile], {
    inputFile: input,
    reject: false,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const rss = await peakRssWhileRunning(child.pid!, child);
  const result = await child;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.exitCode !== 0)
    throw new Error(
      `${label} failed (exit ${result.exitCode}):\n${String(result.stderr).split('\n').slice(-15).join('\n')}`,
    );
  if (/error|exception/i.test(String(result.stderr))) throw new Error(`${label}: stderr mentions error/exception`);
  return {
    seconds,
    rss,
    states: String(result.stdout).trim().split('\n').length,
    loadBefore,
    loadAfter: loadAverage(),
  };
}

async function main(): Promise<void> {
  const env = process.env;
  const connection = {
    host: env.TEST_PG_HOST ?? '127.0.0.1',
    port: Number(env.TEST_PG_PORT ?? 54329),
    user: env.TEST_PG_USER ?? 'wms_test',
    password: env.TEST_PG_PASSWORD ?? 'wms_test',
    database: env.TEST_PG_DATABASE ?? 'wms_test',
  };
  const schema = `bench_target_${process.pid}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'target-load-'));
  const input = path.join(dir, 'allocation.singer');
  const configFile = path.join(dir, 'config.json');
  await writeFile(
    configFile,
    JSON.stringify({ dialect: 'postgres', ...connection, default_target_schema: schema, batch_size_rows: 10000 }),
  );
  const t0 = Date.now();
  await writeAllocationFile(input, ROWS);
  console.log(`generated ${ROWS} RECORD lines in ${((Date.now() - t0) / 1000).toFixed(1)} s → ${input}`);

  const client = new pg.Client(connection);
  await client.connect();
  try {
    const first = await load('first load', configFile, input);
    const count = Number((await client.query(`SELECT count(*) AS n FROM "${schema}"."allocation"`)).rows[0].n);
    if (count !== ROWS) throw new Error(`expected ${ROWS} rows, found ${count}`);
    const again = await load('upsert', configFile, input);
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
    const cpu = os.cpus();
    console.log('');
    console.log(
      `machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} cores, ${mb(os.totalmem())} MB RAM, ${os.type()} ${os.release()}, Node ${process.version}, PostgreSQL on ${connection.host}:${connection.port}`,
    );
    console.log(
      `command: node dist/bench/target-load.js ${ROWS}  (target: node bin/target-oracle.js --config <postgres, batch_size_rows 10000> < file)`,
    );
    console.log(
      `first load : ${ROWS} rows in ${first.seconds.toFixed(2)} s = ${Math.round(ROWS / first.seconds)} rows/s, peak RSS ${mb(first.rss)} MB, ${first.states} states, load ${first.loadBefore} → ${first.loadAfter}  (goal ≥ 50000 rows/s, ≤ 300 MB)`,
    );
    console.log(
      `upsert     : ${ROWS} rows in ${again.seconds.toFixed(2)} s = ${Math.round(ROWS / again.seconds)} rows/s, peak RSS ${mb(again.rss)} MB, ${again.states} states, load ${again.loadBefore} → ${again.loadAfter}  (goal ≥ 30000 rows/s)`,
    );
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
