/**
 * Exit codes shared by every executable of the package. Documented in README.md ("Exit codes").
 * Errors are classed by what the caller does about them, not by where they happen.
 */
export enum ExitCode {
  Ok = 0,
  /** A bug or an unexpected failure: report it. */
  Internal = 1,
  /** Bad configuration or command line: fix the config, do not retry. */
  Config = 2,
  /** Malformed input or a protocol violation (bad Singer line, RECORD before SCHEMA, …): fix the producer. */
  Protocol = 3,
  /** The source (WMS HTTP API) failed or refused: retry later, or fix credentials/permissions. */
  Source = 4,
  /** The target database failed: the batch was rolled back; rerun from the last emitted state. */
  Database = 5,
  /**
   * Another run of the same job holds the run lock in the target database (target-oracle's `run_lock_key`): this run
   * stopped before loading anything. Not retried; the other run is doing the work. 75 is sysexits' EX_TEMPFAIL.
   */
  Busy = 75,
  /** Stopped by SIGTERM/SIGINT after committing what was safe to commit. */
  Interrupted = 130,
  /**
   * stdout was closed by the process reading it (in `tap | target`, the target stopped): its own error says why.
   * 128 + SIGPIPE, what a shell reports for a writer killed by a broken pipe.
   */
  OutputClosed = 141,
}

export interface SingerErrorOptions {
  cause?: unknown;
  /** Whether retrying the same run later may succeed (used by the orchestrator). */
  retriable?: boolean;
}

/** Base class: carries the exit code the CLI runner will set. */
export class SingerError extends Error {
  readonly exitCode: ExitCode;
  readonly retriable: boolean;

  constructor(message: string, exitCode: ExitCode, options: SingerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.retriable = options.retriable ?? false;
  }
}

/** Configuration is invalid; `problems` lists every problem found, not only the first. */
export class ConfigError extends SingerError {
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], options: SingerErrorOptions = {}) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(
      list.length === 1
        ? `Invalid configuration: ${list[0]}`
        : `Invalid configuration (${list.length} problems):\n  - ${list.join('\n  - ')}`,
      ExitCode.Config,
      options,
    );
    this.problems = list;
  }
}

/**
 * A command-line mistake (unknown option, unknown command or job, a missing argument): exit 2 like a configuration
 * error, but a different message, one line long, that says where the usage is.
 */
export class UsageError extends SingerError {
  readonly problem: string;

  constructor(problem: string, program: string, options: SingerErrorOptions = {}) {
    super(`Usage error: ${problem} (run '${program} --help' for usage)`, ExitCode.Config, options);
    this.problem = problem;
  }
}

export interface ProtocolErrorLocation {
  line?: number;
  stream?: string;
  field?: string;
}

/** Bad input. The message names where (line, stream, field) and never includes record values. */
export class ProtocolError extends SingerError {
  readonly location: ProtocolErrorLocation;

  constructor(problem: string, location: ProtocolErrorLocation = {}, options: SingerErrorOptions = {}) {
    const where = [
      location.line === undefined ? undefined : `line ${location.line}`,
      location.stream === undefined ? undefined : `stream '${location.stream}'`,
      location.field === undefined ? undefined : `field '${location.field}'`,
    ].filter((part) => part !== undefined);
    super(where.length > 0 ? `${problem} (${where.join(', ')})` : problem, ExitCode.Protocol, options);
    this.location = location;
  }
}

/** The source system failed (HTTP errors after retries, auth refused, bad responses). */
export class SourceError extends SingerError {
  readonly status?: number;

  constructor(message: string, options: SingerErrorOptions & { status?: number } = {}) {
    super(message, ExitCode.Source, options);
    this.status = options.status;
  }
}

/** The target database failed; the current batch was rolled back. */
export class DatabaseError extends SingerError {
  readonly code?: string;

  constructor(message: string, options: SingerErrorOptions & { code?: string } = {}) {
    super(message, ExitCode.Database, options);
    this.code = options.code;
  }
}

/** Another run holds the run lock `key`: this run loaded nothing (exit 75, not retriable). */
export class RunLockedError extends SingerError {
  readonly key: string;

  constructor(key: string, options: SingerErrorOptions = {}) {
    super(
      `Another run holds the run lock '${key}' in the target database (the same job is running, on this or another machine): this run stopped before loading anything. Wait for that run to end; a killed run's lock goes with its database session.`,
      ExitCode.Busy,
      options,
    );
    this.key = key;
  }
}

/** The process was asked to stop (SIGTERM/SIGINT) and stopped cleanly. */
export class InterruptedError extends SingerError {
  constructor(signal: string) {
    super(`Stopped by ${signal}`, ExitCode.Interrupted);
  }
}

/** The reader of stdout went away (EPIPE): nothing more can be delivered; the reader's own error is the cause. */
export class OutputClosedError extends SingerError {
  constructor(options: SingerErrorOptions = {}) {
    super(
      'stdout was closed by the process reading it (in a pipeline, the target stopped: its error says why); nothing more was written',
      ExitCode.OutputClosed,
      options,
    );
  }
}

export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof SingerError ? error.exitCode : ExitCode.Internal;
}
