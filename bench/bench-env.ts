/**
 * What every bench section shares: the repo's bins, the PostgreSQL the bench was started with (TEST_PG_*, as
 * `scripts/pg.sh env` prints them), a scratch schema per load, and the machine and load average each figure was
 * taken under (the machine may be shared).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const root = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
export const bins = {
  tap: path.join(root, 'bin', 'tap-oracle-wms.js'),
  target: path.join(root, 'bin', 'target-oracle.js'),
};

/**
 * The node flags a bin's first line (`#!/usr/bin/env -S node <flags>`) gives it: a bench that starts the bin with
 * process.execPath passes them too, so it measures the process as meltano runs it.
 */
export function shebangFlags(bin: string): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0];
  const flags = /^#!\/usr\/bin\/env -S node (.+)$/.exec(first)?.[1];
  return flags === undefined ? [] : flags.split(' ');
}

export interface PgConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export function pgConnection(): PgConnection {
  const env = process.env;
  if (!env.TEST_PG_HOST)
    throw new Error('TEST_PG_* is not set: run the bench with `npm run bench` (starts PostgreSQL)');
  return {
    host: env.TEST_PG_HOST,
    port: Number(env.TEST_PG_PORT),
    user: env.TEST_PG_USER ?? '',
    password: env.TEST_PG_PASSWORD ?? '',
    database: env.TEST_PG_DATABASE ?? '',
  };
}

/** Runs `fn` with a client; the schemas it creates through `schema()` are dropped afterwards. */
export async function withScratchSchemas<T>(
  connection: PgConnection,
  fn: (client: pg.Client, schema: (label: string) => Promise<string>) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(connection);
  await client.connect();
  const made: string[] = [];
  try {
    return await fn(client, async (label) => {
      const name = `bench_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${made.length}`;
      await client.query(`CREATE SCHEMA "${name}"`);
      made.push(name);
      return name;
    });
  } finally {
    for (const name of made) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await client.end();
  }
}

/** Rows in a scratch schema's allocation table: every bench load checks that all its rows arrived. */
export async function allocationRows(client: pg.Client, schema: string): Promise<number> {
  return Number(((await client.query(`SELECT count(*) AS n FROM "${schema}".allocation`)).rows[0] as { n: string }).n);
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/** The 1-minute load average, to two decimals. */
export function load1(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}

/** Runs `use` with a new directory under the system's temporary one, removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
