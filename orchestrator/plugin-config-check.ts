import { targetConfigProblems } from '../target-oracle/index.js';
import { tapConfigProblems } from '../tap-oracle-wms/index.js';
import { initialLoadProblems, initialLoadRequest } from './initial-load.js';
import { tapConfigFor, targetConfigFor, type RunRequest } from './plugin-configs.js';
import { adHocRequest, jobRequest } from './run-request.js';
import type { JobSettings, PipelineSettings, RunMode } from './settings.js';

/** Tap and target settings the pipeline sets from its own; any other one comes from tap_config / target_config. */
const TAP_NAMES: Record<string, string> = {
  base_url: 'wms_base_url',
  username: 'wms_username',
  password: 'wms_password',
  entities: 'entities',
  company_code: 'company_code',
  facility_code: 'facility_code',
};
/** initial-load gives the tap the pipeline's own Data Extract settings (same names). */
const INITIAL_LOAD_TAP_NAMES: Record<string, string> = {
  ...TAP_NAMES,
  data_extract: 'data_extract',
  data_extract_access_key_id: 'data_extract_access_key_id',
  data_extract_secret_access_key: 'data_extract_secret_access_key',
};
const TARGET_NAMES: Record<string, string> = {
  dialect: 'target_dialect',
  host: 'target_host',
  port: 'target_port',
  user: 'target_user',
  password: 'target_password',
  database: 'target_database',
  service_name: 'target_service_name',
  default_target_schema: 'target_schema',
};

/** A plugin's problem text with each quoted setting renamed to the pipeline setting a user would set. */
function inPipelineNames(problem: string, names: Record<string, string>, passThrough: string): string {
  return problem.replace(/'([a-z_]+)'/g, (_, name: string) => `'${names[name] ?? `${passThrough}.${name}`}'`);
}

/**
 * What the tap and the target would refuse in the configs this pipeline builds for `request`, named by the
 * pipeline's own settings (`wms_base_url`, not the tap's `base_url`): checked before a run starts anything, so a
 * missing setting is a configuration error (exit 2) and not a failed run with a report and an alert.
 */
function pluginConfigProblems(
  settings: PipelineSettings,
  request: RunRequest,
  which: { target: boolean } = { target: true },
  tapNames: Record<string, string> = TAP_NAMES,
): string[] {
  return [
    ...tapConfigProblems(tapConfigFor(settings, request)).map((p) => inPipelineNames(p, tapNames, 'tap_config')),
    ...(which.target ? targetConfigProblems(targetConfigFor(settings, request)) : []).map((p) =>
      inPipelineNames(p, TARGET_NAMES, 'target_config'),
    ),
  ];
}

/**
 * What the tap and target would refuse in the configs `command` would build (nothing for `jobs`, or with
 * runner=meltano, where Meltano holds the plugins' config); `plan-partitions` only runs the tap's requests.
 */
export function commandConfigProblems(
  settings: PipelineSettings,
  command: string,
  given: { company?: string; facility?: string; job?: string; entity?: string },
): string[] {
  if (command === 'initial-load') {
    const [company, facility] = [given.company ?? settings.company_code, given.facility ?? settings.facility_code];
    // Said alone: the tap's version of the same rule (data_extract with a company) would only repeat it less clearly.
    const own = initialLoadProblems(settings, company, facility);
    if (own.length > 0) return own;
    const request = initialLoadRequest(settings, given.entity ?? '', company, facility);
    return [...new Set(pluginConfigProblems(settings, request, { target: true }, INITIAL_LOAD_TAP_NAMES))];
  }
  if (command === 'jobs' || settings.runner === 'meltano') return [];
  const adHoc = (mode: RunMode): RunRequest =>
    adHocRequest(
      settings,
      mode,
      given.company ?? settings.company_code,
      given.facility ?? settings.facility_code,
      command,
    );
  const fromJob = (job: JobSettings): RunRequest => jobRequest(settings, job);
  const requests =
    command === 'run'
      ? settings.jobs.filter((job) => job.name === given.job).map(fromJob)
      : command === 'serve'
        ? settings.jobs.map(fromJob)
        : [adHoc(command === 'full' ? 'full' : 'incremental')];
  if (requests.length === 0) requests.push(adHoc('incremental'));
  const problems = requests.flatMap((request) =>
    pluginConfigProblems(settings, request, { target: command !== 'plan-partitions' }),
  );
  return [...new Set(problems)];
}
