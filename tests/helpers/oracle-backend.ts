import { connectOracle } from '../../target-oracle/dialects/oracle/oracle-driver.js';
import { parseTargetConfig } from '../../target-oracle/settings.js';
import {
  FakeOracledb,
  inProcessLink,
  RULES_PASSWORD,
  rulesConnectionConfig,
  RulesBackend,
  rulesProcessEnv,
  serveRules,
  type BackendOptions,
  type FakeConnection,
  type RulesServer,
} from './oracle-rules/index.js';
import type { TargetBackend } from './target-backend.js';

export const ORACLE_ENV = [
  'TEST_ORACLE_TARGET_HOST',
  'TEST_ORACLE_TARGET_USERNAME',
  'TEST_ORACLE_TARGET_PASSWORD',
] as const;

/** Whether the Oracle copies of the suite run against a live database (TEST_ORACLE_TARGET_* set) or the rules session. */
export function liveOracle(): boolean {
  return ORACLE_ENV.every((name) => Boolean(process.env[name]));
}

/**
 * Environment a target process needs for a config: the rules session's preload for a config that points at a rules
 * server this process serves (keyed by host:port), nothing otherwise. runTarget/startTarget add it, so a test passes
 * `{ ...db.config, … }` the same way for every backend.
 */
const rulesServers = new Map<string, Record<string, string>>();

export function processEnvFor(config: Record<string, unknown>): Record<string, string> {
  if (config.dialect !== 'oracle') return {};
  return rulesServers.get(`${String(config.host)}:${String(config.port)}`) ?? {};
}

/** One Oracle connection as the backend reads through it: rows as objects, CLOBs as strings. */
interface Reader {
  query(sql: string, binds: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

interface OracleTarget {
  /** Where the Oracle copies ran, for test titles and README: 'rules session' or 'live Oracle'. */
  system: 'rules session' | 'live Oracle';
  config: Record<string, unknown>;
  /** The table owner when the config names one, else undefined (the user's own schema). */
  schema: string | undefined;
  reader: Reader;
  /** The rules database, for tests that look inside it (undefined against a live database). */
  rules?: RulesBackend;
  close(): Promise<void>;
}

/** The rules session as a backend: its own server and database per test file, the target's `oracledb` swapped. */
export async function openRulesOracle(options: BackendOptions = {}): Promise<OracleTarget> {
  const backend = new RulesBackend(options);
  const server: RulesServer = await serveRules(backend);
  const key = `${server.host}:${server.port}`;
  rulesServers.set(key, rulesProcessEnv());
  const oracledb = new FakeOracledb(inProcessLink(backend));
  const connection: FakeConnection = await oracledb.getConnection({
    user: 'test',
    password: RULES_PASSWORD,
    connectString: `${key}/FREEPDB1`,
  });
  await connection.execute("ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,' TIME_ZONE = '+00:00'");
  return {
    system: 'rules session',
    config: rulesConnectionConfig(server),
    schema: undefined,
    rules: backend,
    reader: {
      async query(sql, binds) {
        const result = await connection.execute(sql, binds, {
          outFormat: oracledb.OUT_FORMAT_OBJECT,
          fetchTypeHandler: (meta: { dbType?: unknown }) =>
            meta.dbType === oracledb.DB_TYPE_CLOB ? { type: oracledb.STRING } : undefined,
        });
        return (result.rows ?? []) as Record<string, unknown>[];
      },
      close: () => connection.close(),
    },
    async close() {
      await connection.close().catch(() => undefined);
      rulesServers.delete(key);
      await server.close();
    },
  };
}

/**
 * A live Oracle from TEST_ORACLE_TARGET_*: HOST is a host (with _PORT, default 1521, and _SERVICE_NAME, default
 * FREEPDB1) or an Easy Connect string host:port/service; _SCHEMA the table owner (default the user's schema).
 */
export async function openLiveOracle(): Promise<OracleTarget> {
  const env = process.env;
  const host = env.TEST_ORACLE_TARGET_HOST!;
  const config: Record<string, unknown> = {
    dialect: 'oracle',
    ...(host.includes('/')
      ? { connect_string: host }
      : {
          host,
          port: env.TEST_ORACLE_TARGET_PORT ? Number(env.TEST_ORACLE_TARGET_PORT) : 1521,
          service_name: env.TEST_ORACLE_TARGET_SERVICE_NAME ?? 'FREEPDB1',
        }),
    user: env.TEST_ORACLE_TARGET_USERNAME,
    password: env.TEST_ORACLE_TARGET_PASSWORD,
    ...(env.TEST_ORACLE_TARGET_SCHEMA ? { default_target_schema: env.TEST_ORACLE_TARGET_SCHEMA } : {}),
  };
  const connection = await connectOracle(parseTargetConfig(config));
  return {
    system: 'live Oracle',
    config,
    schema: env.TEST_ORACLE_TARGET_SCHEMA?.toUpperCase(),
    reader: {
      query: async (sql, binds) => (await connection.session.execute(sql, binds as never[])).rows ?? [],
      close: () => connection.close(),
    },
    close: () => connection.close(),
  };
}

function canonicalNumber(text: string): string {
  return text.replace(/^(-?)\./, '$10.');
}

/** The Oracle backend: the rules session by default, a live database when TEST_ORACLE_TARGET_* are set. */
export async function openOracleBackend(prefix: string, options: BackendOptions = {}): Promise<TargetBackend> {
  const oracle = liveOracle() ? await openLiveOracle() : await openRulesOracle(options);
  const { schema, reader } = oracle;
  const config = { ...oracle.config, table_prefix: prefix.toUpperCase() };
  const plain = (name: string) => name.toUpperCase().replace(/[^\p{L}\p{N}_$#]/gu, '_');
  const tableName = (stream: string) => plain(prefix + stream);
  const table = (stream: string) => (schema ? `"${schema}"."${tableName(stream)}"` : `"${tableName(stream)}"`);
  const query = (sql: string, binds: unknown[] = []) => reader.query(sql, binds);
  return {
    dialect: 'oracle',
    system: oracle.system,
    rules: oracle.rules,
    config,
    table,
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
        'SELECT column_name, data_type FROM all_tab_columns ' +
          "WHERE owner = COALESCE(:1, SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')) AND table_name = :2 ORDER BY column_id",
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
      // Order by the table's column, not the text alias of the same name.
      const result = await query(
        `SELECT ${select.join(', ')} FROM ${table(stream)} src${orderBy === undefined ? '' : ` ORDER BY src."${plain(orderBy)}"`}`,
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
      // Every table under this file's prefix (the target's staging tables too), whether or not a test read it: a
      // live database keeps them. The rules session is thrown away, but runs the same statements.
      const owned = await query(
        'SELECT table_name FROM all_tables ' +
          "WHERE owner = COALESCE(:1, SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')) AND table_name LIKE :2",
        [schema ?? null, `${prefix.toUpperCase()}%`],
      );
      // LIKE's '_' matches any character: keep exactly the prefix.
      for (const name of owned.map((row) => String(row.TABLE_NAME)).filter((n) => n.startsWith(prefix.toUpperCase())))
        await query(`DROP TABLE ${schema ? `"${schema}".` : ''}"${name}" PURGE`);
      await oracle.close();
    },
  };
}
