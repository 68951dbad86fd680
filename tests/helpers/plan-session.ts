import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openWmsProbe } from '../../orchestrator/consistency/wms-probe.js';
import { validateConfig } from '../../singer/index.js';
import { connectOracle } from '../../target-oracle/dialects/oracle/oracle-driver.js';
import { openIntrospector, type Introspector } from '../../target-oracle/index.js';
import { TARGET_SETTINGS, toTargetConfig } from '../../target-oracle/settings.js';
import { streamFilters } from '../../tap-oracle-wms/query.js';
import { TAP_SETTINGS, type TapConfig } from '../../tap-oracle-wms/settings.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../wms-simulator/index.js';
import { planConfigFromEnv, systemsLabel, type PlanConfig } from './plan-config.js';
import { createTestSchema, pgConfigFromEnv, uniqueName } from './postgres.js';

/** The entities of the plan's pipeline runs: an order, its lines and their allocations. */
export const PLAN_ENTITIES = ['order_hdr', 'order_dtl', 'allocation'] as const;

const DEMO_AUTH = { username: 'demo', password: 'demo' };

export interface PlanWms {
  baseUrl: string;
  username: string;
  password: string;
  /** Only when the WMS is the simulator: its admin API creates and changes test data. */
  sim?: RunningSimulator;
  /** Cleanup of WMS test data: the simulator is closed (its data goes with it); a live WMS was only read. */
  close(): Promise<void>;
}

export interface PlanTarget {
  dialect: 'postgres' | 'oracle';
  /** Where the tables go: a schema of its own (PostgreSQL), or the configured schema plus a table prefix (Oracle). */
  schema: string | undefined;
  tablePrefix: string;
  /** The orchestrator settings that point the pipeline at this target. */
  settings: Record<string, unknown>;
  /** The target config as target-oracle sees it (for counts and row reads through the dialect's introspector). */
  dbConfig: Record<string, unknown>;
  /** Drops what the tests created (schema, or the prefixed tables). */
  drop(): Promise<void>;
}

/** A WMS simulator whose first companies and first facility carry the plan's codes (the rest keep theirs). */
export async function startPlanSimulator(
  options: SimulatorOptions,
  companyCodes: readonly string[],
  facilityCode: string,
): Promise<RunningSimulator> {
  const sim = await startSimulator({ port: 0, ...options });
  const auth = {
    authorization: `Basic ${Buffer.from(`${DEMO_AUTH.username}:${DEMO_AUTH.password}`).toString('base64')}`,
  };
  const ids = async (entity: string): Promise<number[]> => {
    const response = await fetch(
      `${sim.baseUrl}/wms/lgfapi/v10/entity/${entity}/?fields=id&ordering=id&page_size=100`,
      { headers: auth },
    );
    if (response.status !== 200) throw new Error(`simulator ${entity} list answered ${response.status}`);
    return ((await response.json()) as { results: { id: number }[] }).results.map((r) => r.id);
  };
  const companies = await ids('company');
  if (companies.length < companyCodes.length)
    throw new Error(`the simulator has ${companies.length} companies, ${companyCodes.length} needed`);
  companyCodes.forEach((code, i) => sim.admin.update('company', companies[i], { code }));
  sim.admin.update('facility', (await ids('facility'))[0], { code: facilityCode });
  return sim;
}

/** The plan's WMS: the configured live one, or a simulator sized by TEST_DATASET_SIZE with the plan's codes. */
export async function openPlanWms(config: PlanConfig, options: SimulatorOptions = {}): Promise<PlanWms> {
  if (config.wms.kind === 'live') {
    const { baseUrl, username, password } = config.wms;
    return { baseUrl, username, password, close: async () => undefined };
  }
  const n = config.datasetSize;
  const sim = await startPlanSimulator(
    { rows: { allocation: n, order_dtl: Math.ceil(n / 2), order_hdr: Math.ceil(n / 5) }, ...options },
    [config.companyCode],
    config.facilityCode,
  );
  return { baseUrl: sim.baseUrl, ...DEMO_AUTH, sim, close: () => sim.close() };
}

