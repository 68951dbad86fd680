import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { scrubSecrets, type Logger } from '../../singer/index.js';
import { sleep } from '../../singer/index.js';
import {
  ChannelError,
  severityRank,
  SEVERITIES,
  type AlertChannel,
  type AlertInput,
  type AlertResult,
  type DeliveryResult,
  type PreparedAlert,
} from './alert.js';
import { AlertHistory } from './alert-history.js';

export interface AlertPolicy {
  cooldownSeconds: number;
  failureThreshold: number;
  retries: number;
  retryDelaySeconds: number;
  maxMessageChars: number;
}

export interface AlertManagerOptions {
  channels: AlertChannel[];
  policy: AlertPolicy;
  /** Values scrubbed from every field of every alert. */
  secrets: readonly string[];
  logger?: Logger;
  /** Persisted cooldown/threshold memory; in memory only when omitted. */
  historyFile?: string;
  now?: () => number;
}

export interface SendOptions {
  /**
   * Counts this alert as one more consecutive failure of `failureKey`; it is only sent once the count reaches the
   * failure threshold. `recordSuccess(failureKey)` resets the count.
   */
  failureKey?: string;
}

const MAX_TITLE_CHARS = 200;
const MAX_CONTEXT_VALUE_CHARS = 500;

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = ` … [truncated ${text.length - max} characters]`;
  return `${text.slice(0, Math.max(0, max - marker.length))}${marker}`;
}

function canonicalJson(value: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(value)
      .sort()
      .map((key) => [key, value[key]]),
  );
}

/**
 * Fans an alert out to the enabled channels (each reports its own delivery), with:
 * - secrets scrubbed from title, message and context, long texts truncated;
 * - dedupe + cooldown: the same title+context (fingerprint) is not sent again within the cooldown unless its
 *   severity rises; the next one after the cooldown says how many were held back;
 * - a threshold of consecutive failures (per key) before a failure alert goes out;
 * - retries per channel with exponential backoff (not for permanent errors such as HTTP 4xx or SMTP 5xx).
 */
export class AlertManager {
  readonly #options: AlertManagerOptions;
  readonly #history: AlertHistory;
  readonly #now: () => number;

  constructor(options: AlertManagerOptions) {
    this.#options = options;
    this.#history = new AlertHistory(options.historyFile);
    this.#now = options.now ?? Date.now;
  }

  get channelNames(): string[] {
    return this.#options.channels.map((channel) => channel.name);
  }

  async sendAlert(input: AlertInput, options: SendOptions = {}): Promise<AlertResult> {
    if (!SEVERITIES.includes(input.severity)) throw new TypeError(`unknown alert severity '${String(input.severity)}'`);
    const prepared = this.#prepare(input);
    const { policy } = this.#options;
    const now = this.#now();

    const decision = await this.#history.update((data) => {
      if (options.failureKey !== undefined) {
        const count = (data.failures[options.failureKey] ?? 0) + 1;
        data.failures[options.failureKey] = count;
        if (count < policy.failureThreshold) return { suppressedBy: 'threshold' as const };
      }
      const previous = data.sent[prepared.fingerprint];
      const inCooldown = previous !== undefined && now - previous.lastSentAt < policy.cooldownSeconds * 1000;
      if (inCooldown && severityRank(prepared.severity) <= severityRank(previous.severity)) {
        previous.suppressed += 1;
        return { suppressedBy: 'cooldown' as const };
      }
      prepared.suppressedSinceLast = previous?.suppressed ?? 0;
      data.sent[prepared.fingerprint] = { lastSentAt: now, severity: prepared.severity, suppressed: 0 };
      return { suppressedBy: undefined };
    });
    if (decision.suppressedBy) {
      this.#options.logger?.info(`Alert '${prepared.title}' not sent (${decision.suppressedBy})`);
      return {
        success: false,
        status: 'suppressed',
        suppressedBy: decision.suppressedBy,
        fingerprint: prepared.fingerprint,
        deliveries: [],
      };
    }
    if (this.#options.channels.length === 0) {
      this.#options.logger?.warning(`Alert '${prepared.title}' not sent: no alert channel is configured`);
      return {
        success: false,
        status: 'suppressed',
        suppressedBy: 'no-channels',
        fingerprint: prepared.fingerprint,
        deliveries: [],
      };
    }

    const deliveries = await Promise.all(this.#options.channels.map((channel) => this.#deliver(channel, prepared)));
    const delivered = deliveries.filter((delivery) => delivery.success).length;
    const status = delivered === deliveries.length ? 'sent' : delivered > 0 ? 'partial' : 'failed';
    for (const delivery of deliveries) {
      if (delivery.success) this.#options.logger?.info(`Alert '${prepared.title}' delivered by ${delivery.channel}`);
      else
        this.#options.logger?.warning(
          `Alert '${prepared.title}' not delivered by ${delivery.channel}: ${delivery.error}`,
        );
    }
    return { success: status === 'sent', status, fingerprint: prepared.fingerprint, deliveries };
  }

  /** A success of `failureKey` resets its consecutive failure count; returns the count it had. */
  recordSuccess(failureKey: string): Promise<number> {
    return this.#history.update((data) => {
      const count = data.failures[failureKey] ?? 0;
      delete data.failures[failureKey];
      return count;
    });
  }

  close(): void {
    for (const channel of this.#options.channels) channel.close?.();
  }

  #prepare(input: AlertInput): PreparedAlert {
    const { secrets, policy } = this.#options;
    const clean = (text: string, max: number): string => truncate(scrubSecrets(text, secrets), max);
    const context: Record<string, string> = {};
    for (const [key, value] of Object.entries(input.context ?? {})) {
      if (value === undefined) continue;
      context[clean(key, 100)] = clean(
        typeof value === 'string' ? value : JSON.stringify(value),
        MAX_CONTEXT_VALUE_CHARS,
      );
    }
    const title = clean(input.title, MAX_TITLE_CHARS);
    const fingerprint = createHash('sha256')
      .update(`${title}\n${canonicalJson(context)}`)
      .digest('hex')
      .slice(0, 16);
    return {
      source: 'wms-pipeline',
      title,
      message: clean(input.message, policy.maxMessageChars),
      severity: input.severity,
      context,
      timestamp: new Date(this.#now()).toISOString(),
      host: hostname(),
      fingerprint,
      suppressedSinceLast: 0,
    };
  }

  async #deliver(channel: AlertChannel, alert: PreparedAlert): Promise<DeliveryResult> {
    const { retries, retryDelaySeconds } = this.#options.policy;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      try {
        const detail = await channel.deliver(alert);
        return { channel: channel.name, success: true, attempts, detail };
      } catch (error) {
        const retriable = error instanceof ChannelError ? error.retriable : true;
        const message = scrubSecrets(error instanceof Error ? error.message : String(error), this.#options.secrets);
        if (!retriable || attempts > retries)
          return { channel: channel.name, success: false, attempts, error: message };
        await sleep(retryDelaySeconds * 1000 * 2 ** (attempts - 1));
      }
    }
  }
}
