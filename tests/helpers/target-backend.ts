import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connectOracle } from '../../target-oracle/dialects/oracle/oracle-driver.js';
import type { OracleSession } from '../../target-oracle/dialects/oracle/oracle-session.js';
import { toTargetConfig } from '../../target-oracle/settings.js';
import { createTestSchema, pgConfigFromEnv } from './postgres.js';
import { requireEnvOrSkip, requireLiveSystemOrSkip } from './require-env.js';
import { repoRoot } from './repo-root.js';
import { runBin, startBin, type ProcessOptions, type ProcessResult, type RunningProcess } from './run-bin.js';

/**
 * The database a target integration test runs against: the private PostgreSQL server (always, via TEST_PG_*) and,
 * when TEST_ORACLE_TARGET_* are set, a real Oracle. The same test code runs for both; values are read back as
 * canonical text (numbers exact, timestamps as UTC instants with microseconds) so assertions do not depend on the
 * dialect.
 */
export interface TargetBackend {
  readonly dialect: 'postgres' | 'oracle';
  /** Config for target-oracle (connection + schema + a table prefix unique to this test file). */
  config: Record<string, unknown>;
  /** Quoted, qualified table of a stream (conformed like the target does for plain names). */
  table(stream: string): string;
  /** A column name as the target conforms it (plain names only), quoted. */
  column(name: string): string;
  query(sql: string, binds?: unknown[]): Promise<Record<string, unknown>[]>;
  /** All rows of a stream's table, every value canonical text, keys lower-case, ordered by `orderBy` (a property). */
  rows(stream: string, orderBy: string): Promise<Record<string, string | null>[]>;
  tableExists(stream: string): Promise<boolean>;
  close(): Promise<void>;
}

export const ORACLE_ENV = [
  'TEST_ORACLE_TARGET_HOST',
  'TEST_ORACLE_TARGET_USERNAME',
  'TEST_ORACLE_TARGET_PASSWORD',
] as const;

export const BACKENDS = ['postgres', 'oracle'] as const;

function uniquePrefix(label: string): string {
  return `t${label}${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}_`;
}

function canonicalNumber(text: string): string {
  return text.replace(/^(-?)\./, '$10.');
}

/** For a `before` hook: the backend, or skip when its environment is missing. */
export async function openBackend(
  ctx: Mocha.Context,
  dialect: 'postgres' | 'oracle',
  label: string,
): Promise<TargetBackend> {
  return dialect === 'postgres' ? openPostgresBackend(ctx, label) : openOracleBackend(ctx, label);
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
        `SELECT ${select.join(', ')} FROM ${table(stream)} src ORDER BY src."${plain(orderBy)}"`,
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

async function openOracleBackend(ctx: Mocha.Context, label: string): Promise<TargetBackend> {
  requireLiveSystemOrSkip(
    ctx,
    ORACLE_ENV,
    'set TEST_ORACLE_TARGET_HOST/_USERNAME/_PASSWORD (+ _SERVICE_NAME, _SCHEMA) to run the target suite against Oracle',
  );
  const env = process.env;
  const config: Record<string, unknown> = {
    dialect: 'oracle',
    host: env.TEST_ORACLE_TARGET_HOST,
    port: env.TEST_ORACLE_TARGET_PORT ? Number(env.TEST_ORACLE_TARGET_PORT) : 1521,
    user: env.TEST_ORACLE_TARGET_USERNAME,
    password: env.TEST_ORACLE_TARGET_PASSWORD,
    service_name: env.TEST_ORACLE_TARGET_SERVICE_NAME ?? 'FREEPDB1',
    ...(env.TEST_ORACLE_TARGET_SCHEMA ? { default_target_schema: env.TEST_ORACLE_TARGET_SCHEMA } : {}),
    table_prefix: uniquePrefix(label).toUpperCase(),
  };
  const connection = await connectOracle(toTargetConfig(config));
  const session: OracleSession = connection.session;
  const schema = env.TEST_ORACLE_TARGET_SCHEMA?.toUpperCase();
  const plain = (name: string) => name.toUpperCase().replace(/[^\p{L}\p{N}_$#]/gu, '_');
  const tableName = (stream: string) => plain(String(config.table_prefix) + stream);
  const table = (stream: string) => (schema ? `"${schema}"."${tableName(stream)}"` : `"${tableName(stream)}"`);
  const query = async (sql: string, binds: unknown[] = []) => (await session.execute(sql, binds as never[])).rows ?? [];
  const created: string[] = [];
  return {
    dialect: 'oracle',
    config,
    table: (stream) => {
      created.push(table(stream));
      return table(stream);
    },
    column: (name) => `"${plain(name)}"`,
    query,
    async tableExists(stream) {
      const found = await query(
        "SELECT 1 FROM all_tables WHERE owner = COALESCE(:1, SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')) AND table_name = :2",
        [schema ?? null, tableName(stream)],
      );
      return found.length > 0;
    },
    async rows(stream, orderBy) {
      const columns = await query(
        "SELECT column_name, data_type FROM all_tab_columns WHERE owner = COALESCE(:1, SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')) AND table_name = :2 ORDER BY column_id",
        [schema ?? null, tableName(stream)],
      );
      const select = columns.map(({ COLUMN_NAME: name, DATA_TYPE: type }) => {
        const q = `"${String(name)}"`;
        if (String(type).includes('WITH TIME ZONE'))
          return `TO_CHAR(SYS_EXTRACT_UTC(${q}), 'YYYY-MM-DD"T"HH24:MI:SS.FF6"Z"') AS ${q}`;
        if (type === 'DATE') return `TO_CHAR(${q}, 'YYYY-MM-DD') AS ${q}`;
        if (type === 'NUMBER') return `TO_CHAR(${q}, 'TM9') AS ${q}`;
        return q;
      });
      created.push(table(stream));
      // Order by the table's column, not the text alias of the same name.
      const result = await query(
        `SELECT ${select.join(', ')} FROM ${table(stream)} src ORDER BY src."${plain(orderBy)}"`,
      );
      return result.map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [
            k.toLowerCase(),
            v === null ? null : typeof v === 'string' && /^-?\.\d/.test(v) ? canonicalNumber(v) : String(v),
          ]),
        ),
      );
    },
    async close() {
      for (const name of new Set(created)) await session.execute(`DROP TABLE ${name} PURGE`).catch(() => undefined);
      await connection.close();
    },
  };
}

/** Writes a config file for one run (fake or test credentials only). */
export async function writeConfig(config: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'target-oracle-test-'));
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
  return runBin('target-oracle', ['--config', await writeConfig(config)], { input, ...extra });
}

export async function startTarget(
  config: Record<string, unknown>,
  extra: Partial<ProcessOptions> = {},
): Promise<RunningProcess> {
  return startBin('target-oracle', ['--config', await writeConfig(config)], extra);
}

/** State lines the target wrote (stdout holds nothing else). */
export function states(result: ProcessResult): unknown[] {
  return result.stdoutLines.map((line) => JSON.parse(line) as unknown);
}
