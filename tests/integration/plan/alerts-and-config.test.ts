import assert from 'node:assert/strict';
import { createAlertManager, resolvePipelineSettings } from '../../../orchestrator/index.js';
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.js';
import { planConfigFromEnv, PlanConfigError, systemsLabel } from '../../helpers/plan-config.js';
import { planSession, registerPlanSession } from '../../helpers/plan-session.js';
import { startSmtpReceiver, type SmtpReceiver } from '../../helpers/smtp-receiver.js';

registerPlanSession();

describe('plan: alert delivery (real SMTP server and HTTP receivers on 127.0.0.1, through the orchestrator alert manager) @integration', () => {
  let smtp: SmtpReceiver;
  let slack: HttpReceiver;
  let webhook: HttpReceiver;
  before(async () => {
    smtp = await startSmtpReceiver();
    slack = await startHttpReceiver('/services/T000/B000/XXXX');
    webhook = await startHttpReceiver('/hook');
  });
  after(async () => {
    await smtp?.close();
    await slack?.close();
    await webhook?.close();
  });

  it('test_alert_delivery_integration: one alert reaches email, Slack and the webhook, each verified at its receiver', async () => {
    const env = await planSession();
    // create_integration_alert_manager()
    const alerts = createAlertManager(
      resolvePipelineSettings(
        env.settings({
          alert_email_smtp_host: '127.0.0.1',
          alert_email_smtp_port: smtp.port,
          alert_email_to: ['ops@example.test'],
          alert_slack_webhook_url: slack.url,
          alert_webhook_url: webhook.url,
        }),
      ),
    );
    try {
      const result = await alerts.sendAlert({
        title: 'Integration Test Alert',
        message: 'This is an integration test alert',
        severity: 'info',
        context: { test_id: 'INTEGRATION_001' },
      });
      assert.equal(result.success, true, JSON.stringify(result.deliveries));
      assert.deepEqual(result.deliveries.map((d) => d.channel).sort(), ['email', 'slack', 'webhook']);
      // verify_email_delivery / verify_slack_delivery / the webhook: what each receiver really got.
      const [mail] = await smtp.waitForMails(1);
      assert.match(mail.subject ?? '', /Integration Test Alert/);
      assert.match(mail.body, /This is an integration test alert/);
      assert.deepEqual(mail.to, ['ops@example.test']);
      const [slackPost] = await slack.waitForRequests(1);
      assert.match(JSON.stringify(slackPost.json), /Integration Test Alert/);
      const [hook] = await webhook.waitForRequests(1);
      const body = hook.json as { title: string; severity: string; context: Record<string, string> };
      assert.equal(body.title, 'Integration Test Alert');
      assert.equal(body.severity, 'info');
      assert.equal(body.context.test_id, 'INTEGRATION_001');
    } finally {
      alerts.close();
    }
  });
});

describe('plan: configuration management (the plan env vars decide the systems; pure, no servers) @integration', () => {
  const live = {
    TEST_ORACLE_WMS_HOST: 'wms-test.company.example',
    TEST_ORACLE_WMS_USERNAME: 'integration_test_user',
    TEST_ORACLE_WMS_PASSWORD: 'integration_test_password',
    TEST_ORACLE_TARGET_HOST: 'oracle-test.company.example:1521/TESTDB',
    TEST_ORACLE_TARGET_USERNAME: 'etl_integration_test',
    TEST_ORACLE_TARGET_PASSWORD: 'test_password',
  };

  it('without the TEST_ORACLE_* variables: simulator + PostgreSQL, the plan defaults TEST_GNOS/TEST_DC01/1000', () => {
    const config = planConfigFromEnv({});
    assert.deepEqual(config, {
      wms: { kind: 'simulator' },
      target: { kind: 'postgres' },
      companyCode: 'TEST_GNOS',
      facilityCode: 'TEST_DC01',
      datasetSize: 1000,
      environment: 'integration',
    });
  });

  it('with all of them: the live WMS and Oracle, with the optional codes, size and environment; the label names them without secrets', () => {
    const config = planConfigFromEnv({
      ...live,
      TEST_COMPANY_CODE: 'GNOS',
      TEST_FACILITY_CODE: 'DC09',
      TEST_DATASET_SIZE: '250',
      TEST_ENVIRONMENT: 'staging',
    });
    assert.deepEqual(config.wms, {
      kind: 'live',
      baseUrl: 'https://wms-test.company.example',
      username: 'integration_test_user',
      password: 'integration_test_password',
    });
    assert.deepEqual(config.target, {
      kind: 'oracle',
      connectString: 'oracle-test.company.example:1521/TESTDB',
      user: 'etl_integration_test',
      password: 'test_password',
      schema: undefined,
    });
    assert.equal(config.datasetSize, 250);
    const label = systemsLabel(config);
    assert.match(
      label,
      /live WMS https:\/\/wms-test\.company\.example → live Oracle oracle-test\.company\.example:1521\/TESTDB; GNOS\/DC09; env staging/,
    );
    assert.ok(!label.includes('password'));
  });

  it('a half-configured live system is an error naming what is missing, never a silent fall-back to the simulator', () => {
    assert.throws(
      () => planConfigFromEnv({ TEST_ORACLE_WMS_HOST: 'wms.example' }),
      (e: unknown) =>
        e instanceof PlanConfigError && /TEST_ORACLE_WMS_USERNAME, TEST_ORACLE_WMS_PASSWORD not set/.test(e.message),
    );
    assert.throws(
      () => planConfigFromEnv({ ...live, TEST_ORACLE_TARGET_HOST: 'db.example' }),
      /TEST_ORACLE_TARGET_SERVICE_NAME not set/,
    );
    assert.throws(() => planConfigFromEnv({ TEST_DATASET_SIZE: 'lots' }), /TEST_DATASET_SIZE/);
  });
});
