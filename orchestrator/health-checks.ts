import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { scrubSecrets } from '../singer/index.js';
import { openIntrospector } from '../target-oracle/index.js';
import type { ClientHandle } from '../tap-oracle-wms/index.js';
import { openWmsProbe } from './consistency/wms-probe.js';
import { runMeltanoCommand } from './meltano-command.js';
import { effectiveTapConfig, tapConfigFor, targetConfigFor, type RunRequest } from './plugin-configs.js';
import { pipelineSecrets } from './pipeline-secrets.js';
import type { PipelineSettings } from './settings.js';

export interface HealthCheck {
  name: string;
  ok: boolean;
  detail: string;
  durationMs: number;
}

export interface HealthReport {
  ok: boolean;
  checkedAt: string;
  checks: HealthCheck[];
}

async function timed(name: string, secrets: readonly string[], check: () => Promise<string>): Promise<HealthCheck> {
  const started = Date.now();
  try {
    const detail = await check();
    return { name, ok: true, detail: scrubSecrets(detail, secrets), durationMs: Date.now() - started };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: scrubSecrets((error as Error).message ?? String(error), secrets),
      durationMs: Date.now() - started,
    };
  }
}

async function writable(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const probe = path.join(dir, `.health-${process.pid}`);
  await writeFile(probe, 'ok');
  await rm(probe, { force: true });
  return `${path.resolve(dir)} is writable`;
}

async function meltanoVersion(bin: string, cwd: string): Promise<string> {
  const result = await runMeltanoCommand(bin, ['--version'], cwd).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`meltano cannot start (${error.code ?? error.message})`);
  });
  if (result.code !== 0) throw new Error(`meltano --version exited with ${result.code}`);
  return result.stdout.trim();
}

/**
 * What `wms-pipeline health` checks, each reported on its own: WMS reachable (any HTTP answer), WMS auth (the entity
 * list with the configured credentials), the database connects (SELECT 1), the state and report dirs are writable,
 * and with runner=meltano that meltano runs.
 */
export async function runHealthChecks(settings: PipelineSettings): Promise<HealthReport> {
  const secrets = pipelineSecrets(settings);
  const request: RunRequest = {
    job: 'health',
    mode: 'incremental',
    companyCode: settings.company_code,
    facilityCode: settings.facility_code,
    maxRetries: 0,
    runTimeoutSeconds: settings.http_timeout_seconds,
  };
  const checks: HealthCheck[] = [];
  let probe: ClientHandle | undefined;
  const tapConfig = tapConfigFor(settings, request);
  try {
    probe = openWmsProbe(effectiveTapConfig(tapConfig), settings.http_timeout_seconds);
  } catch (error) {
    const detail = scrubSecrets(`WMS source not configured: ${(error as Error).message}`, secrets);
    checks.push(
      { name: 'wms_reachable', ok: false, detail, durationMs: 0 },
      { name: 'wms_auth', ok: false, detail, durationMs: 0 },
    );
  }
  if (probe) {
    const { client } = probe;
    const baseUrl = String(tapConfig.base_url);
    const reach = await timed(
      'wms_reachable',
      secrets,
      async () => `${baseUrl} answered HTTP ${await client.reachable()}`,
    );
    checks.push(reach);
    checks.push(
      reach.ok
        ? await timed(
            'wms_auth',
            secrets,
            async () =>
              `authenticated (${typeof tapConfig.auth_method === 'string' ? tapConfig.auth_method : 'basic'}); ${(await client.entities()).length} entities visible`,
          )
        : { name: 'wms_auth', ok: false, detail: 'skipped: WMS not reachable', durationMs: 0 },
    );
    probe.close();
  }
  checks.push(
    await timed('database', secrets, async () => {
      const db = await openIntrospector({
        ...targetConfigFor(settings, request),
        connect_timeout_seconds: Math.ceil(settings.http_timeout_seconds),
      });
      try {
        await db.ping();
      } finally {
        await db.close();
      }
      return `connected to ${db.location}`;
    }),
  );
  checks.push(await timed('state_dir', secrets, () => writable(settings.state_dir)));
  checks.push(await timed('report_dir', secrets, () => writable(settings.report_dir)));
  if (settings.runner === 'meltano')
    checks.push(
      await timed('meltano', secrets, () => meltanoVersion(settings.meltano_bin, settings.meltano_project_dir)),
    );
  return { ok: checks.every((check) => check.ok), checkedAt: new Date().toISOString(), checks };
}

export function renderHealth(report: HealthReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = report.checks.map(
    (check) => `  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(width)}  ${check.detail} (${check.durationMs} ms)`,
  );
  return `wms-pipeline health: ${report.ok ? 'all checks passed' : `${report.checks.filter((c) => !c.ok).length} of ${report.checks.length} checks failed`}\n${lines.join('\n')}\n`;
}
