import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAlertManager } from '../../../orchestrator/alerts/create-alert-manager.js';
import { SLACK_COLORS } from '../../../orchestrator/alerts/slack-channel.js';
import { resolvePipelineSettings, type PipelineSettings } from '../../../orchestrator/settings.js';
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../helpers/smtp-receiver.js';

describe('orchestrator alert delivery (real SMTP server and HTTP receivers on 127.0.0.1)', () => {
  let smtp: SmtpReceiver;
  let slack: HttpReceiver;
  let webhook: HttpReceiver;
  let dir: string;

  beforeEach(async () => {
    smtp = await startSmtpReceiver({ auth: { user: 'demo', password: 'demo-smtp-pw' } });
    slack = await startHttpReceiver('/services/T000/B000/XXXX');
    webhook = await startHttpReceiver('/alerts');
    dir = await mkdtemp(path.join(tmpdir(), 'alerts-'));
  });
  afterEach(async () => {
    await Promise.all([smtp.close(), slack.close(), webhook.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  function settings(extra: Record<string, unknown> = {}): PipelineSettings {
    return resolvePipelineSettings({
      wms_password: 'demo-wms-pw',
      alert_email_smtp_host: '127.0.0.1',
      alert_email_smtp_port: smtp.port,
      alert_email_smtp_user: 'demo',
      alert_email_smtp_password: 'demo-smtp-pw',
      alert_email_from: 'pipeline@example.test',
      alert_email_to: ['ops@example.test', 'oncall@example.test'],
      alert_slack_webhook_url: slack.url,
      alert_webhook_url: webhook.url,
      alert_webhook_headers: { Authorization: 'Bearer demo-hook-token' },
      alert_retry_delay_seconds: 0.01,
      state_dir: dir,
      ...extra,
    });
  }

  it('delivers one alert by email (authenticated SMTP), Slack and webhook, each reporting its own result', async () => {
    const alerts = createAlertManager(settings());
    try {
      const result = await alerts.sendAlert({
        title: 'Integration Test Alert',
        message: 'This is an integration test alert',
        severity: 'info',
        context: { test_id: 'INTEGRATION_001' },
      });
      assert.equal(result.success, true, JSON.stringify(result));
      assert.deepEqual(result.deliveries.map((d) => [d.channel, d.success, d.attempts]).sort(), [
        ['email', true, 1],
        ['slack', true, 1],
        ['webhook', true, 1],
      ]);

      const [mail] = await smtp.waitForMails(1);
      assert.equal(mail.subject, '[wms-pipeline] [INFO] Integration Test Alert');
      assert.match(mail.body, /^This is an integration test alert\n/);
      assert.match(mail.body, /test_id: INTEGRATION_001/);
      assert.deepEqual(mail.to, ['ops@example.test', 'oncall@example.test']);
      assert.equal(mail.from, 'pipeline@example.test');
      assert.equal(mail.user, 'demo');

      const [slackRequest] = await slack.waitForRequests(1);
      const slackBody = slackRequest.json as {
        text: string;
        attachments: { color: string; title: string; text: string; fields: { title: string; value: string }[] }[];
      };
      assert.equal(slackRequest.path, '/services/T000/B000/XXXX');
      assert.equal(slackBody.text, '[INFO] Integration Test Alert');
      assert.equal(slackBody.attachments[0].color, SLACK_COLORS.info);
      assert.equal(slackBody.attachments[0].text, 'This is an integration test alert');
      assert.ok(slackBody.attachments[0].fields.some((f) => f.title === 'test_id' && f.value === 'INTEGRATION_001'));

      const [hook] = await webhook.waitForRequests(1);
      assert.equal(hook.headers.authorization, 'Bearer demo-hook-token');
      assert.equal(hook.headers['content-type'], 'application/json');
      const body = hook.json as Record<string, unknown>;
      assert.equal(body.title, 'Integration Test Alert');
      assert.equal(body.severity, 'info');
      assert.deepEqual(body.context, { test_id: 'INTEGRATION_001' });
      assert.equal(body.source, 'wms-pipeline');
      assert.ok(!Number.isNaN(Date.parse(String(body.timestamp))));
    } finally {
      alerts.close();
    }
  });

  it('colours Slack attachments by severity', async () => {
    const alerts = createAlertManager(settings({ alert_email_smtp_host: undefined, alert_webhook_url: undefined }));
    for (const severity of ['low', 'medium', 'high', 'critical'] as const) {
      await alerts.sendAlert({ title: `sev ${severity}`, message: 'm', severity });
    }
    const requests = await slack.waitForRequests(4);
    assert.deepEqual(
      requests.map((r) => (r.json as { attachments: { color: string }[] }).attachments[0].color),
      [SLACK_COLORS.low, SLACK_COLORS.medium, SLACK_COLORS.high, SLACK_COLORS.critical],
    );
    assert.equal(smtp.mails.length, 0);
  });

  it('never carries secrets in any payload, even when the message quotes them', async () => {
    const alerts = createAlertManager(settings());
    try {
      await alerts.sendAlert({
        title: 'auth failed',
        message: 'tap said: 401 for demo-wms-pw; webhook token demo-hook-token; smtp demo-smtp-pw',
        severity: 'high',
        context: { url: slack.url },
      });
      const [mail] = await smtp.waitForMails(1);
      const [slackRequest] = await slack.waitForRequests(1);
      const [hook] = await webhook.waitForRequests(1);
      for (const text of [mail.body, mail.subject ?? '', slackRequest.body, hook.body]) {
        for (const secret of ['demo-wms-pw', 'demo-hook-token', 'demo-smtp-pw', '/services/T000/B000/XXXX']) {
          assert.ok(!text.includes(secret), `${secret} leaked into ${text}`);
        }
      }
    } finally {
      alerts.close();
    }
  });

  it('retries a webhook answering 500 until it accepts; does not retry Slack answering 404', async () => {
    webhook.respondWith([500, 503]);
    slack.respondWith([404]);
    const alerts = createAlertManager(settings({ alert_email_smtp_host: undefined }));
    const result = await alerts.sendAlert({ title: 'retry', message: 'm', severity: 'medium' });
    assert.equal(result.status, 'partial');
    const byChannel = Object.fromEntries(result.deliveries.map((d) => [d.channel, d]));
    assert.deepEqual([byChannel.webhook.success, byChannel.webhook.attempts], [true, 3]);
    assert.deepEqual(
      [byChannel.slack.success, byChannel.slack.attempts, byChannel.slack.error],
      [false, 1, 'HTTP 404'],
    );
    assert.equal(webhook.requests.length, 3);
    assert.equal(slack.requests.length, 1);
  });

  it('reports an SMTP permanent rejection (550) as a failed email delivery, without retrying', async () => {
    await smtp.close();
    smtp = await startSmtpReceiver({ rejectRecipientsWith: 550 });
    const alerts = createAlertManager(
      settings({
        alert_email_smtp_port: smtp.port,
        alert_email_smtp_user: undefined,
        alert_slack_webhook_url: undefined,
        alert_webhook_url: undefined,
      }),
    );
    try {
      const result = await alerts.sendAlert({ title: 'rejected', message: 'm', severity: 'low' });
      assert.equal(result.status, 'failed');
      assert.equal(result.deliveries[0].channel, 'email');
      assert.equal(result.deliveries[0].attempts, 1);
      assert.match(result.deliveries[0].error ?? '', /550|rejected/);
    } finally {
      alerts.close();
    }
  });

  it('reports an unreachable SMTP server after its retries', async () => {
    const port = smtp.port;
    await smtp.close();
    const alerts = createAlertManager(
      settings({
        alert_email_smtp_port: port,
        alert_retries: 1,
        alert_slack_webhook_url: undefined,
        alert_webhook_url: undefined,
      }),
    );
    try {
      const result = await alerts.sendAlert({ title: 'down', message: 'm', severity: 'low' });
      assert.equal(result.status, 'failed');
      assert.equal(result.deliveries[0].attempts, 2);
      assert.match(result.deliveries[0].error ?? '', /ECONNECTION|ECONNREFUSED/);
    } finally {
      alerts.close();
    }
  });

  it('cooldown and dedupe hold back a repeated alert over real channels until the cooldown ends', async () => {
    const alerts = createAlertManager(
      settings({ alert_email_smtp_host: undefined, alert_slack_webhook_url: undefined, alert_cooldown_seconds: 1 }),
    );
    const alert = { title: 'Run failed', message: 'm', severity: 'high' as const, context: { job: 'nightly' } };
    assert.equal((await alerts.sendAlert(alert)).status, 'sent');
    assert.equal((await alerts.sendAlert(alert)).suppressedBy, 'cooldown');
    assert.equal((await alerts.sendAlert(alert)).suppressedBy, 'cooldown');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await alerts.sendAlert(alert)).status, 'sent');
    const requests = await webhook.waitForRequests(2);
    assert.equal(requests.length, 2);
    assert.equal((requests[1].json as { suppressed_since_last: number }).suppressed_since_last, 2);
  });
});
