import { COMMON_OPTIONS, type HelpSpec } from '../singer/index.js';
import { PLUGIN_NAME } from './settings.js';

export const DESCRIPTION =
  'Runs tap-oracle-wms | target-oracle per company and facility (full and incremental), with retries, state, alerts (email, Slack, webhook), resource monitoring, consistency checks, reports, schedules and Prometheus metrics';

/** wms-pipeline's own options (besides COMMON_OPTIONS); `--help` is rendered from these. */
export const OPTIONS = {
  company: { type: 'string', description: 'Company code (default: the company_code setting)' },
  facility: { type: 'string', description: 'Facility code (default: the facility_code setting)' },
  json: { type: 'boolean', description: 'Print the result as JSON instead of the summary' },
  entity: {
    type: 'string',
    description: 'Entity name: the one initial-load loads, or the one plan-partitions splits into id ranges',
  },
  parts: { type: 'number', description: 'Number of id ranges, one Meltano job each (1 to 1000)' },
  out: { type: 'string', description: 'File to write the Meltano jobs to instead of stdout' },
  stream: { type: 'string', description: 'Stream (entity) whose full load is handed over' },
  'full-state-id': { type: 'string', description: "Meltano state id of the entity's full job" },
  'incremental-state-id': { type: 'string', description: "Meltano state id of the entity's incremental job" },
  meltano: {
    type: 'string',
    description: 'The meltano executable (default: the one running this `meltano run`, else MELTANO_BIN, else PATH)',
  },
} as const;

type OptionName = keyof typeof OPTIONS;

/** Each command: its usage after the program name, what it does, and the options it reads besides the common ones. */
export const COMMANDS: Record<string, { usage: string; text: string; options: OptionName[] }> = {
  full: {
    usage: 'full [--company <code>] [--facility <code>] [--json]',
    text: 'Full sync of one company/facility: every stream reloaded, rows gone from WMS retired (full_sync_delete_mode)',
    options: ['company', 'facility', 'json'],
  },
  incremental: {
    usage: 'incremental [--company <code>] [--facility <code>] [--json]',
    text: 'Incremental sync from the saved bookmarks (mod_ts)',
    options: ['company', 'facility', 'json'],
  },
  'initial-load': {
    usage: 'initial-load --entity <name> [--company <code>] [--facility <code>] [--json]',
    text: 'Initial load of one entity: a full load through Data Extract when data_extract is set, over REST otherwise, resumed where a stopped one stopped; then the incremental runs of that company/facility start where it began',
    options: ['entity', 'company', 'facility', 'json'],
  },
  run: { usage: 'run <job> [--json]', text: 'Run one job of the jobs setting', options: ['json'] },
  jobs: { usage: 'jobs [--json]', text: 'List the configured jobs and their schedules', options: ['json'] },
  health: {
    usage: 'health [--json]',
    text: 'Check WMS reachable, WMS auth, the database, the state and report dirs (exit 0 when all pass)',
    options: ['json'],
  },
  serve: {
    usage: 'serve',
    text: 'Run the scheduled jobs and serve /health and /metrics until SIGTERM',
    options: [],
  },
  'plan-partitions': {
    usage: 'plan-partitions --entity <name> --parts <n> [--out <file>]',
    text: 'Split an entity into id ranges and print one Meltano job per range',
    options: ['entity', 'parts', 'out', 'company', 'facility'],
  },
  'meltano-handoff': {
    usage: 'meltano-handoff --stream <name> --full-state-id <id> --incremental-state-id <id> [--meltano <path>]',
    text: "Start the incremental job's bookmark where the full job's last completed full load began, once per full load (a task of each <entity>-incremental Meltano job)",
    options: ['stream', 'full-state-id', 'incremental-state-id', 'meltano'],
  },
};

const DOCS = ['README.md', 'docs/wms-pipeline.md', 'docs/settings/wms-pipeline.md', 'docs/production.md'];

/** `wms-pipeline --help`, or `wms-pipeline <command> --help` for one command. */
export function helpFor(command: string | undefined): HelpSpec {
  const one = command === undefined ? undefined : COMMANDS[command];
  if (one)
    return {
      name: PLUGIN_NAME,
      description: one.text,
      usage: [`${PLUGIN_NAME} ${one.usage} [--config <file|ENV>]...`],
      options: { config: COMMON_OPTIONS.config, ...Object.fromEntries(one.options.map((o) => [o, OPTIONS[o]])) },
      docs: DOCS,
    };
  return {
    name: PLUGIN_NAME,
    description: DESCRIPTION,
    usage: [
      `${PLUGIN_NAME} <command> [options] [--config <file|ENV>]...   (without --config: WMS_PIPELINE_* variables)`,
      `${PLUGIN_NAME} <command> --help`,
      ...Object.values(COMMANDS).map((c) => `${PLUGIN_NAME} ${c.usage}`),
    ],
    commands: Object.entries(COMMANDS).map(([name, c]) => [name, c.text] as const),
    options: { ...COMMON_OPTIONS, ...OPTIONS },
    docs: DOCS,
  };
}
