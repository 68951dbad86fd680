/**
 * Bench: 1M allocation-shaped RECORDs from a file into PostgreSQL through the real bin/target-oracle.js (postgres
 * dialect): a first load into an empty table, then an upsert of the same rows. Prints rows/s, peak RSS (VmHWM of
 * the target process), the machine and the command.
 *
 *   scripts/pg.sh start && eval "$(scripts/pg.sh env)" && npx tsc -p tsconfig.json && node dist/bench/target-load.js [rows]
 *
 * Goals (issue 6): first load ≥ 50k rows/s with peak RSS ≤ 300 MB; upsert of the same rows ≥ 30k rows/s.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import pg from 'pg';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const root = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
const bin = path.join(root, 'bin', 'target-oracle.js');

const SCHEMA = {
  type: 'SCHEMA',
  stream: 'allocation',
  key_properties: ['id'],
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      facility_id_id: { type: ['integer', 'null'] },
      facility_id_key: { type: ['string', 'null'], maxLength: 64 },
      company_id_id: { type: ['integer', 'null'] },
      company_id_key: { type: ['string', 'null'], maxLength: 64 },
      order_dtl_id_id: { type: ['integer', 'null'] },
      item_id_key: { type: ['string', 'null'], maxLength: 64 },
      status_id: { type: ['integer', 'null'] },
      alloc_qty: { type: ['number', 'null'] },
      packed_qty: { type: ['number', 'null'] },
      uom_qty: { type: ['number', 'null'] },
      task_id_key: { type: ['string', 'null'], maxLength: 64 },
      is_picking_flg: { type: ['boolean', 'null'] },
      create_user: { type: ['string', 'null'], maxLength: 64 },
      create_ts: { type: ['string', 'null'], format: 'date-time' },
      mod_ts: { type: ['string', 'null'], format: 'date-time' },
    },
  },
};

async function generate(file: string): Promise<void> {
  const out = createWriteStream(file);
  const write = (line: string) =>
    out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write(`${JSON.stringify(SCHEMA)}\n`);
  let chunk = '';
  for (let i = 1; i <= ROWS; i += 1) {
    const micro = String(i % 1_000_000).padStart(6, '0');
    const record = {
      id: 1_000_000_000_000 + i,
      facility_id_id: 100 + (i % 7),
      facility_id_key: `FAC${i % 7}`,
      company_id_id: 1,
      company_id_key: 'COMPANY1',
      order_dtl_id_id: 5_000_000 + Math.floor(i / 3),
      item_id_key: `ITEM-${i % 50_000}`,
      status_id: 90 + (i % 4),
      alloc_qty: `${i % 1000}.${String(i % 10_000).padStart(4, '0')}`,
      packed_qty: (i % 1000) / 4,
      uom_qty: 1,
      task_id_key: `TASK-${Math.floor(i / 25)}`,
      is_picking_flg: i % 2 === 0,
      create_user: 'wms_user',
      create_ts: `2024-03-10T01:${String(i % 60).padStart(2, '0')}:59.${micro}-05:00`,
      mod_ts: `2024-06-30T23:59:${String(i % 60).padStart(2, '0')}.${micro}+14:00`,
    };
    // Decimals arrive as JSON numbers (the tap turns WMS decimal strings into exact numbers).
    chunk += `{"type":"RECORD","stream":"allocation","record":${JSON.stringify(record).replace(/"alloc_qty":"([0-9.]+)"/, '"alloc_qty":$1')}}\n`;
    if (i % 10_000 === 0) {
      chunk += `{"type":"STATE","value":{"bookmarks":{"allocation":{"replication_key":"mod_ts","replication_key_value":"${record.mod_ts}"}}}}\n`;
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

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
  await generate(input);
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
