import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { liveOracle, openOracleBackend, processEnvFor } from './oracle-backend.js';
import type { RulesBackend } from './oracle-rules/index.js';
import { registerConfigSecrets } from './captured-output.js';
import { createTestSchema, pgConfigFromEnv } from './postgres.js';
import { requireEnvOrSkip } from './require-env.js';
import { tempDir } from './temp-dirs.js';
import { repoRoot } from './repo-root.js';
import { runBin, startBin, type ProcessOptions, type ProcessResult, type RunningProcess } from './run-bin.js';

/**
 * The database a target integration test runs against: the private PostgreSQL server (via TEST_PG_*), and for the
 * Oracle copies the Oracle rules session (a model of Oracle enforcing its documented rules, tests/helpers/oracle-rules;
 * not a database) or, when TEST_ORACLE_TARGET_* are set, a live Oracle Database (oracle-backend.ts). The same test
 * code runs for all; values are read back as canonical text (numbers exact, timestamps as UTC instants with
 * microseconds) so assertions do not depend on the dialect.
 */
export interface TargetBackend {
  readonly dialect: 'postgres' | 'oracle';
  /** What the test ran against: never call the rules session Oracle. */
  readonly system: 'PostgreSQL' | 'rules session' | 'live Oracle';
  /** The rules database behind an Oracle backend that is the rules session (undefined otherwise). */
  readonly rules?: RulesBackend;
  /** Config for target-oracle (connection + schema + a table prefix unique to this test file). */
  config: Record<string, unknown>;
  /** Quoted, qualified table of a stream (conformed like the target does for plain names). */
  table(stream: string): string;
  /** A column name as the target conforms it (plain names only), quoted. */
  column(name: string): string;
  query(sql: string, binds?: unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * All rows of a stream's table, every value canonical text, keys lower-case, ordered by `orderBy` (a property;
   * omitted: unordered, e.g. when the only column is a CLOB, which Oracle cannot order by: ORA-00932).
   */
  rows(stream: string, orderBy?: string): Promise<Record<string, string | null>[]>;
  tableExists(stream: string): Promise<boolean>;
  close(): Promise<void>;
}

export const BACKENDS = ['postgres', 'oracle'] as const;

function uniquePrefix(label: string): string {
  return `t${label}${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}_`;
}

/**
 * For a `before` hook: the backend (PostgreSQL skips when TEST_PG_* are missing; Oracle is the rules session unless
 * TEST_ORACLE_TARGET_* point at a live database, so it never skips).
 */
export async function openBackend(
  ctx: Mocha.Context,
  dialect: 'postgres' | 'oracle',
  label: string,
): Promise<TargetBackend> {
  return dialect === 'postgres' ? openPostgresBackend(ctx, label) : openOracleBackend(uniquePrefix(label));
}

async function openPostgresBackend(ctx: Mocha.Context, label: string): Promise<TargetBackend> {
  requireEnvOrSkip(
    ctx,
    ['TEST_PG_HOST', 'TEST_PG_PORT', 'TEST_PG_USER', 'TEST_PG_PASSWORD', 'TEST_PG_DATABASE'],
    'run `npm test` (starts PostgreSQL)',
  );
  const pgConfig = pgConfigFromEnv()!;
  const schema = await createTestSchema(`tgt_${label}`, pgConfig);
  const prefix = uniquePrefix(label).toLowerCase();
  const client = new pg.Client(pgConfig);
  await client.connect();
  await client.query("SET TIME ZONE 'UTC'");
  const plain = (name: string) => name.toLowerCase().replace(/[^\p{L}\p{N}_$#]/gu, '_');
  const table = (stream: string) => `"${schema.schema}"."${plain(prefix + stream)}"`;
  const query = async (sql: string, binds: unknown[] = []) =>
    (await client.query(sql, binds)).rows as Record<string, unknown>[];
  return {
    dialect: 'postgres',
    system: 'PostgreSQL',
    config: {
      dialect: 'postgres',
      host: pgConfig.host,
      port: pgConfig.port,
      user: pgConfig.user,
      password: pgConfig.password,
      database: pgConfig.database,
      default_target_schema: schema.schema,
      table_prefix: prefix,
    },
    table,
    column: (name) => `"${plain(name)}"`,
    query,
    async tableExists(stream) {
      const found = await query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [
        schema.schema,
        plain(prefix + stream),
      ]);
      return found.length > 0;
    },
    async rows(stream, orderBy) {
      const columns = await query(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [schema.schema, plain(prefix + stream)],
      );
      const select = columns.map(({ column_name: name, data_type: type }) => {
        const q = `"${String(name)}"`;
        if (type === 'timestamp with time zone')
          return `to_char(${q} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${q}`;
        return `${q}::text AS ${q}`;
      });
      // Order by the table's column, not the text alias of the same name.
      const result = await query(
        `SELECT ${select.join(', ')} FROM ${table(stream)} src${orderBy === undefined ? '' : ` ORDER BY src."${plain(orderBy)}"`}`,
      );
      return result.map((row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v === null ? null : String(v)])),
      );
    },
    async close() {
      await client.end();
      await schema.drop();
    },
  };
}

/** Writes a config file for one run (fake or test credentials only). */
export async function writeConfig(config: Record<string, unknown>): Promise<string> {
  // The reliability campaign's secret scan looks for these in every output (a no-op in the other suites).
  registerConfigSecrets(config);
  const dir = tempDir('target-oracle-test-');
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify(config));
  return file;
}

export function fixture(name: string): string {
  return path.join(repoRoot, 'tests', 'fixtures', 'singer', `${name}.singer`);
}

/** Runs the real bin/target-oracle.js with `input` (a fixture name via `{file}` or a string). */
export async function runTarget(
  config: Record<string, unknown>,
  input: ProcessOptions['input'],
  extra: Partial<ProcessOptions> = {},
): Promise<ProcessResult> {
  return runBin('target-oracle', ['--config', await writeConfig(config)], {
    input,
    ...extra,
    env: { ...processEnvFor(config), ...extra.env },
  });
}

export async function startTarget(
  config: Record<string, unknown>,
  extra: Partial<ProcessOptions> = {},
): Promise<RunningProcess> {
  return startBin('target-oracle', ['--config', await writeConfig(config)], {
    ...extra,
    env: { ...processEnvFor(config), ...extra.env },
  });
}

/** State lines the target wrote (stdout holds nothing else). */
export function states(result: ProcessResult): unknown[] {
  return result.stdoutLines.map((line) => JSON.parse(line) as unknown);
}

/** For a describe title: what a dialect's copy runs against (the rules session is not Oracle). */
export function systemOf(dialect: 'postgres' | 'oracle'): string {
  if (dialect === 'postgres') return 'postgres: real PostgreSQL';
  return liveOracle() ? 'oracle: live Oracle Database' : 'oracle: rules session, a model of Oracle';
}
