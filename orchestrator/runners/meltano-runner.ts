import { spawn } from 'node:child_process';
import {
  ExitCode,
  exitClassOf,
  type FailureReport,
  parseFailureLine,
  parseMetricLine,
  settingEnvVar,
  SUPERVISOR_PID_ENV,
  type MetricPoint,
} from '../../singer/index.js';
import type { PipelineSettings } from '../settings.js';
import { StderrCollector } from '../stderr-collector.js';
import type { AttemptOptions, AttemptOutcome } from './runner.js';

export interface MeltanoAttempt {
  settings: PipelineSettings;
  tapConfig: Record<string, unknown>;
  targetConfig: Record<string, unknown>;
  companyCode: string;
  facilityCode: string;
  full: boolean;
}

/** Meltano reads plugin settings from `<PLUGIN>_<SETTING>` variables; objects and arrays as JSON. */
export function pluginEnv(pluginName: string, config: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(config)) {
    if (value === undefined || value === null) continue;
    env[settingEnvVar(pluginName, name)] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return env;
}

export function meltanoArgs(attempt: MeltanoAttempt): string[] {
  const { settings } = attempt;
  return [
    ...(settings.meltano_environment ? ['--environment', settings.meltano_environment] : []),
    'run',
    // One Meltano state per company and facility.
    '--state-id-suffix',
    `${attempt.companyCode}-${attempt.facilityCode}`.replace(/[^A-Za-z0-9_-]/g, '_'),
    ...(attempt.full ? ['--full-refresh'] : []),
    settings.meltano_extractor,
    settings.meltano_loader,
  ];
}

/**
 * Meltano relays plugin log lines with its own prefix and suffix, e.g.
 * `2026-…Z [info     ] tap-oracle-wms METRIC: {…} metric_name=… metric_value=…` (or `… cmd_type=elb … name=target-oracle`).
 */
export function meltanoMetricOf(line: string): { source: 'tap' | 'target'; point: MetricPoint } | undefined {
  const match = /^(.*?)METRIC: (\{.*\})((?:\s+[A-Za-z_]+=.*)?)$/.exec(line);
  if (!match) return undefined;
  const point = parseMetricLine(`INFO METRIC: ${match[2]}`);
  if (!point) return undefined;
  return { source: relayedBy(match[1], match[3]), point };
}

/** Who wrote a relayed line: the plugin name before its text, or Meltano's key=value suffix (name=…, consumer=True). */
function relayedBy(before: string, suffix: string): 'tap' | 'target' {
  return /target/.test(before) || /consumer=True|name=target/.test(suffix) ? 'target' : 'tap';
}

/** A plugin's failure report (singer/failure.ts) relayed by Meltano, and which plugin wrote it. */
export function meltanoFailureOf(line: string): { source: 'tap' | 'target'; failure: FailureReport } | undefined {
  const failure = parseFailureLine(line);
  if (!failure) return undefined;
  const start = line.indexOf('{"type":"failure"');
  return { source: relayedBy(line.slice(0, start), line.slice(line.lastIndexOf('}') + 1)), failure };
}

/**
 * `meltano run <extractor> <loader>` in the project dir: Meltano keeps the state (per company/facility suffix), the
 * run's company/facility and settings arrive as plugin environment variables.
 */
export async function runMeltanoAttempt(attempt: MeltanoAttempt, options: AttemptOptions): Promise<AttemptOutcome> {
  const { settings } = attempt;
  const env = {
    ...process.env,
    ...pluginEnv(settings.meltano_extractor, attempt.tapConfig),
    ...pluginEnv(settings.meltano_loader, attempt.targetConfig),
    MELTANO_SEND_ANONYMOUS_USAGE_STATS: process.env.MELTANO_SEND_ANONYMOUS_USAGE_STATS ?? 'false',
    MELTANO_CLI_DISABLE_VERSION_CHECK: process.env.MELTANO_CLI_DISABLE_VERSION_CHECK ?? 'true',
    // Meltano passes it on to the plugins: they stop by themselves if this process dies (singer/parent-watch.ts).
    [SUPERVISOR_PID_ENV]: String(process.pid),
  };
  const tap = new StderrCollector();
  const target = new StderrCollector();
  const meltano = new StderrCollector();
  const child = spawn(settings.meltano_bin, meltanoArgs(attempt), {
    cwd: settings.meltano_project_dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid) options.onSpawn(child.pid);
  let spawnError: string | undefined;
  child.on('error', (error) => {
    spawnError = `meltano could not start (${(error as NodeJS.ErrnoException).code ?? error.message})`;
  });
  let partial = '';
  const onData = (chunk: Buffer): void => {
    const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
    partial = lines.pop() ?? '';
    for (const line of lines) {
      options.onLine?.('meltano', line);
      const relayed = meltanoFailureOf(line);
      if (relayed) {
        (relayed.source === 'tap' ? tap : target).failure = relayed.failure;
        continue;
      }
      const metric = meltanoMetricOf(line);
      if (metric) {
        (metric.source === 'tap' ? tap : target).line(`INFO METRIC: ${JSON.stringify(metric.point)}`);
        options.onMetric(metric.source, metric.point);
      } else {
        meltano.line(line);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, options.timeoutMs);
  const onAbort = (): void => {
    child.kill('SIGTERM');
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (c, s) => resolve({ code: c, signal: s })),
  );
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', onAbort);
  const base = { tap, target, timedOut };
  if (spawnError) return { ...base, success: false, exitCode: ExitCode.Config, retriable: false, error: spawnError };
  if (timedOut)
    return {
      ...base,
      success: false,
      exitCode: ExitCode.Internal,
      retriable: false,
      error: `meltano run did not finish within ${Math.round(options.timeoutMs / 1000)} s`,
    };
  const meltanoCode = code ?? (signal ? ExitCode.Interrupted : ExitCode.Internal);
  if (meltanoCode === 0) return { ...base, success: true, exitCode: 0, retriable: false };
  // Meltano itself exits 1 whatever the plugin's code; the plugin's failure report carries its class. The target's
  // is the root cause when both failed (the tap then only saw its output closed).
  const [plugin, failure] = target.failure
    ? [settings.meltano_loader, target.failure]
    : [settings.meltano_extractor, tap.failure];
  if (!failure) {
    const reason = meltano.failureLines(3).join(' | ');
    const error = `meltano run exited with code ${meltanoCode} (${exitClassOf(meltanoCode)})${reason ? `: ${reason}` : ''}`;
    return { ...base, success: false, exitCode: meltanoCode, retriable: false, error };
  }
  const error = `meltano run exited with code ${meltanoCode}: ${plugin} failed with code ${failure.exit_code} (${failure.exit_class}): ${failure.message.replace(/\n\s*/g, ' ')}`;
  return { ...base, success: false, exitCode: failure.exit_code, retriable: failure.retriable, error };
}
