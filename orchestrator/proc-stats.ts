import { readdir, readFile } from 'node:fs/promises';

/**
 * Linux `/proc` readings, no dependencies. `USER_HZ` (the unit of utime/stime in /proc/<pid>/stat) is 100 on every
 * Linux architecture Node supports; the kernel converts to it whatever its internal HZ is.
 */
export const USER_HZ = 100;

export interface ProcessReading {
  pid: number;
  ppid: number;
  /** utime + stime, in USER_HZ ticks. */
  cpuTicks: number;
  /** Resident set size (VmRSS) in bytes. */
  rssBytes: number;
}

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses, so fields are read after the last ')'. */
export function parseStat(text: string): { ppid: number; cpuTicks: number } {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

/** VmRSS from /proc/<pid>/status (kB), in bytes; 0 for a zombie (no VmRSS line). */
export function parseStatusRss(text: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}

export async function readProcess(pid: number): Promise<ProcessReading | undefined> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    return { pid, ...parseStat(stat), rssBytes: parseStatusRss(status) };
  } catch {
    return undefined; // exited between listing and reading
  }
}

/** The given processes and all their descendants (meltano spawns the tap and target as grandchildren). */
export async function readProcessTree(rootPids: readonly number[]): Promise<ProcessReading[]> {
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const all = (await Promise.all(entries.map((name) => readProcess(Number(name))))).filter((r): r is ProcessReading => r !== undefined);
  const children = new Map<number, ProcessReading[]>();
  for (const reading of all) children.set(reading.ppid, [...(children.get(reading.ppid) ?? []), reading]);
  const byPid = new Map(all.map((reading) => [reading.pid, reading]));
  const result: ProcessReading[] = [];
  const seen = new Set<number>();
  const queue = rootPids.map((pid) => byPid.get(pid)).filter((r): r is ProcessReading => r !== undefined);
  while (queue.length > 0) {
    const reading = queue.shift()!;
    if (seen.has(reading.pid)) continue;
    seen.add(reading.pid);
    result.push(reading);
    queue.push(...(children.get(reading.pid) ?? []));
  }
  return result;
}
