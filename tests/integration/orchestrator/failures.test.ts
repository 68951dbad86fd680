import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ConfigError, ExitCode } from '../../../singer/index.js';
import { createOrchestrator } from '../../../orchestrator/orchestrator.js';
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../helpers/smtp-receiver.js';
import { COMPANY, FACILITY, startPipelineFixture, type PipelineFixture } from './fixture.js';

/** A port nothing listens on (bound then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface WebhookAlert {
  title: string;
  message: string;
  severity: string;
  context: Record<string, string>;
}

describe('orchestrator failure paths (real processes; WMS down, DB down, bad config; real alert receivers)', function () {
  this.timeout(120_000);
  let fx: PipelineFixture;
  let hook: HttpReceiver;
  let smtp: SmtpReceiver;

  before(async function () {
    fx = await startPipelineFixture(this, 'orch_fail', { rows: { order_hdr: 60, order_dtl: 120, allocation: 150 } });
  });
  beforeEach(async () => {
    hook = await startHttpReceiver('/hook');
    smtp = await startSmtpReceiver();
  });
  afterEach(async () => {
    fx.sim.admin.setFaults('');
    await hook.close();
    await smtp.close();
  });
  after(async () => {
    await fx?.close();
  });

  const settings = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
    fx.settings({
      alert_webhook_url: hook.url,
      alert_email_smtp_host: '127.0.0.1',
      alert_email_smtp_port: smtp.port,
      alert_email_to: ['ops@example.test'],
      consistency_check: false,
      state_dir: `${fx.dir}/state-${Math.random().toString(36).slice(2)}`,
      ...extra,
    });

  it('WMS down: a failure result (connection, exit 4), retried with backoff, then a critical alert by webhook and email', async () => {
    const orchestrator = createOrchestrator(
      settings({
        wms_base_url: `http://127.0.0.1:${await closedPort()}/demo`,
        max_retries: 2,
        tap_config: { max_retries: 0, connect_retry_seconds: 0 },
      }),
    );
    try {
      const result = await orchestrator.executeFullSync(COMPANY, FACILITY);
      assert.equal(result.success, false);
      assert.match(result.error ?? '', /connection/i);
      assert.equal(result.data.exitCode, ExitCode.Source);
      assert.equal(result.retriable, true);
      assert.equal(result.data.attempts.length, 3, 'first attempt + 2 retries');
      assert.ok(result.data.errorsCount >= 3);
      const [request] = await hook.waitForRequests(1);
      const alert = request.json as WebhookAlert;
      assert.match(alert.title, /full sync failed: full \(ACME\/DC01\)/);
      assert.equal(alert.severity, 'critical');
      assert.equal(alert.context.alert_type, 'source_failure');
      assert.match(alert.message, /exited with code 4/);
      const [mail] = await smtp.waitForMails(1);
      assert.equal(mail.subject, `[wms-pipeline] [CRITICAL] ${alert.title}`);
      assert.match(mail.body, /connection/i);
    } finally {
      orchestrator.close();
    }
  });

  it('DB down: a failure result from the target (exit 5), retriable, alert database_failure; no password in the alert', async () => {
    const orchestrator = createOrchestrator(settings({ target_port: await closedPort(), max_retries: 1 }));
    try {
      const result = await orchestrator.executeFullSync(COMPANY, FACILITY);
      assert.equal(result.success, false);
      assert.equal(result.data.exitCode, ExitCode.Database);
      assert.match(result.error ?? '', /target-oracle exited with code 5/);
      assert.equal(result.data.attempts.length, 2);
      const alert = (await hook.waitForRequests(1))[0].json as WebhookAlert;
      assert.equal(alert.context.alert_type, 'database_failure');
      assert.ok(!JSON.stringify(alert).includes(fx.pg.password));
    } finally {
      orchestrator.close();
    }
  });

  it('bad config: the tap rejects its config (exit 2); not retried; configuration_error alert', async () => {
    const orchestrator = createOrchestrator(settings({ max_retries: 3, tap_config: { page_size: 99999 } }));
    try {
      const result = await orchestrator.executeIncrementalSync(COMPANY, FACILITY);
      assert.equal(result.success, false);
      assert.equal(result.data.exitCode, ExitCode.Config);
      assert.equal(result.retriable, false);
      assert.equal(result.data.attempts.length, 1, 'config errors are never retried');
      assert.match(result.error ?? '', /page_size/);
      const alert = (await hook.waitForRequests(1))[0].json as WebhookAlert;
      assert.equal(alert.context.alert_type, 'configuration_error');
      assert.equal(alert.severity, 'high');
    } finally {
      orchestrator.close();
    }
  });

  it('bad config: invalid orchestrator settings are a ConfigError listing every problem', () => {
    assert.throws(
      () => createOrchestrator({ runner: 'bogus', max_retries: -1 }),
      (error: unknown) => error instanceof ConfigError && error.problems.length === 2,
    );
  });

  it('refused credentials (401) fail fast: exit 4 but not retried', async () => {
    const orchestrator = createOrchestrator(settings({ wms_password: 'wrong', max_retries: 3 }));
    try {
      const result = await orchestrator.executeFullSync(COMPANY, FACILITY);
      assert.equal(result.data.exitCode, ExitCode.Source);
      assert.equal(result.retriable, false);
      assert.equal(result.data.attempts.length, 1);
      assert.match(result.error ?? '', /401|authentication/i);
      assert.ok(!(result.error ?? '').includes('wrong'), 'the password is scrubbed');
    } finally {
      orchestrator.close();
    }
  });

  it('a transient WMS failure is retried by the orchestrator and the run then succeeds (simulator fault: 503 on the 1st request)', async () => {
    fx.sim.admin.setFaults('503@1');
    const orchestrator = createOrchestrator(
      settings({ max_retries: 2, tap_config: { max_retries: 0, connect_retry_seconds: 0 } }),
    );
    try {
      const result = await orchestrator.executeFullSync(COMPANY, FACILITY);
      assert.equal(result.success, true, result.error);
      assert.equal(result.data.attempts.length, 2);
      assert.equal(result.data.attempts[0].exitCode, ExitCode.Source);
      assert.equal(result.data.recordsByStream.order_hdr.rows, await fx.wmsCount('order_hdr'));
    } finally {
      orchestrator.close();
    }
  });

  it('the consecutive-failure threshold holds the alert back until the Nth failure, then a success sends a recovery alert', async () => {
    const down = settings({
      wms_base_url: `http://127.0.0.1:${await closedPort()}/demo`,
      alert_failure_threshold: 2,
      alert_email_smtp_host: undefined,
      tap_config: { max_retries: 0, connect_retry_seconds: 0 },
    });
    const failing = createOrchestrator(down);
    const first = await failing.executeFullSync(COMPANY, FACILITY);
    assert.deepEqual(
      first.data.alerts.map((a) => a.status),
      ['suppressed (threshold)'],
    );
    const second = await failing.executeFullSync(COMPANY, FACILITY);
    assert.deepEqual(
      second.data.alerts.map((a) => a.status),
      ['sent'],
    );
    const third = await failing.executeFullSync(COMPANY, FACILITY);
    assert.deepEqual(
      third.data.alerts.map((a) => a.status),
      ['suppressed (cooldown)'],
      'same alert within the cooldown',
    );
    failing.close();
    // Same state_dir (alert history), WMS back: the success resets the count and says so.
    const healthy = createOrchestrator({ ...down, wms_base_url: fx.sim.baseUrl });
    const ok = await healthy.executeFullSync(COMPANY, FACILITY);
    healthy.close();
    assert.equal(ok.success, true, ok.error);
    const alerts = (await hook.waitForRequests(2)).map((r) => r.json as WebhookAlert);
    assert.equal(alerts.length, 2);
    assert.match(alerts[1].title, /recovered/);
    assert.equal(alerts[1].severity, 'info');
  });

  it('threshold breaches (duration, memory) send their own alerts on a successful run', async () => {
    const orchestrator = createOrchestrator(
      settings({ max_duration_seconds: 0.001, max_memory_mb: 1, alert_email_smtp_host: undefined }),
    );
    try {
      const result = await orchestrator.executeFullSync(COMPANY, FACILITY);
      assert.equal(result.success, true, result.error);
      const alerts = (await hook.waitForRequests(2)).map((r) => r.json as WebhookAlert);
      assert.deepEqual(alerts.map((a) => a.context.threshold).sort(), ['max_duration_seconds', 'max_memory_mb']);
      assert.ok(alerts.every((a) => a.context.alert_type === 'threshold_breach'));
      const memory = alerts.find((a) => a.context.threshold === 'max_memory_mb')!;
      assert.match(
        memory.message,
        /Peak resident memory of the pipeline processes was [\d.]+ MB, over the 1 MB threshold/,
      );
    } finally {
      orchestrator.close();
    }
  });

  it('runJob reports an unknown job as a config failure result, and runs a configured job with its own company/facility', async () => {
    const orchestrator = createOrchestrator(
      settings({
        jobs: [
          { name: 'dc02-orders', mode: 'full', company_code: 'BETA', facility_code: 'DC02', entities: ['order_hdr'] },
        ],
      }),
    );
    try {
      const unknown = await orchestrator.runJob('nope');
      assert.equal(unknown.success, false);
      assert.equal(unknown.data.exitCode, ExitCode.Config);
      assert.match(unknown.error ?? '', /unknown job 'nope' \(jobs: dc02-orders\)/);
      assert.deepEqual(orchestrator.listJobs(), [
        {
          name: 'dc02-orders',
          mode: 'full',
          companyCode: 'BETA',
          facilityCode: 'DC02',
          schedule: undefined,
          running: false,
        },
      ]);
      const result = await orchestrator.runJob('dc02-orders');
      assert.equal(result.success, true, result.error);
      assert.deepEqual(Object.keys(result.data.recordsByStream), ['order_hdr']);
      const rows = await fx.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${fx.schema.schema}".order_hdr WHERE facility_key = 'DC02' AND company_key = 'BETA'`,
      );
      assert.equal(Number(rows[0].n), result.data.recordsProcessed);
      assert.ok(result.data.recordsProcessed > 0);
    } finally {
      orchestrator.close();
    }
  });
});
