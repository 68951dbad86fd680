import { ConfigError, validateConfig } from '../singer/index.js';
import { TAP_SETTINGS, type TapConfig } from './settings.js';

/**
 * A generated Meltano project (meltano.yml, tools/meltano-yml.ts) names each entity's incremental extractor
 * `tap-oracle-wms--<entity>-incremental`; Meltano tells the running tap its extractor's name.
 */
const INCREMENTAL_EXTRACTOR = /^tap-oracle-wms--.+-incremental$/;

/**
 * `data_extract` reaching an incremental job's extractor, most often inherited from `tap-oracle-wms` itself: that job
 * would load the export's files (or nothing, once they are loaded) instead of reading the changes, so every run
 * would miss the changes while succeeding.
 */
export function meltanoJobProblems(config: TapConfig, env: NodeJS.ProcessEnv): string[] {
  const extractor = env.MELTANO_EXTRACTOR_NAME;
  if (config.data_extract === undefined || extractor === undefined || !INCREMENTAL_EXTRACTOR.test(extractor)) return [];
  const full = extractor.replace(/-incremental$/, '-full');
  return [
    `'data_extract' is set for ${extractor}, an incremental job's extractor, which would load Data Extract files instead of reading the changes: set it on ${full} only (set on tap-oracle-wms or as TAP_ORACLE_WMS_DATA_EXTRACT, every job inherits it)`,
  ];
}

/** Cross-setting rules JSON Schema cannot say clearly; every problem is returned. */
export function configProblems(config: TapConfig): string[] {
  const problems: string[] = [];
  if (/\/wms\/lgfapi/.test(config.base_url))
    problems.push("'base_url' must stop at the environment segment (leave out /wms/lgfapi/…)");
  const range = config.id_range;
  if (range) {
    // ACTIVATE_VERSION retires every row of the table the run did not send: the rows of the other ranges too.
    if (config.emit_activate_version)
      problems.push(
        "'id_range' cannot be combined with 'emit_activate_version': ACTIVATE_VERSION would retire the rows of the other id ranges",
      );
    if (range.gte !== undefined && range.lt !== undefined && BigInt(range.gte) >= BigInt(range.lt))
      problems.push(`'id_range' is empty: gte ${range.gte} is not below lt ${range.lt}`);
  }
  const keyed = [config.data_extract_access_key_id, config.data_extract_secret_access_key].filter(
    (value) => value !== undefined,
  ).length;
  if (keyed > 0 && config.data_extract?.store !== 's3')
    problems.push(
      "'data_extract_access_key_id' and 'data_extract_secret_access_key' are only used with data_extract store s3",
    );
  else if (keyed === 1)
    problems.push(
      "'data_extract_access_key_id' and 'data_extract_secret_access_key' go together (or neither: the AWS SDK's default chain)",
    );
  if (config.data_extract) {
    // Files hold a relation as <name>_id and <name>_key columns: there is no {id,key,url} object to keep.
    if (!config.flatten_relations)
      problems.push("'data_extract' needs 'flatten_relations' true: Data Extract files hold no relation objects");
    if (range) problems.push("'data_extract' cannot be combined with 'id_range': a load reads whole files");
    // The export's own filters decide which rows its files hold; the tap cannot narrow files the way it narrows queries.
    const narrowed = [
      config.company_code !== '*' ? 'company_code' : undefined,
      config.facility_code !== '*' ? 'facility_code' : undefined,
      Object.keys(config.entity_filters).length > 0 ? 'entity_filters' : undefined,
    ].filter((name) => name !== undefined);
    if (narrowed.length > 0)
      problems.push(
        `'data_extract' cannot be combined with ${narrowed.map((name) => `'${name}'`).join(', ')}: the files hold what the export selected (filter the export instead)`,
      );
    const trigger = config.data_extract.trigger;
    if (trigger) {
      if (config.data_extract.export_started_at !== undefined)
        problems.push(
          "'data_extract.export_started_at' cannot be combined with 'data_extract.trigger': the trigger knows when its export started",
        );
      if (
        trigger.window_start !== undefined &&
        trigger.window_end !== undefined &&
        Date.parse(trigger.window_start) >= Date.parse(trigger.window_end)
      )
        problems.push("'data_extract.trigger' window is empty: window_start is not before window_end");
    }
  }
  return problems;
}

/**
 * Every problem `--config` would be refused for (schema and cross-setting rules), without a request: for a
 * supervisor that builds the config and wants to refuse a run before it starts anything.
 */
export function tapConfigProblems(input: Record<string, unknown>): string[] {
  try {
    return configProblems(validateConfig(structuredClone(input), TAP_SETTINGS).config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
}
