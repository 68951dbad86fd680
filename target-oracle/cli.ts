import v8 from 'node:v8';
import {
  COMMON_OPTIONS,
  configSources,
  type HelpSpec,
  INFO_ONLY,
  loadConfig,
  MessageWriter,
  Metrics,
  packageVersion,
  parseArgs,
  printInfoIfAsked,
  readRecordBatches,
  runCli,
  secretValues,
  type CliContext,
  type ExitCode,
  type PluginInfo,
  type ReplacedCharacters,
} from '../singer/index.js';
import type { RunLock } from './dialect.js';
import { openDialect } from './dialect-loader.js';
import { reportPoolMetric } from './pool-metric.js';
import { TARGET_NAME, TARGET_SETTINGS, toTargetConfig } from './settings.js';
import { runTarget } from './run-target.js';
import { writeStates } from './state-writer.js';

export function pluginInfo(): PluginInfo {
  return {
    name: TARGET_NAME,
    description:
      'Singer target for Oracle Database (node-oracledb Thin) and PostgreSQL: batched exact loads, STATE only after commit.',
    version: packageVersion(),
    capabilities: [
      'about',
      'activate-version',
      'hard-delete',
      'soft-delete',
      'structured-logging',
      'target-schema',
      'validate-records',
    ],
    settings: TARGET_SETTINGS,
  };
}

const HELP: HelpSpec = {
  name: TARGET_NAME,
  description: pluginInfo().description,
  usage: [
    `${TARGET_NAME} --config <file|ENV> < messages.singer > state.json`,
    `tap-oracle-wms --config tap.json | ${TARGET_NAME} --config <file|ENV> > state.json`,
    `${TARGET_NAME} --about [--format text|json|markdown] | --version | --help`,
  ],
  options: COMMON_OPTIONS,
  docs: ['README.md', 'docs/target-oracle.md', 'docs/settings/target-oracle.md', 'docs/production.md'],
};

async function main(ctx: CliContext): Promise<void | typeof INFO_ONLY> {
  const args = await parseArgs(TARGET_NAME, ctx.argv, {});
  if (printInfoIfAsked(args, pluginInfo(), ctx.stdout, HELP)) return INFO_ONLY;
  const { config, unknownKeys } = await loadConfig(configSources(args), {
    pluginName: TARGET_NAME,
    schema: TARGET_SETTINGS,
    env: ctx.env,
  });
  ctx.logger.addSecrets(secretValues(config, TARGET_SETTINGS));
  for (const key of unknownKeys) ctx.logger.warning(`Ignoring unknown setting '${key}'`);
  const target = toTargetConfig(config, ctx.env);
  const metrics = new Metrics(ctx.logger);
  const connection = await openDialect(target);
  const { dialect } = connection;
  const memory = ctx.logger.level === 'debug' ? setInterval(() => logMemory(ctx), 1000).unref() : undefined;
  const writer = new MessageWriter(ctx.stdout);
  const repairs = new ReplacedCharacterWarnings(ctx.logger);
  let runLock: RunLock | undefined;
  try {
    if (target.runLockKey !== undefined) {
      runLock = await connection.lockRun(target.runLockKey);
      ctx.logger.info(`Holding the run lock '${target.runLockKey}' for this run`);
    }
    const run = runTarget({
      config: target,
      dialect,
      messages: readRecordBatches(ctx.stdin, { onReplaced: (replaced) => repairs.add(replaced) }),
      logger: ctx.logger,
      metrics,
      signal: ctx.signal,
      poolStats: () => connection.stats(),
      runLock,
    });
    const summary = await writeStates(run, writer);
    ctx.logger.info(
      `${summary.interrupted ? 'Stopped early' : 'Done'}: ${summary.records} records in ${summary.flushes} committed batches, ${summary.statesEmitted} states emitted`,
    );
    if (summary.interrupted) ctx.stdin.destroy();
  } finally {
    repairs.summarise();
    clearInterval(memory);
    await runLock?.release();
    await connection.close();
    reportPoolMetric(metrics, dialect.name, connection.stats());
    await writer.end();
  }
}

/** Lines whose text became U+FFFD: a warning per line for the first few, then one total at the end. */
class ReplacedCharacterWarnings {
  static readonly LINES_WARNED = 10;
  readonly #logger: CliContext['logger'];
  #lines = 0;
  #invalidUtf8 = 0;
  #loneSurrogates = 0;

  constructor(logger: CliContext['logger']) {
    this.#logger = logger;
  }

  add({ line, invalidUtf8, loneSurrogates }: ReplacedCharacters): void {
    this.#lines += 1;
    this.#invalidUtf8 += invalidUtf8;
    this.#loneSurrogates += loneSurrogates;
    if (this.#lines <= ReplacedCharacterWarnings.LINES_WARNED)
      this.#logger.warning(`${describe(invalidUtf8, loneSurrogates)} replaced by U+FFFD`, { line });
  }

  summarise(): void {
    if (this.#lines <= ReplacedCharacterWarnings.LINES_WARNED) return;
    this.#logger.warning(
      `${this.#lines} input lines held ${describe(this.#invalidUtf8, this.#loneSurrogates)}, replaced by U+FFFD (the first ${ReplacedCharacterWarnings.LINES_WARNED} lines were named)`,
    );
  }
}

function describe(invalidUtf8: number, loneSurrogates: number): string {
  const parts: string[] = [];
  if (invalidUtf8 > 0) parts.push(`${invalidUtf8} invalid UTF-8 sequence${invalidUtf8 === 1 ? '' : 's'}`);
  if (loneSurrogates > 0) parts.push(`${loneSurrogates} lone surrogate${loneSurrogates === 1 ? '' : 's'}`);
  return parts.join(' and ');
}

function logMemory(ctx: CliContext): void {
  const mb = (bytes: number): number => Math.round(bytes / 1048576);
  const m = process.memoryUsage();
  ctx.logger.debug(
    `memory MB: rss ${mb(m.rss)}, heapTotal ${mb(m.heapTotal)}, heapUsed ${mb(m.heapUsed)}, external ${mb(m.external)}, arrayBuffers ${mb(m.arrayBuffers)}`,
  );
}

/**
 * Each batch of rows lives long enough to be promoted to V8's old space and dies at its flush, so the old space
 * fills with garbage between major GCs. V8 sets the next major GC at 4× the heap live after the last one (its
 * maximum factor, `--trace-gc-verbose`), so peak RSS follows whatever happened to be live at that moment. A fixed
 * 1.5× keeps the old space near the live size: peak RSS ~135 MB instead of ~170 MB (and 320 MB in the bad runs), for
 * runs ~5% slower (docs/target-oracle.md, Performance). V8 reads the flag at every GC, so setting it at startup works.
 */
const HEAP_GROWING_FLAG = '--heap-growing-percent=50';

export function run(): Promise<ExitCode> {
  v8.setFlagsFromString(HEAP_GROWING_FLAG);
  return runCli(TARGET_NAME, main);
}
