import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runBin, startBin } from '../../helpers/run-bin.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../helpers/smtp-receiver.js';
import { COMPANY, FACILITY, startPipelineFixture, type PipelineFixture } from './fixture.js';
import { parsePrometheusText } from './prometheus-text.js';

/**
 * Issue 19 item 6: stopping `wms-pipeline serve` (SIGTERM, as systemd or Kubernetes do) while a scheduled run is
 * reading is a stop, not a failure: the run is recorded as interrupted and no failure alert goes out.
 */
describe('wms-pipeline serve stopped by SIGTERM during a run (real binary, simulator, PostgreSQL, SMTP)', function () {
  this.timeout(120_000);
  let fx: PipelineFixture;
  let smtp: SmtpReceiver;

  before(async function () {
    // Every WMS answer takes 300 ms and the job reads 60 rows 5 at a time: a run is certainly still reading when the
    // SIGTERM arrives (the tap stops after the page in flight).
    fx = await startPipelineFixture(this, 'orch_sigterm', { rows: { order_hdr: 60 }, latencyMs: 300 });
    smtp = await startSmtpReceiver();
  });
  after(async () => {
    await smtp?.close();
    await fx?.close();
  });

  const settings = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
    fx.settings({
      serve_port: 0,
      metrics_file: path.join(fx.dir, 'wms_pipeline.prom'),
      alert_email_smtp_host: '127.0.0.1',
      alert_email_smtp_port: smtp.port,
      alert_email_smtp_secure: false,
      alert_email_smtp_require_tls: false,
      alert_email_to: ['ops@example.test'],
      alert_failure_threshold: 1,
      jobs: [
        {
          name: 'orders',
          mode: 'incremental',
          company_code: COMPANY,
          facility_code: FACILITY,
          schedule: '* * * * * *',
          entities: ['order_hdr'],
          tap_config: { page_size: 5, start_date: '2000-01-01T00:00:00Z' },
        },
      ],
      ...extra,
    });

  it('records the run as interrupted (report, metrics, log), sends no failure alert, exits 130', async () => {
    const configFile = path.join(fx.dir, 'serve.json');
    await writeFile(configFile, JSON.stringify(settings()), { mode: 0o600 });
    const service = startBin('wms-pipeline', ['serve', '--config', configFile], {
      env: { WMS_PIPELINE_LOGLEVEL: 'debug' },
      timeoutMs: 90_000,
    });
    // The tap has started reading the window: the run is in progress.
    await service.waitForLine('stderr', /\[tap\].*order_hdr: incremental from/, 60_000);
    const stopped = await service.stop('SIGTERM');
    assert.equal(stopped.exitCode, 130, stopped.stderr.slice(-3000));
    assert.match(stopped.stderr, /Job 'orders': interrupted by SIGTERM/);
    assert.doesNotMatch(stopped.stderr, /Job 'orders': failed/);

    const reports = (await readdir(path.join(fx.dir, 'reports'))).filter((f) => f.endsWith('.json'));
    assert.equal(reports.length, 1, reports.join(', '));
    const report = JSON.parse(await readFile(path.join(fx.dir, 'reports', reports[0]), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(report.status, 'interrupted');
    assert.equal(report.success, false);
    assert.deepEqual(report.alerts, []);

    const metrics = parsePrometheusText(await readFile(path.join(fx.dir, 'wms_pipeline.prom'), 'utf8'));
    assert.equal(
      metrics.value('wms_pipeline_runs_total', { job: 'orders', mode: 'incremental', status: 'interrupted' }),
      1,
    );
    assert.equal(
      metrics.value('wms_pipeline_runs_total', { job: 'orders', mode: 'incremental', status: 'failure' }),
      undefined,
    );
    assert.equal(metrics.value('wms_pipeline_run_failures_total', { job: 'orders', exit_code: '130' }), undefined);
    // Every alert of the run was sent before the process exited: none arrived.
    assert.equal(smtp.mails.length, 0, smtp.mails.map((m) => m.subject).join('; '));

    // The same alert settings do send a failure alert for a run that really fails (wrong WMS password).
    const failing = path.join(fx.dir, 'failing.json');
    await writeFile(failing, JSON.stringify(settings({ wms_password: 'wrong' })), { mode: 0o600 });
    const failed = await runBin('wms-pipeline', ['run', 'orders', '--config', failing]);
    assert.equal(failed.exitCode, 4, failed.stderr.slice(-2000));
    const [mail] = await smtp.waitForMails(1);
    assert.match(mail.subject ?? '', /wms-pipeline incremental sync failed: orders/);
  });
});
