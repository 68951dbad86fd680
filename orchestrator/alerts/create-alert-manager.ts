import path from 'node:path';
import type { Logger } from '../../singer/index.js';
import { pipelineSecrets } from '../pipeline-secrets.js';
import type { PipelineSettings } from '../settings.js';
import type { AlertChannel } from './alert.js';
import { AlertManager } from './alert-manager.js';
import { EmailChannel } from './email-channel.js';
import { SlackChannel } from './slack-channel.js';
import { WebhookChannel } from './webhook-channel.js';

/** The channels the settings enable: a channel is on when its destination is configured. */
export function channelsFromSettings(settings: PipelineSettings): AlertChannel[] {
  const channels: AlertChannel[] = [];
  if (settings.alert_email_smtp_host && settings.alert_email_to.length > 0) {
    channels.push(
      new EmailChannel({
        host: settings.alert_email_smtp_host,
        port: settings.alert_email_smtp_port,
        secure: settings.alert_email_smtp_secure,
        requireTls: settings.alert_email_smtp_require_tls,
        verifyTls: settings.alert_email_smtp_tls_verify,
        user: settings.alert_email_smtp_user,
        password: settings.alert_email_smtp_password,
        from: settings.alert_email_from,
        to: settings.alert_email_to,
        timeoutSeconds: settings.alert_timeout_seconds,
      }),
    );
  }
  if (settings.alert_slack_webhook_url)
    channels.push(new SlackChannel(settings.alert_slack_webhook_url, settings.alert_timeout_seconds));
  if (settings.alert_webhook_url) {
    channels.push(
      new WebhookChannel(settings.alert_webhook_url, settings.alert_webhook_headers, settings.alert_timeout_seconds),
    );
  }
  return channels;
}

export function createAlertManager(settings: PipelineSettings, logger?: Logger): AlertManager {
  return new AlertManager({
    channels: channelsFromSettings(settings),
    policy: {
      cooldownSeconds: settings.alert_cooldown_seconds,
      failureThreshold: settings.alert_failure_threshold,
      retries: settings.alert_retries,
      retryDelaySeconds: settings.alert_retry_delay_seconds,
      maxMessageChars: settings.alert_max_message_chars,
    },
    secrets: pipelineSecrets(settings),
    logger,
    historyFile: path.join(settings.state_dir, 'alert-history.json'),
  });
}