/** A fresh place for the tables: a new PostgreSQL schema, or on Oracle the configured schema and a unique prefix. */
export async function openPlanTarget(config: PlanConfig, label: string): Promise<PlanTarget> {
  const prefix = `plan_${config.environment}_${label}`;
  if (config.target.kind === 'postgres') {
    const pg = pgConfigFromEnv();
    if (!pg)
      throw new Error(
        'TEST_PG_* not set: run `npm test`, or `scripts/pg.sh start && eval "$(scripts/pg.sh env)"` before mocha',
      );
    const schema = await createTestSchema(prefix, pg);
    const connection = { host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database };
    return {
      dialect: 'postgres',
      schema: schema.schema,
      tablePrefix: '',
      settings: {
        target_dialect: 'postgres',
        target_host: pg.host,
        target_port: pg.port,
        target_user: pg.user,
        target_password: pg.password,
        target_database: pg.database,
        target_schema: schema.schema,
      },
      dbConfig: { dialect: 'postgres', ...connection, default_target_schema: schema.schema },
      drop: () => schema.drop(),
    };
  }
  // On Oracle a schema is a user: the suite works inside the configured one, under a prefix of its own.
  const t = config.target;
  const tablePrefix = `${uniqueName('IT').slice(0, 20).toUpperCase()}_`;
  const dbConfig: Record<string, unknown> = {
    dialect: 'oracle',
    host: t.host,
    port: t.port,
    service_name: t.serviceName,
    connect_string: t.connectString,
    user: t.user,
    password: t.password,
    default_target_schema: t.schema,
    table_prefix: tablePrefix,
  };
  return {
    dialect: 'oracle',
    schema: t.schema,
    tablePrefix,
    settings: {
      target_dialect: 'oracle',
      target_host: t.host,
      target_port: t.port,
      target_service_name: t.serviceName,
      target_user: t.user,
      target_password: t.password,
      target_schema: t.schema,
      target_config: { table_prefix: tablePrefix, ...(t.connectString ? { connect_string: t.connectString } : {}) },
    },
    dbConfig,
    drop: () => dropOracleTables(dbConfig, tablePrefix),
  };
}

async function dropOracleTables(settings: Record<string, unknown>, prefix: string): Promise<void> {
  const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  const connection = await connectOracle(toTargetConfig(validateConfig(defined, TARGET_SETTINGS).config));
  try {
    const owner = "COALESCE(:1, SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA'))";
    const schema = typeof settings.default_target_schema === 'string' ? settings.default_target_schema : null;
    const tables = await connection.session.execute(
      `SELECT owner, table_name FROM all_tables WHERE owner = ${owner} AND table_name LIKE :2 ESCAPE '\\'`,
      [schema?.toUpperCase() ?? null, `${prefix.replace(/_/g, '\\_')}%`],
    );
    for (const row of tables.rows ?? [])
      await connection.session.execute(`DROP TABLE "${String(row.OWNER)}"."${String(row.TABLE_NAME)}" PURGE`);
  } finally {
    await connection.close();
  }
}

