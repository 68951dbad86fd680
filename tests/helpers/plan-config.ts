/**
 * Configuration of the test-plan suite (tests/integration/plan), from the environment variables of the original
 * plan's "Environment Requirements" (documented in the README, "Live systems"):
 *
 *   TEST_ORACLE_WMS_HOST / _USERNAME / _PASSWORD        a real WMS (all three, or none: the simulator)
 *   TEST_ORACLE_TARGET_HOST / _USERNAME / _PASSWORD     a real Oracle Database (all three, or none: PostgreSQL)
 *   TEST_COMPANY_CODE, TEST_FACILITY_CODE               default TEST_GNOS / TEST_DC01, as in the plan
 *   TEST_DATASET_SIZE                                   rows of the main test entity (allocation), default 1000
 *   TEST_ENVIRONMENT                                    a label printed with every run and put in schema names
 *
 * and what the plan left implicit: TEST_ORACLE_WMS_HOST may be a bare host (https://HOST) or a URL with the
 * environment segment (https://HOST/ENV); TEST_ORACLE_TARGET_HOST may be an Easy Connect string (host:port/service)
 * or a host with TEST_ORACLE_TARGET_SERVICE_NAME (and TEST_ORACLE_TARGET_PORT, default 1521);
 * TEST_ORACLE_TARGET_SCHEMA (default: the user's own schema).
 */
export type WmsSystem = { kind: 'simulator' } | { kind: 'live'; baseUrl: string; username: string; password: string };

export type TargetSystem =
  | { kind: 'postgres' }
  | {
      kind: 'oracle';
      host?: string;
      port?: number;
      serviceName?: string;
      connectString?: string;
      user: string;
      password: string;
      schema?: string;
    };

export interface PlanConfig {
  wms: WmsSystem;
  target: TargetSystem;
  companyCode: string;
  facilityCode: string;
  datasetSize: number;
  environment: string;
}

export class PlanConfigError extends Error {}

function group(env: NodeJS.ProcessEnv, prefix: string, names: readonly string[]): Record<string, string> | undefined {
  const present = names.filter((name) => env[`${prefix}_${name}`]);
  if (present.length === 0) return undefined;
  if (present.length < names.length) {
    const missing = names.filter((name) => !env[`${prefix}_${name}`]).map((name) => `${prefix}_${name}`);
    throw new PlanConfigError(
      `${missing.join(', ')} not set: set all of ${names.map((n) => `${prefix}_${n}`).join(', ')} or none`,
    );
  }
  return Object.fromEntries(names.map((name) => [name, env[`${prefix}_${name}`]!]));
}

function wmsBaseUrl(host: string): string {
  return /^https?:\/\//.test(host) ? host.replace(/\/+$/, '') : `https://${host}`;
}

/** Throws PlanConfigError for a half-configured live system (never silently falls back to the local one). */
export function planConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PlanConfig {
  const wms = group(env, 'TEST_ORACLE_WMS', ['HOST', 'USERNAME', 'PASSWORD']);
  const oracle = group(env, 'TEST_ORACLE_TARGET', ['HOST', 'USERNAME', 'PASSWORD']);
  let target: TargetSystem = { kind: 'postgres' };
  if (oracle) {
    const easyConnect = oracle.HOST.includes('/');
    if (!easyConnect && !env.TEST_ORACLE_TARGET_SERVICE_NAME) {
      throw new PlanConfigError(
        'TEST_ORACLE_TARGET_SERVICE_NAME not set: give it, or TEST_ORACLE_TARGET_HOST as host:port/service',
      );
    }
    target = {
      kind: 'oracle',
      ...(easyConnect
        ? { connectString: oracle.HOST }
        : {
            host: oracle.HOST,
            port: Number(env.TEST_ORACLE_TARGET_PORT ?? 1521),
            serviceName: env.TEST_ORACLE_TARGET_SERVICE_NAME!,
          }),
      user: oracle.USERNAME,
      password: oracle.PASSWORD,
      schema: env.TEST_ORACLE_TARGET_SCHEMA || undefined,
    };
  }
  const datasetSize = Number(env.TEST_DATASET_SIZE ?? 1000);
  if (!Number.isSafeInteger(datasetSize) || datasetSize < 10)
    throw new PlanConfigError(`TEST_DATASET_SIZE must be an integer ≥ 10 (got '${env.TEST_DATASET_SIZE}')`);
  return {
    wms: wms
      ? { kind: 'live', baseUrl: wmsBaseUrl(wms.HOST), username: wms.USERNAME, password: wms.PASSWORD }
      : { kind: 'simulator' },
    target,
    companyCode: env.TEST_COMPANY_CODE || 'TEST_GNOS',
    facilityCode: env.TEST_FACILITY_CODE || 'TEST_DC01',
    datasetSize,
    environment: env.TEST_ENVIRONMENT || 'integration',
  };
}

/** One line naming the systems a run uses, for test titles and the run's output. Never a secret. */
export function systemsLabel(config: PlanConfig): string {
  const wms = config.wms.kind === 'simulator' ? 'WMS simulator (127.0.0.1)' : `live WMS ${config.wms.baseUrl}`;
  const target =
    config.target.kind === 'postgres'
      ? 'PostgreSQL 15 (scripts/pg.sh)'
      : `live Oracle ${config.target.connectString ?? `${config.target.host}:${config.target.port}/${config.target.serviceName}`}`;
  return `${wms} → ${target}; ${config.companyCode}/${config.facilityCode}; env ${config.environment}`;
}

/** The label for titles, or the configuration problem (the suite then fails in its `before`, loudly). */
export function systemsLabelFromEnv(): string {
  try {
    return systemsLabel(planConfigFromEnv());
  } catch (error) {
    return `misconfigured: ${(error as Error).message}`;
  }
}
