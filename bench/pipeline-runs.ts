/**
 * The tap alone, the pair end to end, and the fixed cost of a run, against the WMS simulator in a child process of
 * its own (real HTTP on 127.0.0.1, no latency: the figures are the plugins' own cost, not the network's). Besides the
 * tap's and the target's CPU (GNU time), a load is charged with the CPU of the servers it ran against, read from
 * /proc: the simulator, PostgreSQL and (Data Extract) the object store.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import {
  allocationRows,
  bins,
  load1,
  shebangFlags,
  withScratchSchemas,
  withTempDir,
  type PgConnection,
} from './bench-env.js';
import { assertSucceeded, measure, RecordCounter, startMeasured, type Usage } from './measure.js';
import { metered, postgresMeter, type ServerCpu, type ServerMeters } from './process-cpu.js';
import { startSimulatorProcess } from './simulator-process.js';

export interface ProcessFigure {
  rows: number;
  rowsPerSecond: number;
  cpuMicrosPerRow: number;
  peakRssMb: number;
  wallSeconds: number;
  load1: number;
  servers?: ServerCpu;
}

export interface PairFigure {
  rows: number;
  rowsPerSecond: number;
  wallSeconds: number;
  tap: { cpuMicrosPerRow: number; peakRssMb: number };
  target: { cpuMicrosPerRow: number; peakRssMb: number };
  servers?: ServerCpu;
  load1: number;
}

export interface FixedCostFigure {
  /** `tap-oracle-wms --version`: node start and module loading. */
  processStartSeconds: number;
  /** `tap-oracle-wms --discover` of one entity with the catalog already in catalog_cache_dir. */
  cachedDiscoverySeconds: number;
  /** An incremental tap | target run that finds 1 changed row, catalog cached: the wall time of the slower side. */
  oneRowRunSeconds: number;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
export const perRow = (usage: Usage, rows: number): number => round1((usage.cpuSeconds * 1e6) / rows);

/** A tap config file for a full sync of allocation from `baseUrl` (the simulator's demo user). */
export async function tapConfig(dir: string, baseUrl: string, extra: Record<string, unknown> = {}): Promise<string> {
  const file = path.join(dir, `tap-${Math.random().toString(36).slice(2)}.json`);
  const config = {
    base_url: baseUrl,
    username: 'demo',
    password: 'demo',
    entities: ['allocation'],
    enable_incremental: false,
    page_size: 1000,
    ...extra,
  };
  await writeFile(file, JSON.stringify(config));
  return file;
}

/** The tap's full sync of `rows` allocations, its stdout counted and discarded; the simulator's CPU beside it. */
export async function tapAlone(rows: number): Promise<ProcessFigure> {
  return withTempDir('bench-tap-', async (dir) => {
    const sim = await startSimulatorProcess(rows);
    try {
      const config = await tapConfig(dir, sim.baseUrl);
      const counter = new RecordCounter();
      const before = load1();
      const { result: usage, servers } = await metered({ simulator: sim.cpu }, rows, async () =>
        assertSucceeded(
          'tap-oracle-wms',
          await measure(process.execPath, [bins.tap, '--config', config], { onStdout: (chunk) => counter.add(chunk) }),
        ),
      );
      if (counter.records !== rows) throw new Error(`the tap wrote ${counter.records} RECORDs, expected ${rows}`);
      return {
        rows,
        rowsPerSecond: Math.round(rows / usage.wallSeconds),
        cpuMicrosPerRow: perRow(usage, rows),
        peakRssMb: Math.round(usage.peakRssMb),
        wallSeconds: usage.wallSeconds,
        load1: Math.max(before, load1()),
        servers,
      };
    } finally {
      await sim.close();
    }
  });
}

/**
 * tap | target, each measured on its own; throws with the failing side's stderr. The tap writes into the target's
 * stdin pipe directly: the bench's process copies none of the stream.
 */
export async function pipe(tapArgs: string[], targetConfig: string): Promise<{ tap: Usage; target: Usage }> {
  const target = await startMeasured(
    process.execPath,
    [...shebangFlags(bins.target), bins.target, '--config', targetConfig],
    { openStdin: true },
  );
  target.stdout!.resume();
  const tap = await startMeasured(process.execPath, [bins.tap, ...tapArgs], { stdout: target.child.stdin! });
  const [tapUsage, targetUsage] = await Promise.all([tap.usage, target.usage]);
  return { tap: assertSucceeded('tap-oracle-wms', tapUsage), target: assertSucceeded('target-oracle', targetUsage) };
}

