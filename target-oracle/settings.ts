import { ConfigError, type SettingsConfig, validateConfig } from '../singer/index.js';
import { TARGET_SETTINGS } from './target-settings.js';

export { TARGET_NAME, TARGET_SETTINGS } from './target-settings.js';

/** A config that passed TARGET_SETTINGS (defaults applied), named as the settings are. */
export type TargetSettings = SettingsConfig<typeof TARGET_SETTINGS>;

export type Dialects = TargetSettings['dialect'];
/** `append_only` is read as `append-only`. */
export type LoadMethod = Exclude<TargetSettings['load_method'], 'append_only'>;
export type SchemaChangePolicy = TargetSettings['schema_change_policy'];

/** The port of each dialect when `port` is not set (the setting's description says the same). */
export const DEFAULT_PORTS: Record<Dialects, number> = { oracle: 1521, postgres: 5432 };

/** The target's view of its settings (camelCase, resolved): each type comes from TargetSettings. */
export interface TargetConfig {
  dialect: Dialects;
  host?: string;
  /** `port`, or the dialect's default port. */
  port: number;
  user?: string;
  password?: string;
  serviceName?: string;
  sid?: string;
  connectString?: string;
  protocol: TargetSettings['protocol'];
  walletLocation?: string;
  walletPassword?: string;
  database?: string;
  connectTimeoutSeconds: TargetSettings['connect_timeout_seconds'];
  statementTimeoutSeconds: TargetSettings['statement_timeout_seconds'];
  /** `default_target_schema`, else `$MELTANO_EXTRACT__LOAD_SCHEMA`. */
  schema?: string;
  tablePrefix: TargetSettings['table_prefix'];
  loadMethod: LoadMethod;
  batchSizeRows: TargetSettings['batch_size_rows'];
  maxBatchAgeSeconds: TargetSettings['max_batch_age_seconds'];
  addRecordMetadata: TargetSettings['add_record_metadata'];
  hardDelete: TargetSettings['hard_delete'];
  /** The run lock's key; undefined = no lock (run_lock off, or no key given and not under Meltano). */
  runLockKey?: string;
  validateRecords: TargetSettings['validate_records'];
  historyMode: TargetSettings['enable_historical_versioning'];
  historyColumn: TargetSettings['historical_versioning_column'];
  schemaChangePolicy: SchemaChangePolicy;
  oracleMergeStrategy: TargetSettings['oracle_merge_strategy'];
  oracleBooleanType: TargetSettings['oracle_boolean_type'];
  oracleJsonType: TargetSettings['oracle_json_type'];
  oracleMaxIdentifierBytes: TargetSettings['oracle_max_identifier_bytes'];
  oracleChunkRows: TargetSettings['oracle_chunk_rows'];
}

/**
 * Every problem `--config` would be refused for (schema and connection settings), without connecting: for a
 * supervisor that builds the config and wants to refuse a run before it starts anything.
 */
export function targetConfigProblems(input: Record<string, unknown>): string[] {
  try {
    parseTargetConfig(input);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

/**
 * The state id Meltano gives a `meltano run` of this extractor and loader (`<environment>:<extractor>-to-<loader>`),
 * from the plugin environment Meltano passes the loader; undefined outside Meltano.
 */
export function meltanoStateId(env: NodeJS.ProcessEnv): string | undefined {
  const extractor = env.MELTANO_EXTRACTOR_NAME;
  const loader = env.MELTANO_LOADER_NAME;
  if (!extractor || !loader) return undefined;
  return [env.MELTANO_ENVIRONMENT, `${extractor}-to-${loader}`].filter(Boolean).join(':');
}

/** Validates settings as a config file holds them (defaults filled in) and resolves them. Throws ConfigError. */
export function parseTargetConfig(input: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): TargetConfig {
  return toTargetConfig(validateConfig(structuredClone(input), TARGET_SETTINGS).config, env);
}

/** Resolved view of a validated config (defaults already applied by loadConfig/validateConfig). */
export function toTargetConfig(config: TargetSettings, env: NodeJS.ProcessEnv = {}): TargetConfig {
  // An empty string is an unset setting (a Meltano setting or environment variable left blank).
  const given = (value: string | undefined): string | undefined => (value === '' ? undefined : value);
  const target: TargetConfig = {
    dialect: config.dialect,
    host: given(config.host),
    port: config.port ?? DEFAULT_PORTS[config.dialect],
    user: given(config.user),
    password: given(config.password),
    serviceName: given(config.service_name),
    sid: given(config.sid),
    connectString: given(config.connect_string),
    protocol: config.protocol,
    walletLocation: given(config.wallet_location),
    walletPassword: given(config.wallet_password),
    database: given(config.database),
    connectTimeoutSeconds: config.connect_timeout_seconds,
    statementTimeoutSeconds: config.statement_timeout_seconds,
    schema: given(config.default_target_schema) ?? (env.MELTANO_EXTRACT__LOAD_SCHEMA || undefined),
    tablePrefix: config.table_prefix,
    loadMethod: config.load_method === 'append_only' ? 'append-only' : config.load_method,
    batchSizeRows: config.batch_size_rows,
    maxBatchAgeSeconds: config.max_batch_age_seconds,
    addRecordMetadata: config.add_record_metadata,
    hardDelete: config.hard_delete,
    runLockKey: config.run_lock ? (given(config.run_lock_key) ?? meltanoStateId(env)) : undefined,
    validateRecords: config.validate_records,
    historyMode: config.enable_historical_versioning,
    historyColumn: config.historical_versioning_column,
    schemaChangePolicy: config.schema_change_policy,
    oracleMergeStrategy: config.oracle_merge_strategy,
    oracleBooleanType: config.oracle_boolean_type,
    oracleJsonType: config.oracle_json_type,
    oracleMaxIdentifierBytes: config.oracle_max_identifier_bytes,
    oracleChunkRows: config.oracle_chunk_rows,
  };
  const problems: string[] = [];
  if (target.dialect === 'oracle' && !target.connectString && !target.host)
    problems.push("'host' or 'connect_string' is required for the oracle dialect");
  if (target.dialect === 'oracle' && !target.connectString && target.host && !target.serviceName && !target.sid) {
    problems.push("'service_name' or 'sid' is required with 'host' (or give 'connect_string')");
  }
  if (target.dialect === 'postgres' && !target.host) problems.push("'host' is required for the postgres dialect");
  if (!target.user) problems.push("'user' is required");
  if (problems.length > 0) throw new ConfigError(problems);
  return target;
}
