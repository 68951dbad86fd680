/**
 * Targets side by side on one Singer file into one PostgreSQL: ours and the peers a data engineer would use instead
 * (each from PyPI in its own cached venv, scripts/peer-venvs.sh). Each target loads the file into an empty schema
 * (first load), then the same file again (upsert). Per load: rows/s, CPU µs per row and peak RSS of the target
 * process (GNU time), and what it stored for the file's exactness probe.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROBE } from './allocation-file.js';
import { allocationRows, bins, load1, root, shebangFlags, withScratchSchemas, type PgConnection } from './bench-env.js';
import { assertSucceeded, measure } from './measure.js';

export interface LoadFigure {
  rowsPerSecond: number;
  cpuMicrosPerRow: number;
  peakRssMb: number;
  wallSeconds: number;
  load1: number;
}

export interface TargetFigure {
  target: string;
  mode: string;
  rows: number;
  firstLoad?: LoadFigure;
  upsert?: LoadFigure;
  stored?: { decimal: string | null; instant: string | null; decimalExact: boolean; instantExact: boolean };
  /** Why this target has no figures (not installed, or it failed). */
  error?: string;
}

export interface TargetCandidate {
  target: string;
  mode: string;
  command: string;
  args: (configFile: string) => string[];
  config: (connection: PgConnection, schema: string) => Record<string, unknown>;
}

const peerBin = (venv: string, executable: string): string =>
  path.join(root, '.cache', 'peer-venvs', venv, 'bin', executable);

export const OURS: TargetCandidate = {
  target: 'target-oracle (ours)',
  mode: 'default',
  command: process.execPath,
  args: (config) => [...shebangFlags(bins.target), bins.target, '--config', config],
  config: (c, schema) => ({ dialect: 'postgres', ...c, default_target_schema: schema, batch_size_rows: 10_000 }),
};

const meltanoLabs = (useCopy: boolean): TargetCandidate => ({
  target: 'MeltanoLabs target-postgres 0.8.1',
  mode: useCopy ? 'use_copy' : 'default (insert)',
  command: peerBin('target-postgres', 'target-postgres'),
  args: (config) => ['--config', config],
  config: (c, schema) => ({ ...c, default_target_schema: schema, ...(useCopy ? { use_copy: true } : {}) }),
});

export const PEERS: TargetCandidate[] = [
  meltanoLabs(false),
  meltanoLabs(true),
  {
    target: 'pipelinewise-target-postgres 2.1.2',
    mode: 'default',
    command: peerBin('pipelinewise-target-postgres', 'target-postgres'),
    args: (config) => ['--config', config],
    config: (c, schema) => ({
      host: c.host,
      port: c.port,
      user: c.user,
      password: c.password,
      dbname: c.database,
      default_target_schema: schema,
    }),
  },
];

/** The probe's instant as UTC microseconds, from what a column's text says (no offset: taken as UTC wall time). */
function utcMicros(text: string): bigint | null {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:([+-]\d\d)(?::?(\d\d))?|Z)?$/.exec(text.trim());
  if (!m) return null;
  const seconds = BigInt(Date.parse(`${m[1]}T${m[2]}Z`) / 1000);
  const offset = m[4] ? (Number(m[4]) * 60 + Math.sign(Number(m[4]) || 1) * Number(m[5] ?? 0)) * 60 : 0;
  return (seconds - BigInt(offset)) * 1_000_000n + BigInt((m[3] ?? '').padEnd(6, '0'));
}

const trimDecimal = (text: string): string => (text.includes('.') ? text.replace(/\.?0+$/, '') : text);

/** What a target stored for the probe (column text, session time zone UTC), and whether each value is exact. */
export function judgeProbe(decimal: string | null, instant: string | null): NonNullable<TargetFigure['stored']> {
  return {
    decimal,
    instant,
    decimalExact: decimal !== null && trimDecimal(decimal) === PROBE.decimal,
    instantExact: instant !== null && utcMicros(instant) === utcMicros(PROBE.instant),
  };
}

async function loadOnce(
  candidate: TargetCandidate,
  file: string,
  rows: number,
  configFile: string,
): Promise<LoadFigure> {
  const before = load1();
  const usage = assertSucceeded(
    `${candidate.target} ${candidate.mode}`,
    await measure(candidate.command, candidate.args(configFile), { stdin: file }),
  );
  return {
    rowsPerSecond: Math.round(rows / usage.wallSeconds),
    cpuMicrosPerRow: Math.round(((usage.cpuSeconds * 1e6) / rows) * 10) / 10,
    peakRssMb: Math.round(usage.peakRssMb),
    wallSeconds: usage.wallSeconds,
    load1: Math.max(before, load1()),
  };
}

/** First load and upsert of `file` (`rows` RECORDs) by each candidate, each into its own scratch schema. */
export async function targetsSideBySide(
  connection: PgConnection,
  candidates: TargetCandidate[],
  file: string,
  rows: number,
  scratch: string,
): Promise<TargetFigure[]> {
  const figures: TargetFigure[] = [];
  await withScratchSchemas(connection, async (client, schemaFor) => {
    await client.query("SET TIME ZONE 'UTC'");
    for (const candidate of candidates) {
      const figure: TargetFigure = { target: candidate.target, mode: candidate.mode, rows };
      figures.push(figure);
      if (!existsSync(candidate.command)) {
        figure.error = `not installed (${path.relative(root, candidate.command)}; scripts/peer-venvs.sh)`;
        continue;
      }
      try {
        const schema = await schemaFor(`${candidate.target}_${candidate.mode}`);
        const configFile = path.join(scratch, `${schema}.json`);
        await writeFile(configFile, JSON.stringify(candidate.config(connection, schema)));
        figure.firstLoad = await loadOnce(candidate, file, rows, configFile);
        const count = await allocationRows(client, schema);
        if (count !== rows) throw new Error(`first load left ${count} rows, expected ${rows}`);
        figure.upsert = await loadOnce(candidate, file, rows, configFile);
        const probe = (
          await client.query(
            `SELECT alloc_qty::text AS d, mod_ts::text AS t FROM "${schema}".allocation WHERE id = $1`,
            [PROBE.id],
          )
        ).rows[0] as { d: string | null; t: string | null } | undefined;
        figure.stored = judgeProbe(probe?.d ?? null, probe?.t ?? null);
      } catch (error) {
        figure.error = (error as Error).message.split('\n').slice(0, 4).join(' | ');
      }
    }
  });
  return figures;
}
