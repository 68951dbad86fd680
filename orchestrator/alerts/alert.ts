export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** What a caller asks to send. `context` identifies the alert (it is part of the dedupe fingerprint): keep it stable. */
export interface AlertInput {
  title: string;
  message: string;
  severity: Severity;
  context?: Record<string, unknown>;
}

/** The alert as channels send it: scrubbed of secrets, truncated, fingerprinted. */
export interface PreparedAlert {
  source: 'wms-pipeline';
  title: string;
  message: string;
  severity: Severity;
  context: Record<string, string>;
  timestamp: string;
  host: string;
  fingerprint: string;
  /** How many identical alerts were held back by the cooldown since this one was last sent. */
  suppressedSinceLast: number;
}

export type ChannelName = 'email' | 'slack' | 'webhook';

export interface DeliveryResult {
  channel: ChannelName;
  success: boolean;
  attempts: number;
  /** e.g. the SMTP message id or the HTTP status. */
  detail?: string;
  error?: string;
}

export type AlertStatus = 'sent' | 'partial' | 'failed' | 'suppressed';

export interface AlertResult {
  /** True when every enabled channel delivered the alert. */
  success: boolean;
  status: AlertStatus;
  /** Why nothing was sent: the same alert is in its cooldown, the failure threshold is not reached, or no channel is configured. */
  suppressedBy?: 'cooldown' | 'threshold' | 'no-channels';
  fingerprint: string;
  deliveries: DeliveryResult[];
}

/** One delivery attempt; throws ChannelError when it fails. */
export interface AlertChannel {
  readonly name: ChannelName;
  deliver(alert: PreparedAlert): Promise<string | undefined>;
  close?(): void;
}

export class ChannelError extends Error {
  readonly retriable: boolean;

  constructor(message: string, retriable: boolean) {
    super(message);
    this.name = 'ChannelError';
    this.retriable = retriable;
  }
}
