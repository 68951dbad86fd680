/**
 * Bench (not a test): 1M allocation-shaped RECORD lines through readMessages → MessageWriter.
 * Goal (issue 3): ≥ 100k records/s with flat memory.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/singer-reader-writer.js [--records 1000000] [--out /dev/null|count|stdout]
 *
 * `--out stdout` writes to process.stdout as a tap does (pipe it: `… --out stdout | cat > /dev/null`); the report
 * then goes to stderr.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { once } from 'node:events';
import { MessageWriter } from '../singer/writer.js';
import { readMessages } from '../singer/reader.js';
import { stringifyJson } from '../singer/exact-number.js';

function argValue(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
}

const RECORDS = Number(argValue('records', '1000000'));
const OUT = argValue('out', '/dev/null');

const STATUSES = ['CREATED', 'ALLOCATED', 'IN_PICKING', 'PICKED', 'PACKED', 'CANCELLED'];
const USERS = ['WMS_BATCH', 'jdoe', 'integration.user', 'rf_gun_17'];

/** Deterministic pseudo-random (no Math.random, so every run writes the same bytes). */
function makeRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function timestamp(base: number, offsetMinutes: number, micros: number): string {
  const local = new Date(base + offsetMinutes * 60_000);
  const iso = local.toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${iso}.${String(micros).padStart(6, '0')}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A WMS allocation as the tap would emit it: relations flattened to *_id / *_key, decimals, µs timestamps. */
function allocationRecord(i: number, random: () => number): Record<string, unknown> {
  const base = Date.UTC(2024, 0, 1) + i * 1_000;
  const offset = [0, 60, 120, -300][i % 4];
  const qty = Math.round(random() * 100000) / 100;
  return {
    id: 100_000_000 + i,
    facility_id: 11 + (i % 7),
    facility_key: `DC${String(11 + (i % 7)).padStart(2, '0')}`,
    company_id: 3,
    company_key: 'ACME',
    order_dtl_id: 50_000_000 + Math.floor(i / 3),
    order_id: 20_000_000 + Math.floor(i / 12),
    order_key: `SO-${String(20_000_000 + Math.floor(i / 12))}`,
    item_id: 700_000 + (i % 9_973),
    item_key: `ITM-${String(700_000 + (i % 9_973)).padStart(8, '0')}`,
    from_container_id: 4_000_000 + (i % 50_000),
    from_container_key: `LPN${String(4_000_000 + (i % 50_000)).padStart(10, '0')}`,
    to_container_id: i % 5 === 0 ? null : 6_000_000 + Math.floor(i / 4),
    to_container_key: i % 5 === 0 ? null : `OLPN${String(6_000_000 + Math.floor(i / 4)).padStart(10, '0')}`,
    location_id: 80_000 + (i % 12_345),
    location_key: `A-${String(i % 40).padStart(2, '0')}-${String(i % 97).padStart(3, '0')}-B`,
    task_id: 30_000_000 + Math.floor(i / 8),
    wave_id: 1_000 + Math.floor(i / 5_000),
    status_id: 10 * (1 + (i % STATUSES.length)),
    status_key: STATUSES[i % STATUSES.length],
    alloc_qty: qty,
    packed_qty: i % 3 === 0 ? 0 : qty,
    uom_id: 1,
    unit_weight: Math.round(random() * 10_000) / 1_000,
    is_picking_flg: i % 2 === 0,
    is_partial_flg: i % 11 === 0,
    batch_number_key: i % 4 === 0 ? `B${(i % 8_192).toString(16).toUpperCase()}` : null,
    expiry_date: i % 4 === 0 ? '2026-12-31' : null,
    create_ts: timestamp(base, offset, (i * 7919) % 1_000_000),
    mod_ts: timestamp(base + 90_000, offset, (i * 104_729) % 1_000_000),
    create_user: USERS[i % USERS.length],
    mod_user: USERS[(i + 1) % USERS.length],
    cust_field_1: `REF-${i.toString(36).toUpperCase()}`,
  };
}

async function generate(file: string): Promise<{ bytes: number; minLine: number; maxLine: number }> {
  const random = makeRandom(42);
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let minLine = Infinity;
  let maxLine = 0;
  const write = async (line: string): Promise<void> => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(
    `${JSON.stringify({ type: 'SCHEMA', stream: 'allocation', schema: { type: 'object', properties: { id: { type: 'integer' } } }, key_properties: ['id'] })}\n`,
  );
  const timeExtracted = '2024-06-01T00:00:00.000000+00:00';
  for (let i = 0; i < RECORDS; i += 1) {
    const line = `${stringifyJson({ type: 'RECORD', stream: 'allocation', record: allocationRecord(i, random), time_extracted: timeExtracted })}\n`;
    minLine = Math.min(minLine, line.length);
    maxLine = Math.max(maxLine, line.length);
    await write(line);
    if (i % 10_000 === 9_999)
      await write(
        `${JSON.stringify({ type: 'STATE', value: { bookmarks: { allocation: { replication_key: 'mod_ts', replication_key_value: timestamp(Date.UTC(2024, 0, 1) + i * 1_000, 0, 0) } } } })}\n`,
      );
  }
  out.end();
  await once(out, 'finish');
  return { bytes: (await stat(file)).size, minLine, maxLine };
}

/** Counts bytes; slower than /dev/null by nothing but a callback. */
class CountingWritable extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytes += chunk.length;
    callback();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'singer-bench-'));
  const file = path.join(dir, 'allocations.jsonl');
  try {
    const generatedAt = performance.now();
    const generated = await generate(file);
    const generationSeconds = (performance.now() - generatedAt) / 1000;

    if (global.gc) global.gc();
    const rssBefore = process.memoryUsage.rss();
    let peakRss = rssBefore;
    const samples: number[] = [];
    const sampler = setInterval(() => {
      const rss = process.memoryUsage.rss();
      peakRss = Math.max(peakRss, rss);
      samples.push(rss);
    }, 50);

    const output =
      OUT === 'count'
        ? new CountingWritable({ highWaterMark: 64 * 1024 })
        : OUT === 'stdout'
          ? process.stdout
          : createWriteStream(OUT);
    const writer = new MessageWriter(output);
    let records = 0;
    let messages = 0;
    const started = performance.now();
    for await (const message of readMessages(createReadStream(file, { highWaterMark: 256 * 1024 }))) {
      messages += 1;
      if (message.type === 'RECORD') records += 1;
      await writer.write(message);
    }
    await writer.end();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());

    const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    const quarter = (q: number): string =>
      mb(samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? 0);
    const cpus = os.cpus();
    const report = OUT === 'stdout' ? console.error : console.log;
    report(
      `command:   ${['node', ...process.execArgv, path.relative(process.cwd(), process.argv[1]), ...process.argv.slice(2)].join(' ')}`,
    );
    report(
      `machine:   ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${mb(os.totalmem())} RAM, ${os.platform()} ${os.release()}, node ${process.version}`,
    );
    report(
      `input:     ${records} RECORD + ${messages - records} other lines, ${mb(generated.bytes)}, RECORD lines ${generated.minLine}–${generated.maxLine} bytes (generated in ${generationSeconds.toFixed(1)} s)`,
    );
    report(
      `output:    ${OUT === 'count' ? `counting Writable (${mb((output as CountingWritable).bytes)})` : OUT === 'stdout' ? 'process.stdout' : OUT}`,
    );
    report(`time:      ${seconds.toFixed(2)} s`);
    report(
      `rate:      ${Math.round(records / seconds).toLocaleString('en-US')} records/s (${(generated.bytes / 2 ** 20 / seconds).toFixed(0)} MiB/s)`,
    );
    report(
      `rss:       before ${mb(rssBefore)}, at 25/50/75/100% of the run ${quarter(0.25)} / ${quarter(0.5)} / ${quarter(0.75)} / ${quarter(1)}, peak ${mb(peakRss)}`,
    );
    report(
      `load:      ${os
        .loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')} (1/5/15 min; other processes share the cores)`,
    );
    report(`goal:      ≥ 100,000 records/s with flat memory: ${records / seconds >= 100_000 ? 'met' : 'MISSED'}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
