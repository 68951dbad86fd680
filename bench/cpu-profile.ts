/**
 * Where the CPU goes: the tap's full sync and the target's load, each run once with V8's sampling profiler
 * (`node --cpu-prof bin/…`: the real bins, unchanged), summarised as the ten functions with the most
 * self time. Profiling slows a process down: these runs give shares, never rates.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator } from '../wms-simulator/index.js';
import { bins, root, shebangFlags, withScratchSchemas, withTempDir, type PgConnection } from './bench-env.js';
import { assertSucceeded, measure } from './measure.js';
import { tapConfig } from './pipeline-runs.js';

export interface HotFunction {
  /** function name, file relative to the repo (or the runtime's own), line */
  where: string;
  /** Share of the busy (non-idle) samples spent in this function itself, in percent. */
  selfPercent: number;
}

interface ProfileNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** The `top` functions by self samples across every .cpuprofile in `dir`. */
export async function hottest(dir: string, top = 10): Promise<HotFunction[]> {
  const hits = new Map<string, number>();
  let total = 0;
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { nodes: ProfileNode[] };
    for (const node of profile.nodes) {
      const count = node.hitCount ?? 0;
      const { functionName, url, lineNumber } = node.callFrame;
      // (idle) is the process waiting for I/O, not work: shares are of the busy samples.
      if (functionName === '(idle)' || count === 0) continue;
      total += count;
      const file = url.startsWith('file://') ? path.relative(root, new URL(url).pathname) : url || '(native)';
      const key = `${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`;
      hits.set(key, (hits.get(key) ?? 0) + count);
    }
  }
  return [...hits.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, count]) => ({ where, selfPercent: Math.round((count / Math.max(total, 1)) * 1000) / 10 }));
}

/** node's own flags: --cpu-prof is not allowed in NODE_OPTIONS. */
const profiled = (dir: string, bin: string): string[] => ['--cpu-prof', `--cpu-prof-dir=${dir}`, bin];

/** Profiles the tap syncing `rows` allocations and the target loading `file` (`rows` RECORDs) into PostgreSQL. */
export async function cpuProfiles(
  connection: PgConnection,
  file: string,
  rows: number,
): Promise<{ tap: HotFunction[]; target: HotFunction[] }> {
  return withTempDir('bench-prof-', async (scratch) => {
    const tapDir = path.join(scratch, 'tap');
    const targetDir = path.join(scratch, 'target');
    const sim = await startSimulator({ port: 0, rows: { allocation: rows } });
    try {
      const config = await tapConfig(scratch, sim.baseUrl);
      assertSucceeded(
        'tap (profiled)',
        await measure(process.execPath, [...profiled(tapDir, bins.tap), '--config', config]),
      );
    } finally {
      await sim.close();
    }
    await withScratchSchemas(connection, async (_client, schemaFor) => {
      const targetConfig = path.join(scratch, 'target.json');
      await writeFile(
        targetConfig,
        JSON.stringify({ dialect: 'postgres', ...connection, default_target_schema: await schemaFor('profile') }),
      );
      assertSucceeded(
        'target (profiled)',
        await measure(
          process.execPath,
          [...shebangFlags(bins.target), ...profiled(targetDir, bins.target), '--config', targetConfig],
          { stdin: file },
        ),
      );
    });
    return { tap: await hottest(tapDir), target: await hottest(targetDir) };
  });
}
