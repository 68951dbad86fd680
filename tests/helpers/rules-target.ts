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
import { runTarget, states } from './target-backend.js';
import type { ProcessResult } from './run-bin.js';

/**
 * The real target process against an Oracle rules session (a model of Oracle, not a database): a rules server on
 * 127.0.0.1, the target's `oracledb` resolved to the fake driver, and an in-process connection to read back what
 * the target committed. One per test: each test gets a fresh database.
 */
export interface RulesTarget {
  readonly backend: RulesBackend;
  readonly config: Record<string, unknown>;
  run(input: string, config?: Record<string, unknown>): Promise<ProcessResult & { states: unknown[] }>;
  /** A query as another session sees it (committed rows only); rows keyed by upper-case column name. */
  query(sql: string, binds?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const NLS = "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,' TIME_ZONE = '+00:00'";

export async function startRulesTarget(options: BackendOptions = {}): Promise<RulesTarget> {
  const backend = new RulesBackend(options);
  const server: RulesServer = await serveRules(backend);
  const oracledb = new FakeOracledb(inProcessLink(backend));
  let reader: FakeConnection | undefined;
  const config = rulesConnectionConfig(server);
  return {
    backend,
    config,
    async run(input, extra = {}) {
      const result = await runTarget({ ...config, ...extra }, input, { env: rulesProcessEnv() });
      return { ...result, states: result.exitCode === 0 ? states(result) : [] };
    },
    async query(sql, binds = []) {
      if (!reader) {
        reader = await oracledb.getConnection({
          user: 'test',
          password: RULES_PASSWORD,
          connectString: `${server.host}:${server.port}/FREEPDB1`,
        });
        await reader.execute(NLS);
      }
      const result = await reader.execute(sql, binds, {
        outFormat: oracledb.OUT_FORMAT_OBJECT,
        // CLOBs as strings, like the target's own reads.
        fetchTypeHandler: (meta: { dbType?: unknown }) =>
          meta.dbType === oracledb.DB_TYPE_CLOB ? { type: oracledb.STRING } : undefined,
      });
      return (result.rows ?? []) as Record<string, unknown>[];
    },
    async close() {
      await reader?.close().catch(() => undefined);
      await server.close();
    },
  };
}

/** Singer lines from message objects. */
export function singerLines(...messages: object[]): string {
  return messages.map((m) => `${JSON.stringify(m)}\n`).join('');
}
