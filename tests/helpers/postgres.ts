import pg from 'pg';
import { requireEnvOrSkip } from './require-env.js';

/** Connection to the test server started by scripts/pg.sh (exported as TEST_PG_* by scripts/test.sh). */
export interface PgConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const ENV_NAMES = ['TEST_PG_HOST', 'TEST_PG_PORT', 'TEST_PG_USER', 'TEST_PG_PASSWORD', 'TEST_PG_DATABASE'] as const;
const HOW_TO_SET = 'run `npm test`, or `scripts/pg.sh start && eval "$(scripts/pg.sh env)"` before mocha';

/** The test server's connection from TEST_PG_*, or undefined when they are not set. */
export function pgConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PgConfig | undefined {
  if (ENV_NAMES.some((name) => !env[name])) return undefined;
  return {
    host: env.TEST_PG_HOST!,
    port: Number(env.TEST_PG_PORT),
    user: env.TEST_PG_USER!,
    password: env.TEST_PG_PASSWORD!,
    database: env.TEST_PG_DATABASE!,
  };
}

/** For a `before` hook: the connection, or skip the tests when TEST_PG_* are unset (fail under CI). */
export function requirePg(ctx: Mocha.Context): PgConfig {
  requireEnvOrSkip(ctx, ENV_NAMES, HOW_TO_SET);
  return pgConfigFromEnv()!;
}

function defaultConfig(): PgConfig {
  const config = pgConfigFromEnv();
  if (!config) throw new Error(`TEST_PG_* not set: ${HOW_TO_SET}`);
  return config;
}

/** Opens a client, runs `fn`, always closes the client. */
export async function withClient<T>(
  fn: (client: pg.Client) => Promise<T>,
  config: PgConfig = defaultConfig(),
): Promise<T> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A lower-case identifier unique across processes and runs: `<prefix>_<pid>_<time>_<random>` (≤ 63 chars). */
export function uniqueName(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  const suffix = `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  return `${clean}_${suffix}`;
}

export interface TestSchema {
  schema: string;
  /** DROP SCHEMA … CASCADE; safe to call twice. */
  drop(): Promise<void>;
}

/** Creates a fresh schema in the test database, e.g. one per test file (`before`/`after`). */
export async function createTestSchema(prefix: string, config: PgConfig = defaultConfig()): Promise<TestSchema> {
  const schema = uniqueName(prefix);
  await withClient((c) => c.query(`CREATE SCHEMA ${c.escapeIdentifier(schema)}`), config);
  return {
    schema,
    drop: async () => {
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS ${c.escapeIdentifier(schema)} CASCADE`), config);
    },
  };
}

export interface TestDatabase {
  database: string;
  /** The same server and role, connected to the new database. */
  config: PgConfig;
  /** DROP DATABASE … WITH (FORCE): also ends sessions left open; safe to call twice. */
  drop(): Promise<void>;
}

/** Creates a fresh database on the test server, for tests that need a whole database to themselves. */
export async function createTestDatabase(prefix: string, config: PgConfig = defaultConfig()): Promise<TestDatabase> {
  const database = uniqueName(prefix);
  await withClient((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(database)}`), config);
  return {
    database,
    config: { ...config, database },
    drop: async () => {
      await withClient((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(database)} WITH (FORCE)`), config);
    },
  };
}

/**
 * For a `before` hook of a test file whose runs take the target's run lock under a key other files use too (a Meltano
 * state id, or wms-pipeline's job:company:facility): a database of the file's own on the test server. The lock is a
 * PostgreSQL advisory lock, which belongs to one database: files run side by side (mocha --parallel) that run the
 * same job would otherwise meet each other's lock and stop with exit 75. Skips like requirePg when TEST_PG_* are unset.
 */
export function requireOwnDatabase(ctx: Mocha.Context, prefix: string): Promise<TestDatabase> {
  return createTestDatabase(prefix, requirePg(ctx));
}
