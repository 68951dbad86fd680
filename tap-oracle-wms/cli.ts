import { readFile } from 'node:fs/promises';
import {
  type Catalog,
  type CliContext,
  COMMON_OPTIONS,
  ConfigError,
  type HelpSpec,
  INFO_ONLY,
  isStreamSelected,
  jsonErrorWhere,
  configSources,
  loadConfig,
  MessageWriter,
  Metrics,
  normalizeState,
  packageVersion,
  parseArgs,
  parseJsonExact,
  printInfoIfAsked,
  runCli,
  emptyState,
  UsageError,
} from '../singer/index.js';
import { cachedDiscovery } from './catalog-cache.js';
import { openObjectStore } from './data-extract/open-store.js';
import { checkFutureBookmarks } from './future-bookmarks.js';
import { discover } from './discover.js';
import { SingerOutput } from './output.js';
import { configProblems, meltanoJobProblems } from './config-problems.js';
import { TAP_SETTINGS } from './settings.js';
import { sync } from './sync.js';
import { CAPABILITIES, createClient, TAP_NAME } from './tap.js';

const DESCRIPTION =
  'Singer tap for Oracle WMS Cloud (LGF API v10): discovery from describe, full (partitioned) and incremental sync';

const OPTIONS = {
  discover: { type: 'boolean', description: 'Write the catalog to stdout' },
  catalog: { type: 'string', description: 'Catalog file (streams and fields to sync)' },
  properties: { type: 'string', description: 'Legacy name of --catalog' },
  state: { type: 'string', description: 'State file to resume from (ignored with --discover)' },
  test: {
    type: 'string',
    description: 'Connection test: one record per stream (--test), or SCHEMA only (--test=schema)',
  },
} as const;

const HELP: HelpSpec = {
  name: TAP_NAME,
  description: DESCRIPTION,
  usage: [
    `${TAP_NAME} --config <file|ENV> --discover > catalog.json`,
    `${TAP_NAME} --config <file|ENV> [--catalog <file>] [--state <file>] | target-oracle --config <file>`,
    `${TAP_NAME} --config <file|ENV> --test[=schema]`,
    `${TAP_NAME} --about [--format text|json|markdown] | --version | --help`,
  ],
  options: { ...COMMON_OPTIONS, ...OPTIONS },
  docs: ['README.md', 'docs/tap-oracle-wms.md', 'docs/settings/tap-oracle-wms.md'],
};

export function run(): Promise<unknown> {
  return runCli(TAP_NAME, main);
}

async function main(context: CliContext): Promise<void | typeof INFO_ONLY> {
  const { logger } = context;
  const args = await parseArgs(TAP_NAME, context.argv, OPTIONS);
  const version = packageVersion();
  const info = {
    name: TAP_NAME,
    description: DESCRIPTION,
    version,
    capabilities: CAPABILITIES,
    settings: TAP_SETTINGS,
  };
  if (printInfoIfAsked(args, info, context.stdout, HELP)) return INFO_ONLY;

  const loaded = await loadConfig(configSources(args), {
    pluginName: TAP_NAME,
    schema: TAP_SETTINGS,
    env: context.env,
  });
  const { config } = loaded;
  const problems = [...configProblems(config), ...meltanoJobProblems(config, context.env)];
  if (problems.length > 0) throw new ConfigError(problems);
  if (loaded.unknownKeys.length > 0) logger.warning(`Ignoring unknown settings: ${loaded.unknownKeys.join(', ')}`);

  const testArg = args.test as string | undefined;
  if (testArg !== undefined && testArg !== '' && testArg !== 'all' && testArg !== 'schema')
    throw new UsageError(`--test takes no value, 'all' or 'schema' (got '${testArg}')`, TAP_NAME);
  const metrics = new Metrics(logger);
  const handle = createClient(config, { logger, metrics, version, signal: context.signal });
  const writer = new MessageWriter(context.stdout);
  try {
    const discoverCatalog = (): Promise<Catalog> =>
      cachedDiscovery(config, version, logger, () => discover(handle.client, config, logger));
    if (args.discover) {
      const catalog = await discoverCatalog();
      await writer.writeLine(JSON.stringify(catalog, null, 2));
      await writer.end();
      return;
    }
    const catalogFile = (args.catalog ?? args.properties) as string | undefined;
    const givenCatalog = catalogFile ? await readJsonFile<Catalog>(catalogFile, 'catalog') : undefined;
    const state =
      args.state && testArg === undefined
        ? normalizeState(await readJsonFile<unknown>(args.state as string, 'state'))
        : emptyState();
    // A state the run would refuse is refused before any request (sync checks again, and warns when allowed).
    if (Array.isArray(givenCatalog?.streams) && testArg === undefined && !config.allow_future_bookmarks)
      checkFutureBookmarks(givenCatalog.streams.filter(isStreamSelected), state, config, logger, Date.now());
    // A sync's first request (discovery asks it anyway, unless answered from its cache): a wrong environment segment
    // must fail here, not read as empty lists, since lgfapi answers an empty list with 404 too.
    // A Data Extract load of files already exported, with a catalog given, reads only the store: no WMS needed.
    if (!(config.data_extract && !config.data_extract.trigger && givenCatalog)) await handle.client.entities();
    const catalog = givenCatalog ?? (await discoverCatalog());
    if (!Array.isArray(catalog?.streams)) throw new ConfigError(`catalog ${catalogFile} has no "streams" list`);
    const output = new SingerOutput(writer, state);
    await sync(catalog, {
      source: handle.client,
      config,
      output,
      logger,
      metrics,
      signal: context.signal,
      objectStore: config.data_extract ? openObjectStore(config.data_extract, config) : undefined,
      exports: config.data_extract?.trigger ? handle.client : undefined,
      testMode: testArg === undefined ? undefined : testArg === 'schema' ? 'schema' : 'records',
    });
  } finally {
    handle.close();
  }
}

async function readJsonFile<T>(file: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read ${what} file ${file} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`,
    );
  }
  try {
    // Exact: a state may hold ids beyond 2^53.
    return parseJsonExact(text) as T;
  } catch {
    throw new ConfigError(`${what} file ${file} is not valid JSON${jsonErrorWhere(text)}`);
  }
}
