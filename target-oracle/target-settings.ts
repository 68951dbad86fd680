import { defineSettings } from '../singer/index.js';

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
