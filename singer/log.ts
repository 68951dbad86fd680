import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { SecretScrubber } from './redact.js';
import { envPrefix } from './settings-schema.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error' | 'critical';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40, critical: 50 };

export interface MetricPoint {
  type: 'counter' | 'timer';
  metric: string;
  value: number;
  tags: Record<string, unknown>;
}

export interface Logger {
  readonly level: LogLevel;
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warning(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
  critical(message: string, extra?: Record<string, unknown>): void;
  /** A Singer METRIC line: `INFO METRIC: {json}` (or the SDK's structured form). */
  metric(point: MetricPoint): void;
  /** Registers more secret values to scrub from every line (e.g. once config is loaded, or a fresh OAuth token). */
  addSecrets(secrets: readonly string[]): void;
}

export interface LoggerOptions {
  name: string;
  env?: NodeJS.ProcessEnv;
  out?: Writable;
  secrets?: readonly string[];
}

/**
 * Logs to stderr only (stdout belongs to Singer messages). The level comes from `<PLUGIN>_LOGLEVEL` or
 * `LOGLEVEL`. When Meltano's logging config (`SINGER_SDK_LOG_CONFIG`) selects the SDK's StructuredFormatter, every
 * line is the SDK's JSON log record so Meltano can parse it.
 */
export function createLogger(options: LoggerOptions): Logger {
  const env = options.env ?? process.env;
  const out = options.out ?? process.stderr;
  const level = parseLevel(env[`${envPrefix(options.name)}_LOGLEVEL`] ?? env.LOGLEVEL);
  const structured = wantsStructuredLogs(env.SINGER_SDK_LOG_CONFIG);
  const secrets = [...(options.secrets ?? [])];
  let scrubber = new SecretScrubber(secrets);

  const emit = (lineLevel: LogLevel, message: string, extra?: Record<string, unknown>, metric?: MetricPoint): void => {
    if (LEVEL_RANK[lineLevel] < LEVEL_RANK[level]) return;
    let line: string;
    if (structured) {
      line = JSON.stringify({
        level: lineLevel,
        pid: process.pid,
        logger_name: metric ? `${options.name}.metrics` : options.name,
        ts: Date.now() / 1000,
        thread_name: 'MainThread',
        app_name: options.name,
        stream_name: typeof extra?.stream === 'string' ? extra.stream : null,
        message,
        extra: extra ?? {},
        ...(metric ? { metric_info: metric } : {}),
      });
    } else {
      line = `${lineLevel.toUpperCase()} ${message}${extra && Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : ''}`;
    }
    out.write(`${scrubber.scrub(line)}\n`);
  };

  return {
    level,
    debug: (message, extra) => emit('debug', message, extra),
    info: (message, extra) => emit('info', message, extra),
    warning: (message, extra) => emit('warning', message, extra),
    error: (message, extra) => emit('error', message, extra),
    critical: (message, extra) => emit('critical', message, extra),
    metric: (point) => emit('info', `METRIC: ${JSON.stringify(point)}`, undefined, point),
    addSecrets: (more) => {
      const fresh = more.filter((secret) => secret.length > 0 && !secrets.includes(secret));
      if (fresh.length === 0) return;
      secrets.push(...fresh);
      scrubber = new SecretScrubber(secrets);
    },
  };
}

function parseLevel(value: string | undefined): LogLevel {
  const normalized = value?.trim().toLowerCase();
  if (normalized === 'warn') return 'warning';
  if (normalized === 'fatal') return 'critical';
  return normalized !== undefined && normalized in LEVEL_RANK ? (normalized as LogLevel) : 'info';
}

function wantsStructuredLogs(configFile: string | undefined): boolean {
  if (!configFile) return false;
  try {
    return readFileSync(configFile, 'utf8').includes('StructuredFormatter');
  } catch {
    return false;
  }
}

/** Parses a Singer METRIC line (plain or structured), as the orchestrator and tests read them from stderr. */
export function parseMetricLine(line: string): MetricPoint | undefined {
  const plain = /^INFO METRIC: (.*)$/.exec(line);
  try {
    if (plain) return JSON.parse(plain[1]) as MetricPoint;
    if (line.startsWith('{') && line.includes('"metric_info"'))
      return (JSON.parse(line) as { metric_info: MetricPoint }).metric_info;
  } catch {
    return undefined;
  }
  return undefined;
}
