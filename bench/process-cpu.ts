/**
 * CPU time of the servers a load runs against, which the bench does not start under GNU time: the WMS simulator's
 * child process, the PostgreSQL server, the object store (moto). Read from Linux's /proc/<pid>/stat: utime + stime
 * of every live process of the tree (a root pid and its descendants) plus cutime + cstime, the time of children that
 * exited and were waited for. A PostgreSQL backend that exits during a load (the target's connection) is reaped by
 * the postmaster, so its time moves into the postmaster's cutime + cstime and stays in the sum.
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { root, type PgConnection } from './bench-env.js';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, clock ticks. */
  ownTicks: number;
  /** cutime + cstime: waited-for children, clock ticks. */
  childTicks: number;
}

/** One /proc/<pid>/stat line. The command name (field 2) is in parentheses and may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  // After the name: state (field 3), ppid (4), …, utime (14), stime (15), cutime (16), cstime (17).
  const fields = text.slice(close + 2).split(' ');
  const field = (n: number): number => Number(fields[n - 3]);
  if (close < 0 || !Number.isInteger(pid) || fields.length < 15) throw new Error(`not a /proc stat line: ${text}`);
  return { pid, ppid: field(4), ownTicks: field(14) + field(15), childTicks: field(16) + field(17) };
}

let ticksPerSecond: number | undefined;
/** sysconf(_SC_CLK_TCK): the unit of /proc's times (100 on Linux nearly everywhere). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

async function readStats(): Promise<ProcStat[]> {
  const stats: ProcStat[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.push(parseStat(await readFile(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // Gone since readdir: a process that exits now is counted by its parent's cutime once it is waited for.
    }
  }
  return stats;
}

/** The pids of `rootPid`'s tree (itself and every descendant) among `stats`. */
export function treeOf(stats: ProcStat[], rootPid: number): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of stats) byParent.set(stat.ppid, [...(byParent.get(stat.ppid) ?? []), stat]);
  const tree = stats.filter((stat) => stat.pid === rootPid);
  for (let i = 0; i < tree.length; i++) tree.push(...(byParent.get(tree[i].pid) ?? []));
  return tree;
}

/** Ticks of a tree: every live process's own time and its waited-for children's. */
export const treeTicks = (tree: ProcStat[]): number =>
  tree.reduce((sum, stat) => sum + stat.ownTicks + stat.childTicks, 0);

export interface TreeSnapshot {
  cpuSeconds: number;
  pids: Set<number>;
}

/** CPU seconds used so far by `rootPid` and its descendants (undefined once the root is gone). */
export async function treeCpu(rootPid: number): Promise<TreeSnapshot | undefined> {
  const tree = treeOf(await readStats(), rootPid);
  if (tree.length === 0) return undefined;
  return { cpuSeconds: treeTicks(tree) / clockTicks(), pids: new Set(tree.map((stat) => stat.pid)) };
}

/** One server whose CPU a load is charged with: `stop()` gives the CPU seconds since `start()`. */
export interface CpuMeter {
  start(): Promise<void>;
  stop(): Promise<number>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A meter of `rootPid`'s tree. Before reading the end, it waits (up to `settleMs`) until every process that was
 * not there at the start has exited and been reaped, so a backend that served the load is counted once, in its
 * parent's cutime, not lost in between.
 */
export function treeMeter(rootPid: number, settleMs = 1000): CpuMeter {
  let start: TreeSnapshot | undefined;
  return {
    async start() {
      start = await treeCpu(rootPid);
      if (!start) throw new Error(`process ${rootPid} is not running`);
    },
    async stop() {
      if (!start) throw new Error('the meter was not started');
      const deadline = Date.now() + settleMs;
      for (;;) {
        const end = await treeCpu(rootPid);
        if (!end) throw new Error(`process ${rootPid} exited during the measurement`);
        const newcomers = [...end.pids].some((pid) => !start!.pids.has(pid));
        if (!newcomers || Date.now() >= deadline) return end.cpuSeconds - start.cpuSeconds;
        await sleep(20);
      }
    },
  };
}

/** The pid on the first line of `pidFile` if that process runs and `portFile`'s `portLine` (0-based) is `port`. */
async function serverPid(
  pidFile: string,
  portFile: string,
  portLine: number,
  port: number,
): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
    const listens = Number((await readFile(portFile, 'utf8')).split('\n')[portLine]) === port;
    return Number.isInteger(pid) && pid > 0 && listens && (await treeCpu(pid)) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The postmaster of scripts/pg.sh's server on `port`: .cache/pg/data/postmaster.pid (pid first, port fourth). */
export function postgresPid(port: number): Promise<number | undefined> {
  const file = path.join(root, '.cache', 'pg', 'data', 'postmaster.pid');
  return serverPid(file, file, 3, port);
}

/** scripts/s3-server.sh's moto_server on `port`: .cache/s3-server/pid and port. */
export function objectStorePid(port: number): Promise<number | undefined> {
  const dir = path.join(root, '.cache', 's3-server');
  return serverPid(path.join(dir, 'pid'), path.join(dir, 'port'), 0, port);
}

/**
 * CPU µs/row of the servers a load ran against (absent in reports before 2026-12-04 19:00, and a server whose
 * process was not found): the simulator's process, PostgreSQL's postmaster and every process under it, moto's.
 */
export interface ServerCpu {
  simulator?: number;
  postgres?: number;
  objectStore?: number;
}

export type ServerMeters = { [K in keyof ServerCpu]?: CpuMeter };

const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Runs `load` with every meter running around it; each server's CPU µs/row. */
export async function metered<T>(
  meters: ServerMeters,
  rows: number,
  load: () => Promise<T>,
): Promise<{ result: T; servers: ServerCpu }> {
  const entries = Object.entries(meters) as [keyof ServerCpu, CpuMeter][];
  for (const [, meter] of entries) await meter.start();
  const result = await load();
  const servers: ServerCpu = {};
  for (const [name, meter] of entries) servers[name] = round1(((await meter.stop()) * 1e6) / rows);
  return { result, servers };
}

/** A meter of scripts/pg.sh's PostgreSQL on `connection`'s port, or none when its postmaster is not found. */
export async function postgresMeter(connection: PgConnection): Promise<ServerMeters> {
  const pid = await postgresPid(connection.port);
  return pid === undefined ? {} : { postgres: treeMeter(pid) };
}
