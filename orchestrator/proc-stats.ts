import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

/**
 * Linux `/proc` readings, no dependencies. `USER_HZ` (the unit of utime/stime and starttime in /proc/<pid>/stat) is
 * 100 on every Linux architecture Node supports; the kernel converts to it whatever its internal HZ is.
 */
export const USER_HZ = 100;

export interface ProcessReading {
  pid: number;
  ppid: number;
  /** utime + stime, in USER_HZ ticks. */
  cpuTicks: number;
  /** When the process started, in USER_HZ ticks after boot (stat field 22). */
  startTicks: number;
  /** Resident set size (VmRSS) in bytes. */
  rssBytes: number;
  /** `performance.now()` right after this process's files were read. */
  at: number;
}

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses, so fields are read after the last ')'. */
export function parseStat(text: string): { ppid: number; cpuTicks: number; startTicks: number } {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22.
  return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), startTicks: Number(fields[19]) };
}

/** VmRSS from /proc/<pid>/status (kB), in bytes; 0 for a zombie (no VmRSS line). */
export function parseStatusRss(text: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * Reads the processes synchronously, one right after the other, each stamped when read: a few small /proc files take
 * microseconds, so the CPU counters of one sample are taken at (nearly) the same moment and `at` is exact for each.
 * Processes that are gone are left out.
 */
export function readProcessesNow(pids: Iterable<number>): ProcessReading[] {
  const readings: ProcessReading[] = [];
  for (const pid of pids) {
    try {
      const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      const rssBytes = parseStatusRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
      readings.push({ pid, ...stat, rssBytes, at: performance.now() });
    } catch {
      // exited since it was listed
    }
  }
  return readings;
}

/** The given processes and all their descendants (meltano spawns the tap and target as grandchildren). */
export async function findProcessTree(rootPids: readonly number[]): Promise<number[]> {
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const parents = await Promise.all(
    entries.map(async (name) => {
      try {
        return [Number(name), parseStat(await readFile(`/proc/${name}/stat`, 'utf8')).ppid] as const;
      } catch {
        return undefined;
      }
    }),
  );
  const children = new Map<number, number[]>();
  const alive = new Set<number>();
  for (const entry of parents) {
    if (!entry) continue;
    alive.add(entry[0]);
    children.set(entry[1], [...(children.get(entry[1]) ?? []), entry[0]]);
  }
  const result: number[] = [];
  const seen = new Set<number>();
  const queue = rootPids.filter((pid) => alive.has(pid));
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    result.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return result;
}

/** The tree of `rootPids`, read at one moment (see readProcessesNow). */
export async function readProcessTree(rootPids: readonly number[]): Promise<ProcessReading[]> {
  return readProcessesNow(await findProcessTree(rootPids));
}

/**
 * Maps `performance.now()` onto seconds since boot (the clock of stat's starttime), calibrated once from
 * /proc/uptime (10 ms resolution). Undefined where /proc/uptime cannot be read.
 */
export function bootClock(): ((performanceNow: number) => number) | undefined {
  try {
    const before = performance.now();
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const after = performance.now();
    if (!Number.isFinite(uptime)) return undefined;
    const offset = uptime - (before + after) / 2000;
    return (performanceNow) => offset + performanceNow / 1000;
  } catch {
    return undefined;
  }
}