/**
 * One tap | target load of `rows` allocation rows into a fresh `schema` of `connection`: every row counted in (a
 * missing row throws, naming `what`), then rows/s over the slower process's wall time, CPU and peak RSS per process,
 * and the CPU of each server in `meters` over the load.
 */
export async function measuredPair(
  connection: PgConnection,
  client: pg.Client,
  dir: string,
  schema: string,
  tapArgs: string[],
  rows: number,
  what: string,
  meters: ServerMeters = {},
): Promise<PairFigure> {
  const targetConfig = path.join(dir, `${schema}.json`);
  await writeFile(targetConfig, JSON.stringify({ dialect: 'postgres', ...connection, default_target_schema: schema }));
  const before = load1();
  const { result: run, servers } = await metered(meters, rows, () => pipe(tapArgs, targetConfig));
  const count = await allocationRows(client, schema);
  if (count !== rows) throw new Error(`${what} loaded ${count} rows, expected ${rows}`);
  const wall = Math.max(run.tap.wallSeconds, run.target.wallSeconds);
  return {
    rows,
    rowsPerSecond: Math.round(rows / wall),
    wallSeconds: wall,
    tap: { cpuMicrosPerRow: perRow(run.tap, rows), peakRssMb: Math.round(run.tap.peakRssMb) },
    target: { cpuMicrosPerRow: perRow(run.target, rows), peakRssMb: Math.round(run.target.peakRssMb) },
    servers,
    load1: Math.max(before, load1()),
  };
}

/** simulator → tap → target → PostgreSQL for each row count, every row checked in. */
export async function pairScaling(connection: PgConnection, sizes: number[]): Promise<PairFigure[]> {
  return withTempDir('bench-pair-', async (dir) => {
    const figures: PairFigure[] = [];
    const postgres = await postgresMeter(connection);
    await withScratchSchemas(connection, async (client, schemaFor) => {
      for (const rows of sizes) {
        const sim = await startSimulatorProcess(rows);
        try {
          const schema = await schemaFor(`pair_${rows}`);
          const tapArgs = ['--config', await tapConfig(dir, sim.baseUrl)];
          const meters = { simulator: sim.cpu, ...postgres };
          figures.push(await measuredPair(connection, client, dir, schema, tapArgs, rows, 'the pair', meters));
        } finally {
          await sim.close();
        }
      }
    });
    return figures;
  });
}

/** Start-up, cached discovery and a 1-row incremental run. */
export async function fixedCost(connection: PgConnection): Promise<FixedCostFigure> {
  return withTempDir('bench-fixed-', async (dir) => {
    const sim = await startSimulatorProcess(1);
    try {
      const version = assertSucceeded('tap --version', await measure(process.execPath, [bins.tap, '--version']));
      const cached = {
        catalog_cache_dir: path.join(dir, 'catalogs'),
        enable_incremental: true,
        start_date: '2000-01-01T00:00:00Z',
      };
      const config = await tapConfig(dir, sim.baseUrl, cached);
      // The first discovery fills the cache; the second is the one every scheduled run pays.
      assertSucceeded('tap --discover', await measure(process.execPath, [bins.tap, '--config', config, '--discover']));
      const discovery = assertSucceeded(
        'tap --discover (cached)',
        await measure(process.execPath, [bins.tap, '--config', config, '--discover']),
      );
      const oneRow = await withScratchSchemas(connection, async (client, schemaFor) => {
        const schema = await schemaFor('one_row');
        const targetConfig = path.join(dir, 'target.json');
        await writeFile(
          targetConfig,
          JSON.stringify({ dialect: 'postgres', ...connection, default_target_schema: schema }),
        );
        const run = await pipe(['--config', config], targetConfig);
        const count = await allocationRows(client, schema);
        if (count !== 1) throw new Error(`the 1-row run loaded ${count} rows`);
        return Math.max(run.tap.wallSeconds, run.target.wallSeconds);
      });
      return {
        processStartSeconds: version.wallSeconds,
        cachedDiscoverySeconds: discovery.wallSeconds,
        oneRowRunSeconds: oneRow,
      };
    } finally {
      await sim.close();
    }
  });
}
