import type { Readable, Writable } from 'node:stream';
import yargs, { type Argv, type Options } from 'yargs';
import { renderAbout, type AboutFormat, type PluginInfo } from './about.js';
import { ConfigError, exitCodeOf, ExitCode, InterruptedError, SingerError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { watchParent } from './parent-watch.js';

export interface CliContext {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdin: Readable;
  stdout: Writable;
  logger: Logger;
  /** Aborted on the first SIGTERM/SIGINT, with the signal name as reason: stop reading, commit, then return. */
  signal: AbortSignal;
}

export interface RunCliOptions {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  /**
   * Write the METRIC `process_peak_rss_bytes` at exit (default: when logging to the process's own stderr, i.e. in a
   * real executable, not with an injected `stderr`).
   */
  peakRssMetric?: boolean;
}

/** The metric runCli writes last: the process's peak resident memory, exact (getrusage ru_maxrss). */
export const PEAK_RSS_METRIC = 'process_peak_rss_bytes';

/**
 * Runs a CLI main function and maps its outcome to `process.exitCode` (never `process.exit()`, which could cut off
 * buffered stdout). Errors are logged as CRITICAL lines without stack traces unless LOGLEVEL=debug.
 */
export async function runCli(
  name: string,
  main: (context: CliContext) => Promise<void>,
  options: RunCliOptions = {},
): Promise<ExitCode> {
  const env = options.env ?? process.env;
  const logger = createLogger({ name, env, out: options.stderr ?? process.stderr });
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      // A second signal means "now": fall back to the default action.
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
      process.kill(process.pid, signal);
      return;
    }
    logger.warning(`Received ${signal}: finishing the current work, then stopping`);
    controller.abort(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const stopWatching = watchParent({
    env,
    onOrphaned: (why) => {
      logger.warning(`${why}: finishing the current work, then stopping`);
      controller.abort('parent exit');
    },
  });

  let code: ExitCode = ExitCode.Ok;
  try {
    await main({
      argv: options.argv ?? process.argv.slice(2),
      env,
      stdin: options.stdin ?? process.stdin,
      stdout: options.stdout ?? process.stdout,
      logger,
      signal: controller.signal,
    });
    if (controller.signal.aborted) code = ExitCode.Interrupted;
  } catch (error) {
    if (controller.signal.aborted && isAbortError(error)) {
      // Work cancelled through ctx.signal (fetch, events.once, timers…) is the requested stop, not a failure.
      code = ExitCode.Interrupted;
      logger.warning(`Stopped by ${String(controller.signal.reason)}`);
    } else {
      code = exitCodeOf(error);
      reportError(logger, error);
    }
  } finally {
    stopWatching();
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
  if (options.peakRssMetric ?? options.stderr === undefined) {
    // A supervisor sampling /proc misses the peak of a short run; the kernel's own high-water mark does not.
    logger.metric({
      type: 'counter',
      metric: PEAK_RSS_METRIC,
      value: process.resourceUsage().maxRSS * 1024,
      tags: { executable: name, pid: process.pid },
    });
  }
  process.exitCode = code;
  return code;
}

function isAbortError(error: unknown): boolean {
  return error instanceof InterruptedError || (error instanceof Error && error.name === 'AbortError');
}

function reportError(logger: Logger, error: unknown): void {
  if (error instanceof ConfigError) {
    logger.critical(
      error.problems.length === 1 ? `Invalid configuration: ${error.problems[0]}` : 'Invalid configuration:',
    );
    if (error.problems.length > 1) for (const problem of error.problems) logger.critical(`  - ${problem}`);
  } else if (error instanceof InterruptedError) {
    logger.warning(error.message);
  } else if (error instanceof SingerError) {
    logger.critical(error.message);
  } else {
    logger.critical(`Internal failure: ${(error as Error)?.message ?? String(error)}`);
  }
  if (logger.level === 'debug' && error instanceof Error && error.stack) logger.debug(error.stack);
}

/** The options every Singer executable shares. */
export const COMMON_OPTIONS = {
  config: {
    type: 'string',
    array: true,
    description: 'Config file (repeatable, later wins) or ENV for environment variables',
  },
  about: { type: 'boolean', description: 'Print plugin information and exit' },
  format: { type: 'string', choices: ['text', 'json', 'markdown'], default: 'text', description: 'Format of --about' },
  version: { type: 'boolean', description: 'Print the version and exit' },
} as const satisfies Record<string, Options>;

/** Parses argv strictly; a usage problem becomes a ConfigError (exit code 2). */
export async function parseArgs<T extends Record<string, Options>>(
  scriptName: string,
  argv: readonly string[],
  options: T,
): Promise<Record<string, unknown> & { _: (string | number)[] }> {
  const parser: Argv = yargs([...argv])
    .scriptName(scriptName)
    // Before .options(): yargs reserves `version` until its built-in flag is turned off.
    .version(false)
    .help(false)
    .options({ ...COMMON_OPTIONS, ...options })
    .strict()
    .exitProcess(false)
    .fail((message: string | undefined, error: Error | undefined) => {
      throw new ConfigError(message ?? error?.message ?? 'invalid command line');
    });
  return await parser.parseAsync();
}

/** Handles `--version` and `--about`; returns true when one of them was printed. */
export function printInfoIfAsked(args: Record<string, unknown>, info: PluginInfo, out: Writable): boolean {
  if (args.version) {
    out.write(`${info.name} v${info.version}\n`);
    return true;
  }
  if (args.about) {
    out.write(`${renderAbout(info, (args.format as AboutFormat | undefined) ?? 'text')}\n`);
    return true;
  }
  return false;
}

/** `--config` values, with the `--config=ENV` spelling folded in. */
export function configSources(args: Record<string, unknown>): string[] {
  const value = args.config;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
