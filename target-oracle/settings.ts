import { ConfigError, type Config, type SettingsSchema, validateConfig } from '../singer/index.js';

export const TARGET_NAME = 'target-oracle';

/** Every setting of target-oracle: validation, defaults, redaction, `--about` and meltano.yml come from this. */
export const TARGET_SETTINGS: SettingsSchema = {
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
      default: 0,
      description: 'Per-call timeout for database round trips; 0 = none.',
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
};

export type Dialects = 'oracle' | 'postgres';
export type LoadMethod = 'upsert' | 'append-only' | 'overwrite';
export type SchemaChangePolicy = 'fail' | 'rename_old' | 'cast_to_string';

export interface TargetConfig {
  dialect: Dialects;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  serviceName?: string;
  sid?: string;
  connectString?: string;
  protocol: 'tcp' | 'tcps';
  walletLocation?: string;
  walletPassword?: string;
  database?: string;
  connectTimeoutSeconds: number;
  statementTimeoutSeconds: number;
  schema?: string;
  tablePrefix: string;
  loadMethod: LoadMethod;
  batchSizeRows: number;
  maxBatchAgeSeconds: number;
  addRecordMetadata: boolean;
  hardDelete: boolean;
  validateRecords: boolean;
  historyMode: boolean;
  historyColumn: string;
  schemaChangePolicy: SchemaChangePolicy;
  oracleMergeStrategy: 'executemany' | 'staging';
  oracleBooleanType: 'number' | 'boolean';
  oracleJsonType: 'clob' | 'json';
  oracleMaxIdentifierBytes: 30 | 128;
  oracleChunkRows: number;
}

/**
 * Every problem `--config` would be refused for (schema and connection settings), without connecting: for a
 * supervisor that builds the config and wants to refuse a run before it starts anything.
 */
export function targetConfigProblems(input: Record<string, unknown>): string[] {
  try {
    toTargetConfig(validateConfig(structuredClone(input), TARGET_SETTINGS).config);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

/** Typed view of a validated config (defaults already applied by loadConfig). */
export function toTargetConfig(config: Config, env: NodeJS.ProcessEnv = {}): TargetConfig {
  const str = (name: string): string | undefined => {
    const value = config[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const loadMethod = str('load_method') ?? 'upsert';
  const target: TargetConfig = {
    dialect: (str('dialect') ?? 'oracle') as Dialects,
    host: str('host'),
    port: typeof config.port === 'number' ? config.port : undefined,
    user: str('user'),
    password: str('password'),
    serviceName: str('service_name'),
    sid: str('sid'),
    connectString: str('connect_string'),
    protocol: (str('protocol') ?? 'tcp') as 'tcp' | 'tcps',
    walletLocation: str('wallet_location'),
    walletPassword: str('wallet_password'),
    database: str('database'),
    connectTimeoutSeconds: Number(config.connect_timeout_seconds ?? 20),
    statementTimeoutSeconds: Number(config.statement_timeout_seconds ?? 0),
    schema: str('default_target_schema') ?? (env.MELTANO_EXTRACT__LOAD_SCHEMA || undefined),
    tablePrefix: str('table_prefix') ?? '',
    loadMethod: (loadMethod === 'append_only' ? 'append-only' : loadMethod) as LoadMethod,
    batchSizeRows: Number(config.batch_size_rows ?? 10000),
    maxBatchAgeSeconds: Number(config.max_batch_age_seconds ?? 300),
    addRecordMetadata: config.add_record_metadata === true,
    hardDelete: config.hard_delete === true,
    validateRecords: config.validate_records !== false,
    historyMode: config.enable_historical_versioning === true,
    historyColumn: str('historical_versioning_column') ?? 'mod_ts',
    schemaChangePolicy: (str('schema_change_policy') ?? 'fail') as SchemaChangePolicy,
    oracleMergeStrategy: (str('oracle_merge_strategy') ?? 'executemany') as 'executemany' | 'staging',
    oracleBooleanType: (str('oracle_boolean_type') ?? 'number') as 'number' | 'boolean',
    oracleJsonType: (str('oracle_json_type') ?? 'clob') as 'clob' | 'json',
    oracleMaxIdentifierBytes: Number(config.oracle_max_identifier_bytes ?? 128) === 30 ? 30 : 128,
    oracleChunkRows: Number(config.oracle_chunk_rows ?? 5000),
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
