import type { AlertChannel, PreparedAlert } from './alert.js';
import { postJson } from './http-post.js';

/** The generic webhook body is the prepared alert itself (documented in docs/wms-pipeline.md). */
export function webhookPayload(alert: PreparedAlert): Record<string, unknown> {
  return {
    source: alert.source,
    title: alert.title,
    message: alert.message,
    severity: alert.severity,
    context: alert.context,
    timestamp: alert.timestamp,
    host: alert.host,
    fingerprint: alert.fingerprint,
    suppressed_since_last: alert.suppressedSinceLast,
  };
}

export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook' as const;

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutSeconds: number,
  ) {}

  async deliver(alert: PreparedAlert): Promise<string> {
    return `HTTP ${await postJson(this.url, webhookPayload(alert), this.headers, this.timeoutSeconds)}`;
  }
}
