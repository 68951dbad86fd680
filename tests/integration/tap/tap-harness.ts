import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Catalog, parseJsonExact, stringifyJson, type TapState } from '../../../singer/index.js';
import { type ProcessResult, runBin, startBin, type RunningProcess } from '../../helpers/run-bin.js';
import { validateSingerOutput, type SingerReport } from '../../helpers/singer-validator.js';
import { tempDir } from '../../helpers/temp-dirs.js';

/** A scratch directory per test file for config, catalog and state files, removed when the run ends. */
export function scratchDir(): string {
  return tempDir('tap-it-');
}

let fileCounter = 0;
export function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, `${++fileCounter}-${name}`);
  // stringifyJson: a STATE read back from a tap's output holds its numbers verbatim (ExactNumber).
  writeFileSync(file, stringifyJson(value));
  return file;
}

/** Fast-failing defaults for tests: short backoff, short timeout. */
export function tapConfig(baseUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    base_url: baseUrl,
    username: 'demo',
    password: 'demo',
    backoff_initial_seconds: 0.05,
    backoff_max_seconds: 0.2,
    request_timeout: 10,
    ...extra,
  };
}

export interface TapRun extends ProcessResult {
  report: SingerReport;
  lastState: TapState | undefined;
}

export interface TapArgs {
  dir: string;
  config: Record<string, unknown>;
  catalog?: Catalog;
  state?: unknown;
  args?: string[];
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

function argv(options: TapArgs): string[] {
  const args = ['--config', writeJson(options.dir, 'config.json', options.config)];
  if (options.catalog) args.push('--catalog', writeJson(options.dir, 'catalog.json', options.catalog));
  if (options.state !== undefined) args.push('--state', writeJson(options.dir, 'state.json', options.state));
  return [...args, ...(options.args ?? [])];
}

/** Runs bin/tap-oracle-wms.js (a real process) and checks its stdout with the Singer validator (not asserted). */
export async function runTap(options: TapArgs): Promise<TapRun> {
  const result = await runBin('tap-oracle-wms', argv(options), {
    env: { LOGLEVEL: 'info', ...options.env },
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  const report = validateSingerOutput(result.stdoutLines);
  return { ...result, report, lastState: report.states.at(-1) as TapState | undefined };
}

export function startTap(options: TapArgs): RunningProcess {
  return startBin('tap-oracle-wms', argv(options), {
    env: { LOGLEVEL: 'info', ...options.env },
    timeoutMs: options.timeoutMs ?? 120_000,
  });
}

/** Discovers (real process) and returns the catalog. */
export async function discoverCatalog(dir: string, config: Record<string, unknown>): Promise<Catalog> {
  const result = await runBin('tap-oracle-wms', ['--config', writeJson(dir, 'config.json', config), '--discover'], {
    timeoutMs: 120_000,
  });
  if (result.exitCode !== 0) throw new Error(`--discover failed (${result.exitCode}):\n${result.stderr}`);
  return parseJsonExact(result.stdout) as Catalog;
}

/** A deep copy with only the named streams, selected (stream-level `selected`); tests may edit it freely. */
export function selectStreams(catalog: Catalog, names: readonly string[]): Catalog {
  const copy = structuredClone(catalog);
  copy.streams = copy.streams.filter((entry) => names.includes(entry.tap_stream_id));
  for (const entry of copy.streams)
    for (const m of entry.metadata ?? []) if (m.breadcrumb.length === 0) m.metadata.selected = true;
  return copy;
}

/** Ids of a stream's records as strings (exact), in output order. */
export function idsOf(run: { report: SingerReport }, stream: string): string[] {
  return (run.report.records[stream] ?? []).map((record) => String(record.id));
}

export function sortedUnique(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

/** The stdout lines (records) of a run, ignoring STATE and time_extracted: identical output means equal data. */
export function dataLines(run: { report: SingerReport }, stream: string): string[] {
  return (run.report.records[stream] ?? []).map((record) =>
    JSON.stringify(record, (_key, value) =>
      typeof value === 'object' && value?.constructor?.name === 'ExactNumber' ? String(value) : value,
    ),
  );
}
