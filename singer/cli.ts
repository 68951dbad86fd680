import type { Readable, Writable } from 'node:stream';
import yargs, { type Argv, type Options } from 'yargs';
import { renderAbout, type AboutFormat, type PluginInfo } from './about.js';
import { ConfigError, exitCodeOf, ExitCode, InterruptedError, SingerError, UsageError } from './errors.js';
import { failureReport, type FailureReport } from './failure.js';
import { renderHelp, type HelpSpec } from './help.js';
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
   * real executable, not with an injected `stderr`). Never after `--help`/`--version`/`--about` or a configuration or
   * usage error: those did no work worth measuring, and a wrapper reading stderr should see only the answer.
   */
  peakRssMetric?: boolean;
}

/** The metric runCli writes last: the process's peak resident memory, exact (getrusage ru_maxrss). */
export const PEAK_RSS_METRIC = 'process_peak_rss_bytes';

/** What a CLI main returns when it only printed information (`--help`, `--version`, `--about`). */
export const INFO_ONLY = 'info-only';

/**
 * Runs a CLI main function and maps its outcome to `process.exitCode` (never `process.exit()`, which could cut off
 * buffered stdout). Errors are logged as CRITICAL lines without stack traces unless LOGLEVEL=debug, and a failed
 * run's last CRITICAL line is its failure report (singer/failure.ts), except after a requested stop (SIGTERM) or a
 * usage mistake.
 */
export async function runCli(
  name: string,
  main: (context: CliContext) => Promise<void | typeof INFO_ONLY>,
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
  let infoOnly = false;
  let failure: FailureReport | undefined;
  try {
    infoOnly =
      (await main({
        argv: options.argv ?? process.argv.slice(2),
        env,
        stdin: options.stdin ?? process.stdin,
        stdout: options.stdout ?? process.stdout,
        logger,
        signal: controller.signal,
      })) === INFO_ONLY;
    if (controller.signal.aborted) code = ExitCode.Interrupted;
  } catch (error) {
    if (controller.signal.aborted && isAbortError(error)) {
      // Work cancelled through ctx.signal (fetch, events.once, timers…) is the requested stop, not a failure.
      code = ExitCode.Interrupted;
      logger.warning(`Stopped by ${String(controller.signal.reason)}`);
    } else {
      code = exitCodeOf(error);
      reportError(logger, error);
      // A requested stop is no failure; a usage mistake is a person's at a terminal (a supervisor builds argv itself).
      if (!(error instanceof InterruptedError) && !(error instanceof UsageError)) failure = failureReport(error, code);
    }
  } finally {
    stopWatching();
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
  // The last CRITICAL line, after the human ones (docs/singer-api.md, "Failure line"); only the exit METRIC follows.
  if (failure) logger.critical(JSON.stringify(failure));
  if ((options.peakRssMetric ?? options.stderr === undefined) && !infoOnly && code !== ExitCode.Config) {
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

/** `--help`, `--version`, `--about`: every executable answers them (the simulator too, which takes no config). */
export const INFO_OPTIONS = {
  help: { type: 'boolean', alias: 'h', description: 'Print this help and exit' },
  about: { type: 'boolean', description: 'Print plugin information and exit' },
  format: { type: 'string', choices: ['text', 'json', 'markdown'], default: 'text', description: 'Format of --about' },
  version: { type: 'boolean', description: 'Print the version and exit' },
} as const satisfies Record<string, Options>;

/** The options every Singer executable shares. */
export const COMMON_OPTIONS = {
  config: {
    type: 'string',
    array: true,
    description: 'Config file (repeatable, later wins) or ENV for environment variables',
  },
  ...INFO_OPTIONS,
} as const satisfies Record<string, Options>;

/**
 * Parses argv strictly against `common` (COMMON_OPTIONS, or INFO_OPTIONS for an executable without config) plus the
 * executable's own `options`; a command-line mistake becomes a UsageError (exit code 2).
 */
export async function parseArgs<T extends Record<string, Options>>(
  scriptName: string,
  argv: readonly string[],
  options: T,
  common: Readonly<Record<string, Options>> = COMMON_OPTIONS,
): Promise<Record<string, unknown> & { _: (string | number)[] }> {
  const parser: Argv = yargs([...argv])
    .scriptName(scriptName)
    // Before .options(): yargs reserves `version` and `help` until its built-in flags are turned off.
    .version(false)
    .help(false)
    .options({ ...common, ...options })
    // `--no-x` negating `--x` and camelCase aliases would make a typo's message name options nobody wrote.
    .parserConfiguration({ 'boolean-negation': false, 'camel-case-expansion': false })
    .strict()
    .exitProcess(false)
    .fail((message: string | undefined, error: Error | undefined) => {
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: …"): a usage error is one line.
      const problem = (message ?? error?.message ?? 'invalid command line').replace(/:?\s*\n\s*/g, ': ');
      throw new UsageError(problem, scriptName);
    });
  return await parser.parseAsync();
}

/** Handles `--help`, `--version` and `--about`; returns true when one of them was printed. */
export function printInfoIfAsked(
  args: Record<string, unknown>,
  info: PluginInfo,
  out: Writable,
  help: HelpSpec,
): boolean {
  if (args.help) {
    out.write(renderHelp(help));
    return true;
  }
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
