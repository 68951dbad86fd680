import type { RunRequest } from './plugin-configs.js';
import type { JobSettings, PipelineSettings, RunMode } from './settings.js';

/** A run that is not a configured job (`full`, `incremental`, or an unknown job name): the pipeline's defaults. */
export function adHocRequest(
  settings: PipelineSettings,
  mode: RunMode,
  companyCode: string,
  facilityCode: string,
  job: string = mode,
): RunRequest {
  return {
    job,
    mode,
    companyCode,
    facilityCode,
    maxRetries: settings.max_retries,
    runTimeoutSeconds: settings.run_timeout_seconds,
  };
}

/** A configured job's run: what the job does not set comes from the pipeline's settings. */
export function jobRequest(settings: PipelineSettings, job: JobSettings): RunRequest {
  return {
    job: job.name,
    mode: job.mode,
    companyCode: job.company_code ?? settings.company_code,
    facilityCode: job.facility_code ?? settings.facility_code,
    entities: job.entities,
    tapConfig: job.tap_config,
    targetConfig: job.target_config,
    maxRetries: job.max_retries ?? settings.max_retries,
    runTimeoutSeconds: job.run_timeout_seconds ?? settings.run_timeout_seconds,
  };
}

/** One run at a time per job, company and facility. */
export function runLockKey(request: RunRequest): string {
  return `${request.job}\u0000${request.companyCode}\u0000${request.facilityCode}`;
}
