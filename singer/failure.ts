import { ExitCode, SingerError } from './errors.js';

/**
 * How an executable tells its supervisor (wms-pipeline, a scheduler, a test) why it failed, as data: its last
 * CRITICAL line on stderr is `CRITICAL {"type":"failure",…}` (docs/singer-api.md, "Failure line"). The supervisor reads
 * the class and whether a retry may pass from it instead of matching words in the human lines above it.
 */
export interface FailureReport {
  type: 'failure';
  /** The process's exit code and its documented class (README, "Exit codes"). */
  exit_code: number;
  exit_class: ExitClass;
  /** Whether the same run may pass later unchanged (the source or database was unavailable), as the error says. */
  retriable: boolean;
  /** The error's message, secrets scrubbed, never a record's values; may span lines (a config's problems). */
  message: string;
}

export type ExitClass =
  | 'ok'
  | 'internal'
  | 'config'
  | 'protocol'
  | 'source'
  | 'database'
  | 'busy'
  | 'interrupted'
  | 'output_closed'
  | 'unknown';

const CLASSES: Record<number, ExitClass> = {
  [ExitCode.Ok]: 'ok',
  [ExitCode.Internal]: 'internal',
  [ExitCode.Config]: 'config',
  [ExitCode.Protocol]: 'protocol',
  [ExitCode.Source]: 'source',
  [ExitCode.Database]: 'database',
  [ExitCode.Busy]: 'busy',
  [ExitCode.Interrupted]: 'interrupted',
  [ExitCode.OutputClosed]: 'output_closed',
};

export function exitClassOf(code: number): ExitClass {
  return CLASSES[code] ?? 'unknown';
}

/** The report of an error that ended a process with `code`. */
export function failureReport(error: unknown, code: ExitCode): FailureReport {
  return {
    type: 'failure',
    exit_code: code,
    exit_class: exitClassOf(code),
    retriable: error instanceof SingerError && error.retriable,
    message: error instanceof Error ? error.message : String(error),
  };
}

const MARKER = '{"type":"failure"';

/**
 * The report in one stderr line, whatever carries it: the plain `CRITICAL {…}`, the SDK's structured JSON record
 * (the report is its message), or Meltano's relay of either (a prefix, then `key=value` pairs after it).
 */
export function parseFailureLine(line: string): FailureReport | undefined {
  if (line.startsWith('{') && !line.startsWith(MARKER)) {
    try {
      const record = JSON.parse(line) as { message?: unknown };
      return typeof record.message === 'string' ? parseFailureLine(record.message) : undefined;
    } catch {
      // Not a structured record: look for the marker below.
    }
  }
  const start = line.indexOf(MARKER);
  if (start === -1) return undefined;
  // The report ends at one of the closing braces after it; Meltano's suffix holds none that would parse.
  for (let end = line.lastIndexOf('}'); end > start; end = line.lastIndexOf('}', end - 1)) {
    try {
      const value = JSON.parse(line.slice(start, end + 1)) as Partial<FailureReport>;
      if (
        value.type === 'failure' &&
        typeof value.exit_code === 'number' &&
        typeof value.retriable === 'boolean' &&
        typeof value.message === 'string'
      )
        return { ...value, exit_class: exitClassOf(value.exit_code) } as FailureReport;
    } catch {
      // A brace inside the suffix: try the previous one.
    }
  }
  return undefined;
}
