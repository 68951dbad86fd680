import { ConfigError, defineSettings, loadConfig, validateConfig, type SettingsConfig } from '../singer/index.js';
import { ALERT_SETTINGS } from './alerts/alert-settings.js';
import { INITIAL_LOAD_SETTINGS } from './initial-load-settings.js';
import { JOB_SCHEMA } from './job-schema.js';

export const PLUGIN_NAME = 'wms-pipeline';

/**
 * wms-pipeline's settings: ONE schema (env prefix WMS_PIPELINE_). The tap and the target get generated config files
 * built from these; anything this schema does not name is passed through with `tap_config` / `target_config`.
 */
export const PIPELINE_SETTINGS = defineSettings({
  type: 'object',
  properties: {
    runner: {
      type: 'string',
      enum: ['direct', 'meltano'],
      default: 'direct',
      description:
        'direct: spawn tap-oracle-wms | target-oracle with a pipe and keep state in state_dir; meltano: spawn `meltano run` (Meltano keeps state)',
    },
    // --- WMS source (tap-oracle-wms) ---
    wms_base_url: {
      type: 'string',
      pattern: '^https?://',
      description: 'WMS tenant URL with its environment segment (tap base_url)',
    },
    wms_username: { type: 'string', description: 'WMS API user (tap username)' },
    wms_password: { type: 'string', secret: true, writeOnly: true, description: 'WMS API password (tap password)' },
    company_code: { type: 'string', default: '*', description: 'Default company code for jobs that do not name one' },
    facility_code: { type: 'string', default: '*', description: 'Default facility code for jobs that do not name one' },
    entities: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Entities to sync (tap entities); unset = the tap default',
    },
    tap_config: {
      type: 'object',
      default: {},
      description:
        'Any other tap-oracle-wms setting, passed through to the tap config (its secret settings are redacted by the tap schema)',
    },
    // --- initial-load through Data Extract (never in tap_config, which every run shares) ---
    ...INITIAL_LOAD_SETTINGS,
    // --- target (target-oracle) ---
    target_dialect: {
      type: 'string',
      enum: ['oracle', 'postgres'],
      default: 'oracle',
      description: 'Target database: oracle (the product) or postgres',
    },
    target_host: { type: 'string', description: 'Database host' },
    target_port: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      description: 'Database port (default 1521 oracle, 5432 postgres)',
    },
    target_user: { type: 'string', description: 'Database user' },
    target_password: { type: 'string', secret: true, writeOnly: true, description: 'Database password' },
    target_database: { type: 'string', description: 'PostgreSQL database name' },
    target_service_name: { type: 'string', description: 'Oracle service name' },
    target_schema: { type: 'string', description: 'Schema the tables are loaded into' },
    target_config: {
      type: 'object',
      default: {},
      description: 'Any other target-oracle setting, passed through to the target config',
    },
    full_sync_delete_mode: {
      type: 'string',
      enum: ['soft', 'hard', 'none'],
      default: 'soft',
      description:
        'What a full sync does with target rows gone from WMS. soft: mark them (_sdc_deleted_at set; the tap emits ACTIVATE_VERSION, the target keeps the _sdc_* columns); hard: delete them; none: leave them (no ACTIVATE_VERSION, no _sdc_* columns added)',
    },
    full_sync_target_config: {
      type: 'object',
      default: {},
      description: 'Target settings merged in for full syncs only (e.g. load method)',
    },
    incremental_target_config: {
      type: 'object',
      default: {},
      description: 'Target settings merged in for incremental syncs only',
    },
    // --- meltano runner ---
    meltano_bin: { type: 'string', default: 'meltano', description: 'meltano executable (runner=meltano)' },
    meltano_project_dir: { type: 'string', default: '.', description: 'Meltano project directory (runner=meltano)' },
    meltano_environment: { type: 'string', description: 'Meltano environment (--environment)' },
    meltano_extractor: {
      type: 'string',
      default: 'tap-oracle-wms',
      description: 'Extractor plugin name in meltano.yml',
    },
    meltano_loader: { type: 'string', default: 'target-oracle', description: 'Loader plugin name in meltano.yml' },
    // --- jobs and schedules ---
    jobs: {
      type: 'array',
      default: [],
      items: JOB_SCHEMA,
      description:
        'Named jobs: [{name, mode: full|incremental, company_code?, facility_code?, schedule? (cron, 5 or 6 fields), entities?, tap_config?, target_config?, max_retries?, run_timeout_seconds?}]',
    },
    // --- retries and timeouts ---
    max_retries: {
      type: 'integer',
      minimum: 0,
      maximum: 20,
      default: 3,
      description:
        'Retries of a run that failed in a retriable way (source or connection failure); never for config errors',
    },
    retry_initial_delay_seconds: {
      type: 'number',
      minimum: 0,
      default: 10,
      description: 'First retry delay; doubles every retry',
    },
    retry_max_delay_seconds: {
      type: 'number',
      minimum: 0,
      default: 600,
      description: 'Upper bound of one retry delay',
    },
    run_timeout_seconds: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 7200,
      description: 'A run (tap and target) is stopped (SIGTERM, then SIGKILL) after this long',
    },
    http_timeout_seconds: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 30,
      description: 'Timeout of the orchestrator’s own HTTP calls (health, consistency counts)',
    },
    // --- thresholds ---
    max_duration_seconds: {
      type: 'number',
      minimum: 0,
      default: 0,
      description: 'Alert when a run takes longer (0 = off)',
    },
    max_memory_mb: {
      type: 'number',
      minimum: 0,
      default: 2048,
      description: 'Alert when the pipeline processes together use more resident memory (0 = off)',
    },
    memory_leak_mb_per_minute: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 30,
      description:
        'Leak verdict (runs of 20 s or more): the memory trend (Theil–Sen slope over the second half of the run) above this many MB per minute, and the last third of the run 10% above the middle third',
    },
    monitor_interval_seconds: { type: 'number', minimum: 0.05, default: 1, description: 'Resource sampling interval' },
    // --- consistency check ---
    consistency_check: {
      type: 'boolean',
      default: true,
      description: 'After a successful run, compare source and target row counts and a sample of rows per stream',
    },
    consistency_sample_size: {
      type: 'integer',
      minimum: 0,
      maximum: 1000,
      default: 20,
      description: 'Rows per stream compared field by field',
    },
    // --- alerting ---
    ...ALERT_SETTINGS,
    // --- files and service ---
    state_dir: {
      type: 'string',
      default: '.wms-pipeline/state',
      description: 'Direct runner state files, alert history and persisted metrics',
    },
    report_dir: { type: 'string', default: '.wms-pipeline/reports', description: 'One JSON report per run' },
    serve_host: { type: 'string', default: '127.0.0.1', description: 'Address `serve` listens on' },
    serve_port: {
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      default: 9464,
      description: 'Port of /health and /metrics (0 = any free port)',
    },
    metrics_file: {
      type: 'string',
      description:
        "Also write the Prometheus metrics to this file after every run (node_exporter's textfile collector)",
    },
  },
});