export interface PlanEnvironment {
  config: PlanConfig;
  wms: PlanWms;
  target: PlanTarget;
  /** Private state, report and config folder. */
  dir: string;
  /** Orchestrator settings for this WMS and target; `extra` wins. Each call gets its own state_dir unless given. */
  settings(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Rows of `entity` in WMS for a company/facility, filtered as the tap filters them (get_wms_record_count). */
  sourceCount(
    entity: string,
    scope?: { companyCode?: string; facilityCode?: string; extra?: Record<string, string> },
  ): Promise<number>;
  /** Rows of the entity's table in the target; 0 when the table does not exist (get_target_db_record_count). */
  targetCount(entity: string): Promise<number>;
  /** Rows of the entity's table by id, column names lower-cased, values as the database returns them. */
  targetRows(entity: string, ids: readonly (string | number)[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

let settingsCounter = 0;

export async function openPlanEnvironment(
  config: PlanConfig,
  label: string,
  simOptions: SimulatorOptions = {},
  wms?: PlanWms,
): Promise<PlanEnvironment> {
  const ownWms = wms ?? (await openPlanWms(config, simOptions));
  const target = await openPlanTarget(config, label);
  const dir = await mkdtemp(path.join(os.tmpdir(), `plan-${label}-`));
  const withDb = async <T>(fn: (db: Introspector) => Promise<T>): Promise<T> => {
    const db = await openIntrospector(target.dbConfig);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };
  const tapConfig = (companyCode: string, facilityCode: string): TapConfig =>
    validateConfig(
      {
        base_url: ownWms.baseUrl,
        username: ownWms.username,
        password: ownWms.password,
        company_code: companyCode,
        facility_code: facilityCode,
      },
      TAP_SETTINGS,
    ).config;
  return {
    config,
    wms: ownWms,
    target,
    dir,
    settings: (extra = {}) => {
      const targetConfig = {
        ...((target.settings.target_config as Record<string, unknown> | undefined) ?? {}),
        ...((extra.target_config as Record<string, unknown> | undefined) ?? {}),
      };
      return {
        wms_base_url: ownWms.baseUrl,
        wms_username: ownWms.username,
        wms_password: ownWms.password,
        entities: [...PLAN_ENTITIES],
        ...target.settings,
        state_dir: path.join(dir, `state-${++settingsCounter}`),
        report_dir: path.join(dir, 'reports'),
        monitor_interval_seconds: 0.1,
        retry_initial_delay_seconds: 0.05,
        alert_retry_delay_seconds: 0.01,
        ...extra,
        target_config: targetConfig,
      };
    },
    async sourceCount(entity, scope = {}) {
      const tap = tapConfig(scope.companyCode ?? config.companyCode, scope.facilityCode ?? config.facilityCode);
      const filters = streamFilters(entity, { tap_stream_id: entity, stream: entity, schema: { properties: {} } }, tap);
      for (const [key, value] of Object.entries(scope.extra ?? {})) filters.set(key, value);
      const probe = openWmsProbe(tap, 60);
      try {
        return await probe.client.count(entity, filters);
      } finally {
        probe.close();
      }
    },
    targetCount: (entity) =>
      withDb(async (db) => {
        const table = await db.tableName(entity);
        return table === undefined ? 0 : db.count(table);
      }),
    targetRows: (entity, ids) =>
      withDb(async (db) => {
        const table = await db.tableName(entity);
        if (table === undefined) throw new Error(`no target table for ${entity}`);
        return db.rowsByIds(table, ids.map(String));
      }),
    async close() {
      await target.drop();
      if (!wms) await ownWms.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Session-scoped fixtures (the plan's `integration_test_database` and `wms_test_environment`): created on first
 * use by any plan file, cleaned up by a root `after` hook. Call `registerPlanSession()` at the top level of every
 * plan test file: each call registers the hook, as under mocha --parallel a root hook belongs to its own file's run
 * (a worker runs one file after another with this module loaded once); run together in one process, the first of
 * these hooks to run closes the session and the others find nothing left to close.
 */
let session: Promise<PlanEnvironment> | undefined;

export function registerPlanSession(): void {
  after(async function () {
    this.timeout(60_000);
    if (!session) return;
    const env = await session.catch(() => undefined);
    session = undefined;
    if (env) {
      await env.close();
      console.log(
        `      plan session cleaned up: ${env.target.schema ?? ''}${env.target.tablePrefix ? ` tables ${env.target.tablePrefix}*` : ''} dropped, WMS test data removed`,
      );
    }
  });
}

export function planSession(): Promise<PlanEnvironment> {
  session ??= (async () => {
    const config = planConfigFromEnv();
    const env = await openPlanEnvironment(config, 'session');
    console.log(
      `      plan session: ${systemsLabel(config)}; WMS ${env.wms.baseUrl}; target ${env.target.dialect} schema ${env.target.schema ?? '(user default)'}${env.target.tablePrefix ? `, prefix ${env.target.tablePrefix}` : ''}`,
    );
    return env;
  })();
  return session;
}

/** Skips the calling test (or suite) with the reason when the WMS is not the simulator. */
export function requireSimulatorOrSkip(ctx: Mocha.Context, env: PlanEnvironment, why: string): RunningSimulator {
  if (env.wms.sim) return env.wms.sim;
  console.warn(`      skipped: ${why} needs the WMS simulator's admin API; TEST_ORACLE_WMS_HOST points at a live WMS`);
  ctx.skip();
}

/** Skips with the reason when the target is not PostgreSQL. */
export function requirePostgresTargetOrSkip(ctx: Mocha.Context, env: PlanEnvironment, why: string): void {
  if (env.target.dialect === 'postgres') return;
  console.warn(`      skipped: ${why} uses a PostgreSQL trigger; TEST_ORACLE_TARGET_HOST points at Oracle`);
  ctx.skip();
}
