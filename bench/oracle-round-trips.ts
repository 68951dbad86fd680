/**
 * Bench: database round trips per 1,000 rows when the real bin/target-oracle.js (oracle dialect) loads an
 * allocation-shaped table (no CLOB column) and an order_hdr-shaped table (three `_set` objects → CLOB columns)
 * into the Oracle rules session, per merge strategy. The rules session counts what node-oracledb Thin would send:
 * one round trip per call, two more per non-empty CLOB bind value (temporary LOB create + write), one more per
 * 100 fetched rows. A model, not Oracle: it measures the protocol cost of the statements, not the database time.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/oracle-round-trips.js [rows]
 *
 * `oracleRoundTrips()` is the function `npm run bench` can call.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import {
  rulesConnectionConfig,
  RulesBackend,
  rulesProcessEnv,
  serveRules,
  type BackendOptions,
} from '../tests/helpers/oracle-rules/index.js';

const root = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
const bin = path.join(root, 'bin', 'target-oracle.js');

export type BenchTable = 'allocation' | 'order_hdr';

export interface RoundTripFigure {
  table: BenchTable;
  strategy: string;
  database: string;
  rows: number;
  /** Round trips of the load alone (the run minus the same run with no records). */
  loadRoundTrips: number;
  perThousandRows: number;
  temporaryLobs: number;
  /** Why the load failed (the rules session refused a statement), instead of figures. */
  error?: string;
}

interface JsonSchema {
  type?: string | string[];
  format?: string;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
}

function catalogSchema(stream: BenchTable): { schema: JsonSchema; keys: string[] } {
  const catalog = JSON.parse(readFileSync(path.join(root, 'catalogs', 'tap-oracle-wms.catalog.json'), 'utf8')) as {
    streams: { tap_stream_id: string; schema: JsonSchema; key_properties: string[] }[];
  };
  const entry = catalog.streams.find((s) => s.tap_stream_id === stream)!;
  return { schema: entry.schema, keys: entry.key_properties };
}

/** A deterministic value for a property (like the simulator's: decimals exact, microsecond timestamps). */
function value(name: string, schema: JsonSchema, i: number): unknown {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (name === 'id') return 1_000_000 + i;
  if (types.includes('object'))
    return i % 5 === 0 ? null : { result_count: i % 7, url: `https://wms.example/${name}/${i}` };
  if (types.includes('integer')) return i % 1000;
  if (types.includes('number')) return Number(`${i % 100}.${String(i % 1000).padStart(3, '0')}`);
  if (types.includes('boolean')) return i % 2 === 0;
  if (schema.format === 'date-time') return `2024-06-30T12:00:${String(i % 60).padStart(2, '0')}.123456-05:00`;
  if (schema.format === 'date') return `2024-06-${String((i % 28) + 1).padStart(2, '0')}`;
  return `${name}-${i}`.slice(0, schema.maxLength ?? 40);
}

function singer(stream: BenchTable, rows: number): string {
  const { schema, keys } = catalogSchema(stream);
  const lines = [JSON.stringify({ type: 'SCHEMA', stream, schema, key_properties: keys })];
  for (let i = 0; i < rows; i += 1) {
    const record = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, value(k, s, i)]));
    lines.push(JSON.stringify({ type: 'RECORD', stream, record }));
  }
  lines.push(JSON.stringify({ type: 'STATE', value: { bookmarks: { [stream]: { n: rows } } } }));
  return `${lines.join('\n')}\n`;
}

async function run(options: BackendOptions, config: Record<string, unknown>, input: string, dir: string) {
  const backend = new RulesBackend(options);
  const server = await serveRules(backend);
  try {
    const file = path.join(dir, `config-${Date.now()}.json`);
    await writeFile(
      file,
      JSON.stringify({
        ...rulesConnectionConfig(server),
        ...config,
      }),
    );
    const result = await execa(process.execPath, [bin, '--config', file], {
      input,
      reject: false,
      env: rulesProcessEnv(),
    });
    if (result.exitCode !== 0)
      throw new Error(
        `target-oracle exited ${result.exitCode}:\n${String(result.stderr).split('\n').slice(-8).join('\n')}`,
      );
    return { roundTrips: backend.stats.roundTrips, temporaryLobs: backend.stats.temporaryLobs };
  } finally {
    await server.close();
  }
}

/**
 * Round trips per 1,000 rows for each table × strategy × database configuration (`databases`: a label and the
 * rules session's options, e.g. MAX_STRING_SIZE; `strategies`: values of oracle_merge_strategy).
 */
export async function oracleRoundTrips(
  rows = 1000,
  strategies: string[] = ['executemany', 'staging'],
  databases: Record<string, BackendOptions> = { 'STANDARD, strict rules': {} },
): Promise<RoundTripFigure[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oracle-round-trips-'));
  const figures: RoundTripFigure[] = [];
  try {
    for (const [database, options] of Object.entries(databases)) {
      for (const table of ['allocation', 'order_hdr'] as const) {
        for (const strategy of strategies) {
          const config = { oracle_merge_strategy: strategy, batch_size_rows: Math.max(rows, 1) };
          const figure: RoundTripFigure = {
            table,
            strategy,
            database,
            rows,
            loadRoundTrips: 0,
            perThousandRows: 0,
            temporaryLobs: 0,
          };
          try {
            const empty = await run(options, config, singer(table, 0), dir);
            const full = await run(options, config, singer(table, rows), dir);
            figure.loadRoundTrips = full.roundTrips - empty.roundTrips;
            figure.perThousandRows = Math.round((figure.loadRoundTrips * 1000) / rows);
            figure.temporaryLobs = full.temporaryLobs;
          } catch (error) {
            figure.error =
              (error as Error).message.split('\n').find((l) => l.includes('CRITICAL')) ?? (error as Error).message;
          }
          figures.push(figure);
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1000);
  // The lenient configuration is one the old code could load at all: '.' decimal territory, no NLS rule,
  // MAX_STRING_SIZE = EXTENDED (so 16000-byte STRING binds are not LONG).
  const figures = await oracleRoundTrips(rows, ['executemany', 'staging'], {
    'STANDARD, strict rules': {},
    'EXTENDED, lenient': { maxStringSize: 'EXTENDED', strictNls: false, numericCharacters: '.,' },
  });
  console.log(`command: node dist/bench/oracle-round-trips.js ${rows}  (real target process → Oracle rules session)`);
  for (const f of figures) {
    const label = `${f.table.padEnd(10)} ${f.strategy.padEnd(11)} ${f.database.padEnd(24)} ${f.rows} rows:`;
    if (f.error) console.log(`${label} failed: ${f.error}`);
    else
      console.log(
        `${label} ${f.loadRoundTrips} round trips = ${f.perThousandRows} per 1,000 rows (${f.temporaryLobs} temporary LOBs)`,
      );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
