import type { AlertChannel, PreparedAlert, Severity } from './alert.js';
import { postJson } from './http-post.js';

/** Attachment colour per severity (Slack accepts hex). */
export const SLACK_COLORS: Record<Severity, string> = {
  info: '#439FE0',
  low: '#2EB886',
  medium: '#DAA038',
  high: '#E01E5A',
  critical: '#A30200',
};

/** The Slack incoming-webhook body: a fallback `text` plus one attachment coloured by severity. */
export function slackPayload(alert: PreparedAlert): Record<string, unknown> {
  return {
    text: `[${alert.severity.toUpperCase()}] ${alert.title}`,
    attachments: [
      {
        color: SLACK_COLORS[alert.severity],
        title: alert.title,
        text: alert.message,
        fields: [
          { title: 'Severity', value: alert.severity, short: true },
          ...Object.entries(alert.context).map(([key, value]) => ({ title: key, value, short: value.length <= 40 })),
          ...(alert.suppressedSinceLast > 0
            ? [{ title: 'Suppressed since last', value: String(alert.suppressedSinceLast), short: true }]
            : []),
        ],
        footer: `wms-pipeline on ${alert.host}`,
        ts: Math.floor(Date.parse(alert.timestamp) / 1000),
      },
    ],
  };
}

export class SlackChannel implements AlertChannel {
  readonly name = 'slack' as const;

  constructor(
    private readonly webhookUrl: string,
    private readonly timeoutSeconds: number,
  ) {}

  async deliver(alert: PreparedAlert): Promise<string> {
    return `HTTP ${await postJson(this.webhookUrl, slackPayload(alert), {}, this.timeoutSeconds)}`;
  }
}
