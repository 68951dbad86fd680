import { readFile } from 'node:fs/promises';
import {
  ConfigError,
  type Logger,
  Metrics,
  packageVersion,
  parseJsonVerbatim,
  stringifyJson,
} from '../singer/index.js';
import { createClient, selectEntities, TAP_SETTINGS } from '../tap-oracle-wms/index.js';
import { handoffDecision } from './handoff-decision.js';
import { writeFileAtomic } from './json-file.js';
import { effectiveTapConfig, tapConfigFor, type RunRequest } from './plugin-configs.js';
import { adHocRequest, jobRequest } from './run-request.js';
import type { PipelineSettings } from './settings.js';
import type { StateStore } from './state-store.js';

/** The job name of an entity's initial load: its state file and its run lock. */
export function initialLoadJob(entity: string): string {
  return `initial-load-${entity}`;
}

/**
 * `initial-load`: a full run (FULL_TABLE, ACTIVATE_VERSION by full_sync_delete_mode, the full-sync target config) of
 * one entity, from its own state so that a stopped load goes on where it stopped. `data_extract` and its key are
 * given to this run alone: the `full` and `incremental` runs of the same pipeline stay on REST. The entity is loaded
 * even when tap_config.exclude_entities names it: it was asked for by name.
 */
export function initialLoadRequest(
  settings: PipelineSettings,
  entity: string,
  companyCode: string,
  facilityCode: string,
): RunRequest {
  const extract =
    settings.data_extract === undefined
      ? {}
      : Object.fromEntries(
          Object.entries({
            data_extract: settings.data_extract,
            data_extract_access_key_id: settings.data_extract_access_key_id,
            data_extract_secret_access_key: settings.data_extract_secret_access_key,
          }).filter(([, value]) => value !== undefined),
        );
  return {
    ...adHocRequest(settings, 'full', companyCode, facilityCode, initialLoadJob(entity)),
    entities: [entity],
    tapConfig: { exclude_entities: [], ...extract },
    resume: true,
  };
}

/**
 * What initial-load refuses before it starts, besides the tap's and the target's own rules. Data Extract exports
 * the whole tenant, so it cannot load one company or facility; the meltano runner has its own initial-load jobs.
 */
export function initialLoadProblems(settings: PipelineSettings, companyCode: string, facilityCode: string): string[] {
  if (settings.runner === 'meltano')
    return [
      "'initial-load' runs with runner direct: with runner meltano, run the entity's Meltano job `<entity>-full` (it uses Data Extract when data_extract is set on its plugin)",
    ];
  if (settings.data_extract !== undefined && (companyCode !== '*' || facilityCode !== '*'))
    return [
      `'initial-load' with 'data_extract' loads the whole tenant (a Data Extract export holds every company and facility), not ${companyCode}/${facilityCode}: run it with --company '*' --facility '*', or remove 'data_extract' to load ${companyCode}/${facilityCode} over the REST API`,
    ];
  return [];
}

/** What the pipeline logs before the load: the path it takes, and why. */
export function initialLoadPath(settings: PipelineSettings, request: RunRequest, entity: string): string {
  return settings.data_extract === undefined
    ? `${entity}: initial load of ${request.companyCode}/${request.facilityCode} over the REST API (data_extract is not set)`
    : `${entity}: initial load from Data Extract files (data_extract is set)`;
}

/**
 * Refuses an entity the WMS does not list (the tap would discover nothing and load nothing), asked with the tap's own
 * client and the run's tap config, before the run starts.
 */
export async function checkEntityListed(
  settings: PipelineSettings,
  request: RunRequest,
  entity: string,
  deps: { logger: Logger; signal?: AbortSignal },
): Promise<void> {
  const config = effectiveTapConfig(tapConfigFor(settings, request));
  const handle = createClient(config, { ...deps, metrics: new Metrics(deps.logger), version: packageVersion() });
  let names: string[];
  try {
    names = await handle.client.entities();
  } finally {
    handle.close();
  }
  if (names.includes(entity)) return;
  const other = names.find((name) => name.toLowerCase() === entity.toLowerCase());
  throw new ConfigError(
    `unknown entity '${entity}': the WMS entity list (${names.length} entities) does not hold it${other ? ` (did you mean '${other}'?)` : ''}`,
  );
}

/**
 * The incremental runs an initial load of `entity` hands over to: the ad-hoc `incremental` run of its company and
 * facility, and every configured incremental job there whose entities (and exclude_entities) select it.
 */
export function handoffJobs(
  settings: PipelineSettings,
  entity: string,
  companyCode: string,
  facilityCode: string,
): string[] {
  const jobs = new Set(['incremental']);
  for (const job of settings.jobs) {
    if (job.mode !== 'incremental') continue;
    const request = jobRequest(settings, job);
    if (request.companyCode !== companyCode || request.facilityCode !== facilityCode) continue;
    const tap = tapConfigFor(settings, request);
    const include = (tap.entities as string[] | undefined) ?? TAP_SETTINGS.properties.entities.default;
    const exclude = (tap.exclude_entities as string[] | undefined) ?? [];
    if (selectEntities([entity], include, exclude).length > 0) jobs.add(job.name);
  }
  return [...jobs];
}

/**
 * After a successful initial load: each of `jobs`' states gets the stream's bookmark set to the snapshot start the
 * load recorded, once per completed load (handoff-decision.ts). States are read and written as text kept exact
 * (ids beyond 2^53 in other streams' bookmarks). Returns one line per job, also logged.
 */
export async function handOverInitialLoad(
  states: StateStore,
  load: RunRequest,
  entity: string,
  jobs: readonly string[],
  logger: Logger,
): Promise<string[]> {
  const { companyCode, facilityCode } = load;
  const loaded = await readExact(states.fileOf(companyCode, facilityCode, load.job));
  const lines: string[] = [];
  for (const job of jobs) {
    const file = states.fileOf(companyCode, facilityCode, job);
    const decision = handoffDecision({ singer_state: loaded }, { singer_state: (await readExact(file)) ?? {} }, entity);
    let line: string;
    if (decision.action === 'none') line = `${entity}: nothing handed over to '${job}': ${decision.reason}`;
    else {
      await writeFileAtomic(file, `${stringifyJson(decision.state.singer_state)}\n`);
      line = `${entity}: '${job}' of ${companyCode}/${facilityCode} now starts at ${decision.snapshotStart}, where the initial load began`;
    }
    logger.info(line, { stream: entity });
    lines.push(line);
  }
  return lines;
}

async function readExact(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return parseJsonVerbatim(text);
  } catch {
    throw new Error(`${file} is not valid JSON`);
  }
}
