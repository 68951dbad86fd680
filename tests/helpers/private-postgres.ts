import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PgConfig } from './postgres.js';

/**
 * A PostgreSQL 15 server of one test's own (a data directory under a temp dir, a port of its own), for faults the
 * shared test server must never see: a restart, a stop. The binaries are found where scripts/pg.sh finds them (and
 * installs them); as root the server runs as the system user `postgres` that scripts/pg.sh creates.
 */
const run = promisify(execFile);
const OS_USER = 'postgres';
const USER = 'restart_test';
/** A throwaway cluster's fake password. */
const PASSWORD = 'private-pg-fake-password';

export interface PrivatePostgres {
  config: PgConfig;
  /** `pg_ctl restart -m fast`: every session is terminated, the server is back when this resolves. */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

/** The directory of initdb, pg_ctl and postgres (15), or why there is none. */
export function pgBinDir(): { dir: string } | { missing: string } {
  const candidates = ['/usr/lib/postgresql/15/bin'];
  for (const entry of (process.env.PATH ?? '').split(path.delimiter)) if (entry) candidates.push(entry);
  for (const dir of candidates)
    if (['initdb', 'pg_ctl', 'postgres'].every((bin) => existsSync(path.join(dir, bin)))) return { dir };
  return { missing: 'pg_ctl and initdb (PostgreSQL 15) not found: `bash scripts/pg.sh start` installs them' };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * As scripts/pg.sh does: the server user must reach its data directory, so an ancestor that blocks it (the test
 * runner's private TMPDIR, mode 700) gets search permission (o+x, never read).
 */
async function makeTraversable(dir: string): Promise<void> {
  const ancestors: string[] = [];
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) ancestors.unshift(d);
  for (const d of ancestors) {
    const reachable = await run('runuser', ['-u', OS_USER, '--', 'test', '-x', d]).then(
      () => true,
      () => false,
    );
    if (!reachable) await chmod(d, ((await stat(d)).mode & 0o7777) | 0o001);
  }
}

export async function startPrivatePostgres(binDir: string): Promise<PrivatePostgres> {
  const root = process.getuid?.() === 0;
  const home = await mkdtemp(path.join(os.tmpdir(), 'private-pg-'));
  const data = path.join(home, 'data');
  const log = path.join(home, 'server.log');
  const owner = root ? (await run('id', ['-u', OS_USER])).stdout.trim() : undefined;
  const group = root ? (await run('id', ['-g', OS_USER])).stdout.trim() : undefined;
  if (owner !== undefined) {
    await chown(home, Number(owner), Number(group));
    await makeTraversable(path.dirname(home));
  }
  const asOwner = (bin: string, args: string[]) =>
    root ? run('runuser', ['-u', OS_USER, '--', path.join(binDir, bin), ...args]) : run(path.join(binDir, bin), args);
  const pwfile = path.join(home, 'pwfile');
  await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (owner !== undefined) await chown(pwfile, Number(owner), Number(group));
  const port = await freePort();
  const pgCtl = (...args: string[]) => asOwner('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', ...args]);
  try {
    await asOwner('initdb', [
      '-D',
      data,
      '-U',
      USER,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    await appendFile(
      path.join(data, 'postgresql.conf'),
      `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = ''\ntimezone = 'UTC'\nfsync = off\n`,
    );
    await pgCtl('start');
  } catch (error) {
    await rm(home, { recursive: true, force: true });
    throw error;
  }
  return {
    config: { host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' },
    async restart() {
      await pgCtl('restart', '-m', 'fast');
    },
    async close() {
      await pgCtl('stop', '-m', 'immediate').catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}