/** Validated settings (defaults applied): the type is derived from PIPELINE_SETTINGS. */
export type PipelineSettings = SettingsConfig<typeof PIPELINE_SETTINGS>;
export type JobSettings = PipelineSettings['jobs'][number];
export type RunMode = JobSettings['mode'];
export type RunnerKind = PipelineSettings['runner'];

/** Reads `--config` sources (files or ENV → WMS_PIPELINE_<SETTING>) into validated settings. */
export async function loadPipelineSettings(
  sources: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd?: string,
): Promise<PipelineSettings> {
  const { config } = await loadConfig(sources.length > 0 ? sources : ['ENV'], {
    pluginName: PLUGIN_NAME,
    schema: PIPELINE_SETTINGS,
    env,
    cwd,
  });
  return checkSettings(config);
}

/** Validates an object (library use: `createOrchestrator({...})`), applying defaults. Throws ConfigError. */
export function resolvePipelineSettings(input: Partial<PipelineSettings> | Record<string, unknown>): PipelineSettings {
  return checkSettings(validateConfig(structuredClone(input), PIPELINE_SETTINGS).config);
}

function checkSettings(settings: PipelineSettings): PipelineSettings {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const job of settings.jobs) {
    if (names.has(job.name)) problems.push(`job '${job.name}' is defined twice`);
    names.add(job.name);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}
