import { ConfigError, defineSettings, type SettingsConfig, validateConfig } from '../singer/index.js';

export const TARGET_NAME = 'target-oracle';

/** Every setting of target-oracle: validation, defaults, redaction, `--about` and meltano.yml come from this. */
export const TARGET_SETTINGS = defineSettings({
  type: 'object',
  properties: {
    dialect: {
      type: 'string',
      enum: ['oracle', 'postgres'],
      default: 'oracle',
      description: 'Target database: oracle (node-oracledb Thin) or postgres (pg).',
    },
    host: { type: 'string', description: 'Database host name or address.' },
    port: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      description: 'Database port (default 1521 for oracle, 5432 for postgres).',
    },
    user: { type: 'string', aliases: ['username'], description: 'Database user.' },
    password: { type: 'string', secret: true, description: 'Database password.' },
    service_name: { type: 'string', description: 'Oracle service name (host/port/service_name Easy Connect).' },
    sid: { type: 'string', description: 'Oracle SID (legacy alternative to service_name).' },
    connect_string: {
      type: 'string',
      description: 'Oracle Easy Connect string or tnsnames alias; overrides host/port/service_name/sid.',
    },
    protocol: {
      type: 'string',
      enum: ['tcp', 'tcps'],
      default: 'tcp',
      description: 'Oracle network protocol; tcps for TLS.',
    },
    wallet_location: {
      type: 'string',
      description: 'Directory holding the Oracle PEM wallet (ewallet.pem) for TCPS/mTLS.',
    },
    wallet_password: { type: 'string', secret: true, description: 'Password of the PEM wallet.' },
    database: { type: 'string', description: 'PostgreSQL database name.' },
    connect_timeout_seconds: {
      type: 'integer',
      minimum: 1,
      default: 20,
      description: 'Timeout to establish a connection.',
    },
    statement_timeout_seconds: {
      type: 'integer',
      minimum: 0,
      default: 900,
      description:
        'Per-call timeout for database round trips (Oracle callTimeout; PostgreSQL statement_timeout, and the client gives up 10 s later when the server does not answer); 0 = none.',
    },
    default_target_schema: {
      type: 'string',
      description:
        "Schema (Oracle owner) for the tables; falls back to $MELTANO_EXTRACT__LOAD_SCHEMA, then the user's default schema.",
    },
    table_prefix: { type: 'string', default: '', description: 'Prefix of every table name, e.g. WMS_.' },
    load_method: {
      type: 'string',
      enum: ['upsert', 'append-only', 'append_only', 'overwrite'],
      default: 'upsert',
      description:
        'upsert (by key; append when a stream has no key), append-only, or overwrite (replace the table contents once per run). append_only is accepted as a legacy spelling.',
    },
    batch_size_rows: {
      type: 'integer',
      minimum: 1,
      default: 10000,
      aliases: ['batch_size'],
      description: 'Flush all streams when one buffer holds this many rows.',
    },
    max_batch_age_seconds: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 300,
      description: 'Flush all streams when the oldest buffered record is older than this.',
    },
    add_record_metadata: { type: 'boolean', default: false, description: 'Add the _sdc_* metadata columns.' },
    hard_delete: {
      type: 'boolean',
      default: false,
      description:
        'ACTIVATE_VERSION deletes older versions (instead of setting _sdc_deleted_at); records carrying _sdc_deleted_at are deleted.',
    },
    run_lock: {
      type: 'boolean',
      default: true,
      description:
        'Hold a run lock keyed by run_lock_key in the target database for the whole run (PostgreSQL advisory lock; Oracle row lock in SDC_RUN_LOCKS): a second run with the same key fails at once with exit 75 before loading anything.',
    },
    run_lock_key: {
      type: 'string',
      description:
        "Key of the run lock. wms-pipeline sets wms-pipeline:<job>:<company>:<facility>; under Meltano the default is the run's state id (<environment>:<extractor>-to-<loader>); otherwise no lock unless set.",
    },
    validate_records: {
      type: 'boolean',
      default: true,
      description: "Validate every record against its stream's JSON Schema.",
    },
    enable_historical_versioning: {
      type: 'boolean',
      default: false,
      description:
        'History mode: primary key (keys, historical_versioning_column), rows never updated, duplicates ignored.',
    },
    historical_versioning_column: {
      type: 'string',
      minLength: 1,
      default: 'mod_ts',
      description: 'Record property added to the primary key in history mode.',
    },
    schema_change_policy: {
      type: 'string',
      enum: ['fail', 'rename_old', 'cast_to_string'],
      default: 'fail',
      description:
        'Incompatible column type change: fail, rename the old column and add a new one, or store the column as text.',
    },
    oracle_merge_strategy: {
      type: 'string',
      enum: ['executemany', 'staging'],
      default: 'executemany',
      description:
        'Oracle upsert: row-wise MERGE through executeMany, or executeMany into a global temporary table plus one MERGE. Tables with a CLOB column always use the global temporary table (STRING binds, no temporary LOBs).',
    },
    oracle_boolean_type: {
      type: 'string',
      enum: ['number', 'boolean'],
      default: 'number',
      description: 'Oracle boolean columns: NUMBER(1) or BOOLEAN (23ai).',
    },
    oracle_json_type: {
      type: 'string',
      enum: ['clob', 'json'],
      default: 'clob',
      description: 'Oracle object/array columns: CLOB with an IS JSON check, or JSON (21c+).',
    },
    oracle_max_identifier_bytes: {
      type: 'integer',
      enum: [30, 128],
      default: 128,
      description: 'Oracle identifier limit: 128 bytes (12.2+) or 30 bytes (older COMPATIBLE).',
    },
    oracle_chunk_rows: {
      type: 'integer',
      minimum: 1,
      default: 5000,
      description: 'Most rows per executeMany call (also capped by bind memory) so DPI-1015 never occurs.',
    },
  },
});

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
