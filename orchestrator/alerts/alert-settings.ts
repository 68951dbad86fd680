import { defineSettingGroup } from '../../singer/index.js';

/** wms-pipeline's alerting settings (part of PIPELINE_SETTINGS, in this order): channels, policy and delivery. */
export const ALERT_SETTINGS = defineSettingGroup({
  alert_email_smtp_host: {
    type: 'string',
    description: 'SMTP server; email alerts are on when this and alert_email_to are set',
  },
  alert_email_smtp_port: { type: 'integer', minimum: 1, maximum: 65535, default: 587, description: 'SMTP port' },
  alert_email_smtp_secure: {
    type: 'boolean',
    default: false,
    description: 'Implicit TLS from the first byte (port 465); false = plain, upgraded by STARTTLS when offered',
  },
  alert_email_smtp_require_tls: {
    type: 'boolean',
    default: false,
    description: 'Refuse to send unless STARTTLS succeeds',
  },
  alert_email_smtp_tls_verify: { type: 'boolean', default: true, description: 'Verify the SMTP server certificate' },
  alert_email_smtp_user: { type: 'string', description: 'SMTP auth user (no auth when unset)' },
  alert_email_smtp_password: { type: 'string', secret: true, writeOnly: true, description: 'SMTP auth password' },
  alert_email_from: { type: 'string', default: 'wms-pipeline@localhost', description: 'From address' },
  alert_email_to: { type: 'array', items: { type: 'string', minLength: 3 }, default: [], description: 'Recipients' },
  alert_slack_webhook_url: {
    type: 'string',
    secret: true,
    writeOnly: true,
    description: 'Slack incoming webhook URL; Slack alerts are on when set',
  },
  alert_webhook_url: {
    type: 'string',
    secret: true,
    writeOnly: true,
    description: 'Generic JSON webhook URL; webhook alerts are on when set',
  },
  alert_webhook_headers: {
    type: 'object',
    secret: true,
    writeOnly: true,
    default: {},
    additionalProperties: { type: 'string' },
    description: 'Extra headers of the generic webhook (e.g. Authorization)',
  },
  alert_failure_threshold: {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 1,
    description: 'Consecutive failed runs of a job before a failure alert is sent',
  },
  alert_cooldown_seconds: {
    type: 'number',
    minimum: 0,
    default: 1800,
    description: 'The same alert (title + context) is not sent again within this time unless its severity rises',
  },
  alert_retries: { type: 'integer', minimum: 0, maximum: 10, default: 3, description: 'Retries per channel' },
  alert_retry_delay_seconds: {
    type: 'number',
    minimum: 0,
    default: 2,
    description: 'First retry delay per channel; doubles every retry',
  },
  alert_timeout_seconds: {
    type: 'number',
    exclusiveMinimum: 0,
    default: 15,
    description: 'Timeout of one delivery attempt',
  },
  alert_max_message_chars: {
    type: 'integer',
    minimum: 100,
    default: 3000,
    description: 'Longer messages are truncated',
  },
});
