import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { MELTANO_NO_TRACKING_ENV, requireMeltano } from '../../helpers/meltano.js';
import { runBin, startBin } from '../../helpers/run-bin.js';
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.js';
import { COMPANY, FACILITY, startPipelineFixture, type PipelineFixture } from './fixture.js';
import { parsePrometheusText } from './prometheus-text.js';

describe('wms-pipeline CLI (real bin/wms-pipeline.js child processes, simulator, PostgreSQL, HTTP)', function () {
  this.timeout(120_000);
  let fx: PipelineFixture;
  let hook: HttpReceiver;
  let configFile: string;

  before(async function () {
    fx = await startPipelineFixture(this, 'orch_cli', { rows: { order_hdr: 80, order_dtl: 150, allocation: 200 } });
    hook = await startHttpReceiver('/hook');
    configFile = path.join(fx.dir, 'config.json');
    await writeFile(configFile, JSON.stringify(fx.settings({ alert_webhook_url: hook.url })), { mode: 0o600 });
  });
  after(async () => {
    await hook?.close();
    await fx?.close();
  });

  it('full prints a clean summary (rows read and committed, rows/s, duration per stream) and exits 0', async () => {
    const result = await runBin('wms-pipeline', [
      'full',
      '--company',
      COMPANY,
      '--facility',
      FACILITY,
      '--config',
      configFile,
    ]);
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /^wms-pipeline full sync 'full' for ACME\/DC01: succeeded in [\d.]+ s\n/);
    assert.match(out, /^ {2}stream +read +committed +rows\/s +duration$/m);
    for (const stream of ['order_hdr', 'order_dtl', 'allocation']) {
      const rows = (await fx.wmsCount(stream)).toLocaleString('en-US');
      assert.match(out, new RegExp(`^  ${stream} +${rows} +${rows} +[\\d,.]+ +[\\d.]+ s$`, 'm'));
    }
    assert.match(out, /^ {2}total +[\d,]+ /m);
    assert.match(out, /consistency: OK \(3 streams, \d+ sampled rows compared\)/);
    assert.doesNotMatch(result.stderr, /CRITICAL|ERROR/);
    assert.ok(!result.stdout.includes(fx.pg.password) && !result.stderr.includes(fx.pg.password));
  });

  it('incremental with ENV config (WMS_PIPELINE_*) and --json prints the result object', async () => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(fx.settings()))
      env[`WMS_PIPELINE_${key.toUpperCase()}`] = typeof value === 'string' ? value : JSON.stringify(value);
    const result = await runBin(
      'wms-pipeline',
      ['incremental', '--company', COMPANY, '--facility', FACILITY, '--config', 'ENV', '--json'],
      { env },
    );
    assert.equal(result.exitCode, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as { success: boolean; data: { mode: string; stateFile: string } };
    assert.equal(parsed.success, true);
    assert.equal(parsed.data.mode, 'incremental');
    assert.match(parsed.data.stateFile, /ACME\/DC01\/incremental\.json$/);
  });

  it('a failed run prints FAILED with the reason and exits with the failure class (4: source)', async () => {
    const bad = path.join(fx.dir, 'bad-wms.json');
    await writeFile(
      bad,
      JSON.stringify({
        wms_base_url: 'http://127.0.0.1:9/demo',
        tap_config: { max_retries: 0, connect_retry_seconds: 0 },
      }),
    );
    const result = await runBin('wms-pipeline', [
      'full',
      '--company',
      COMPANY,
      '--facility',
      FACILITY,
      '--config',
      configFile,
      '--config',
      bad,
    ]);
    assert.equal(result.exitCode, 4, result.stderr);
    assert.match(result.stdout, /: FAILED in /);
    assert.match(result.stdout, /error: tap-oracle-wms exited with code 4 \(source\)/);
  });

  it('invalid settings exit 2 with every problem named', async () => {
    const bad = path.join(fx.dir, 'bad-settings.json');
    await writeFile(bad, JSON.stringify({ runner: 'airflow', serve_port: 'x' }));
    const result = await runBin('wms-pipeline', ['jobs', '--config', bad]);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /runner/);
    assert.match(result.stderr, /serve_port/);
  });

  it('health reports each check (WMS reachable, auth, database, dirs) and exits 0 when all pass', async () => {
    const result = await runBin('wms-pipeline', ['health', '--config', configFile]);
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^wms-pipeline health: all checks passed$/m);
    for (const name of ['wms_reachable', 'wms_auth', 'database', 'state_dir', 'report_dir'])
      assert.match(result.stdout, new RegExp(`^  ok +${name} `, 'm'));
    assert.match(result.stdout, /wms_auth +authenticated \(basic\); \d+ entities visible/);
  });

  it('health names the failing check: wrong WMS password → wms_auth FAIL (exit 4); DB down → database FAIL (exit 5)', async () => {
    const badAuth = path.join(fx.dir, 'bad-auth.json');
    await writeFile(badAuth, JSON.stringify({ wms_password: 'not-the-password' }));
    const auth = await runBin('wms-pipeline', ['health', '--config', configFile, '--config', badAuth, '--json']);
    assert.equal(auth.exitCode, 4);
    const report = JSON.parse(auth.stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    assert.equal(byName.wms_reachable.ok, true);
    assert.equal(byName.wms_auth.ok, false);
    assert.match(byName.wms_auth.detail, /401/);
    assert.ok(!auth.stdout.includes('not-the-password'));
    assert.equal(byName.database.ok, true);

    const badDb = path.join(fx.dir, 'bad-db.json');
    await writeFile(badDb, JSON.stringify({ target_port: 9 }));
    const db = await runBin('wms-pipeline', ['health', '--config', configFile, '--config', badDb]);
    assert.equal(db.exitCode, 5);
    assert.match(db.stdout, /^ {2}FAIL +database +.*ECONNREFUSED/m);
    assert.match(db.stdout, /1 of 5 checks failed/);
  });

  it('health with runner=meltano checks that meltano_bin starts: absent or failing → FAIL meltano (exit 2)', async () => {
    const health = async (meltanoBinPath: string) => {
      const file = path.join(fx.dir, `health-meltano-${path.basename(meltanoBinPath)}.json`);
      await writeFile(file, JSON.stringify({ runner: 'meltano', meltano_bin: meltanoBinPath }));
      const result = await runBin('wms-pipeline', ['health', '--config', configFile, '--config', file, '--json']);
      const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
      return { exitCode: result.exitCode, byName: Object.fromEntries(report.checks.map((c) => [c.name, c])) };
    };
    const absent = await health(path.join(fx.dir, 'no-such-meltano'));
    assert.equal(absent.exitCode, 2);
    assert.equal(absent.byName.meltano.ok, false);
    assert.equal(absent.byName.meltano.detail, 'meltano cannot start (ENOENT)');
    assert.equal(absent.byName.database.ok, true);

    const failing = path.join(fx.dir, 'failing-meltano');
    await writeFile(failing, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const exited = await health(failing);
    assert.equal(exited.exitCode, 2);
    assert.equal(exited.byName.meltano.detail, 'meltano --version exited with 3');
  });

  it('health with runner=meltano and the real Meltano reports its version (exit 0)', async function () {
    const bin = requireMeltano(this);
    const file = path.join(fx.dir, 'health-meltano-real.json');
    await writeFile(file, JSON.stringify({ runner: 'meltano', meltano_bin: bin }));
    const result = await runBin('wms-pipeline', ['health', '--config', configFile, '--config', file], {
      env: { ...MELTANO_NO_TRACKING_ENV },
    });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^ {2}ok +meltano +meltano, version \d+\.\d+\.\d+ /m);
  });

  it('health names the WMS URL of an unreachable host or a wrong environment segment, and what to check (exit 4)', async () => {
    const health = async (settings: Record<string, unknown>) => {
      const file = path.join(fx.dir, `health-${Object.keys(settings).join('-')}-${Date.now()}.json`);
      await writeFile(file, JSON.stringify(settings));
      const result = await runBin('wms-pipeline', ['health', '--config', configFile, '--config', file, '--json']);
      const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
      return { exitCode: result.exitCode, byName: Object.fromEntries(report.checks.map((c) => [c.name, c])) };
    };
    const closed = await health({ wms_base_url: 'http://127.0.0.1:9/demo' });
    assert.equal(closed.exitCode, 4);
    assert.equal(closed.byName.wms_reachable.ok, false);
    assert.match(
      closed.byName.wms_reachable.detail,
      /^cannot reach the WMS at http:\/\/127\.0\.0\.1:9: nothing accepts connections there \(ECONNREFUSED\): check the host and port/,
    );

    const origin = new URL(fx.sim.baseUrl).origin;
    const wrongEnv = await health({ wms_base_url: `${origin}/demo_test` });
    assert.equal(wrongEnv.exitCode, 4);
    assert.equal(wrongEnv.byName.wms_reachable.ok, true);
    assert.equal(wrongEnv.byName.wms_auth.ok, false);
    assert.match(
      wrongEnv.byName.wms_auth.detail,
      new RegExp(`GET ${origin}/demo_test/wms/lgfapi/v10/entity/ answered HTTP 404.*environment segment`),
    );
  });

  it('serve on a port already in use: exit 2 naming serve_port, no run started', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      const file = path.join(fx.dir, 'serve-taken.json');
      await writeFile(file, JSON.stringify({ ...fx.settings(), serve_port: port }));
      const result = await runBin('wms-pipeline', ['serve', '--config', file]);
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `^CRITICAL Invalid configuration: 'serve_port' ${port} on 127\\.0\\.0\\.1 cannot be used \\(already in use`,
          'm',
        ),
      );
      assert.doesNotMatch(result.stdout, /serving on/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('serve runs a job every 2 s, one at a time, and exposes /metrics (strict Prometheus text) and /health', async () => {
    const metricsFile = path.join(fx.dir, 'wms_pipeline.prom');
    const serveConfig = path.join(fx.dir, 'serve.json');
    await writeFile(
      serveConfig,
      JSON.stringify({
        ...fx.settings(),
        serve_port: 0,
        metrics_file: metricsFile,
        state_dir: path.join(fx.dir, 'serve-state'),
        jobs: [
          {
            name: 'orders-every-2s',
            mode: 'incremental',
            company_code: COMPANY,
            facility_code: FACILITY,
            schedule: '*/2 * * * * *',
            entities: ['order_hdr'],
          },
        ],
      }),
    );
    const service = startBin('wms-pipeline', ['serve', '--config', serveConfig], { timeoutMs: 90_000 });
    try {
      const line = await service.waitForLine('stdout', /serving on http:\/\/127\.0\.0\.1:\d+/);
      const base = /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0];
      let metrics = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
      const deadline = Date.now() + 30_000;
      while (
        (metrics.value('wms_pipeline_runs_total', { job: 'orders-every-2s', mode: 'incremental', status: 'success' }) ??
          0) < 1
      ) {
        if (Date.now() > deadline) throw new Error('no successful scheduled run within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 300));
        metrics = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
      }
      assert.equal(metrics.types.get('wms_pipeline_runs_total'), 'counter');
      assert.equal(metrics.types.get('wms_pipeline_last_success_timestamp_seconds'), 'gauge');
      const lastSuccess = metrics.value('wms_pipeline_last_success_timestamp_seconds', { job: 'orders-every-2s' })!;
      assert.ok(Math.abs(lastSuccess - Date.now() / 1000) < 60, `last success ${lastSuccess}`);
      assert.ok(
        metrics.value('wms_pipeline_stream_last_success_timestamp_seconds', {
          job: 'orders-every-2s',
          stream: 'order_hdr',
        })! > 0,
      );
      assert.notEqual(
        metrics.value('wms_pipeline_rows_total', { job: 'orders-every-2s', stream: 'order_hdr' }),
        undefined,
      );
      assert.ok(metrics.value('wms_pipeline_run_duration_seconds_count', { job: 'orders-every-2s' })! >= 1);

      const health = await fetch(`${base}/health`);
      assert.equal(health.status, 200);
      const body = (await health.json()) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
      assert.equal(body.ok, true);
      const names = body.checks.map((c) => c.name);
      for (const name of ['scheduler', 'job:orders-every-2s', 'wms_reachable', 'wms_auth', 'database'])
        assert.ok(names.includes(name), name);
      assert.match(body.checks.find((c) => c.name === 'job:orders-every-2s')!.detail, /last run succeeded|running now/);
      assert.equal((await fetch(`${base}/nope`)).status, 404);

      // The textfile-collector file holds the same metrics and parses too.
      const fileMetrics = parsePrometheusText(await readFile(metricsFile, 'utf8'));
      assert.ok(
        (fileMetrics.value('wms_pipeline_runs_total', {
          job: 'orders-every-2s',
          mode: 'incremental',
          status: 'success',
        }) ?? 0) >= 1,
      );
    } finally {
      const stopped = await service.stop('SIGTERM');
      assert.equal(stopped.exitCode, 130, stopped.stderr.slice(-2000));
    }
  });
});
