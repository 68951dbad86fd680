import { validateConfig } from '../singer/index.js';
import { TAP_SETTINGS, type TapConfig } from '../tap-oracle-wms/index.js';
import type { PipelineSettings, RunMode } from './settings.js';

/** One run as the orchestrator plans it. */
export interface RunRequest {
  job: string;
  mode: RunMode;
  companyCode: string;
  facilityCode: string;
  entities?: string[];
  tapConfig?: Record<string, unknown>;
  targetConfig?: Record<string, unknown>;
  maxRetries: number;
  runTimeoutSeconds: number;
  /** A full run that starts from its own stored state (initial-load): a stopped load goes on where it stopped. */
  resume?: boolean;
}

function defined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/**
 * The tap's config for a run: pass-through `tap_config`, the common WMS settings, the run's company and facility,
 * then the job's own overrides. A full sync makes every stream FULL_TABLE and, unless `full_sync_delete_mode` is
 * none, asks for ACTIVATE_VERSION (so the target can retire rows gone from WMS); an incremental sync keeps the tap's
 * incremental mode.
 */
export function tapConfigFor(settings: PipelineSettings, request: RunRequest): Record<string, unknown> {
  const config: Record<string, unknown> = {
    ...settings.tap_config,
    ...defined({
      base_url: settings.wms_base_url,
      username: settings.wms_username,
      password: settings.wms_password,
      entities: request.entities ?? settings.entities,
    }),
    ...(request.tapConfig ?? {}),
    company_code: request.companyCode,
    facility_code: request.facilityCode,
  };
  if (request.mode === 'full') {
    config.enable_incremental = false;
    config.emit_activate_version = settings.full_sync_delete_mode !== 'none';
  } else {
    config.enable_incremental = true;
  }
  return config;
}

/**
 * What the target needs to act on ACTIVATE_VERSION (docs/target-oracle.md): the `_sdc_*` columns, and hard_delete to
 * delete rather than set `_sdc_deleted_at`. Without add_record_metadata it ignores the message.
 */
export function fullSyncDeleteConfig(mode: PipelineSettings['full_sync_delete_mode']): Record<string, unknown> {
  return mode === 'none' ? {} : { add_record_metadata: true, hard_delete: mode === 'hard' };
}

/**
 * Incremental runs keep the same `_sdc_*` columns as full runs, so a row that a full sync soft-deleted and that
 * comes back in WMS is upserted with `_sdc_deleted_at` NULL again instead of staying deleted until the next full sync.
 */
export function incrementalDeleteConfig(mode: PipelineSettings['full_sync_delete_mode']): Record<string, unknown> {
  return mode === 'none' ? {} : { add_record_metadata: true };
}

/** The target's run lock key for a job (docs/wms-pipeline.md): job, company and facility. */
export function targetRunLockKey(request: Pick<RunRequest, 'job' | 'companyCode' | 'facilityCode'>): string {
  return `wms-pipeline:${request.job}:${request.companyCode}:${request.facilityCode}`;
}

/**
 * The target's config: connection settings, pass-through `target_config`, for full syncs the delete mode's settings,
 * the mode's extra settings, the job's own (later wins).
 */
export function targetConfigFor(settings: PipelineSettings, request: RunRequest): Record<string, unknown> {
  return {
    ...defined({
      dialect: settings.target_dialect,
      host: settings.target_host,
      port: settings.target_port,
      user: settings.target_user,
      password: settings.target_password,
      database: settings.target_database,
      service_name: settings.target_service_name,
      default_target_schema: settings.target_schema,
    }),
    // One run of a job at a time, across processes and machines: the target holds this lock in its database.
    run_lock_key: targetRunLockKey(request),
    ...settings.target_config,
    ...(request.mode === 'full'
      ? { ...fullSyncDeleteConfig(settings.full_sync_delete_mode), ...settings.full_sync_target_config }
      : { ...incrementalDeleteConfig(settings.full_sync_delete_mode), ...settings.incremental_target_config }),
    ...(request.targetConfig ?? {}),
  };
}

/** The tap config as the tap will see it, with its defaults (for the consistency check's filters and health). */
export function effectiveTapConfig(config: Record<string, unknown>): TapConfig {
  return validateConfig(structuredClone(config), TAP_SETTINGS).config;
}
