import nodemailer, { type Transporter } from 'nodemailer';
import { ChannelError, type AlertChannel, type PreparedAlert } from './alert.js';

export interface EmailOptions {
  host: string;
  port: number;
  /** Implicit TLS (port 465). */
  secure: boolean;
  /** Fail unless STARTTLS succeeds. */
  requireTls: boolean;
  verifyTls: boolean;
  user?: string;
  password?: string;
  from: string;
  to: string[];
  timeoutSeconds: number;
}

export function emailSubject(alert: PreparedAlert): string {
  return `[wms-pipeline] [${alert.severity.toUpperCase()}] ${alert.title}`;
}

export function emailBody(alert: PreparedAlert): string {
  const lines = [alert.message, '', `Severity: ${alert.severity}`, `Time: ${alert.timestamp}`, `Host: ${alert.host}`];
  for (const [key, value] of Object.entries(alert.context)) lines.push(`${key}: ${value}`);
  if (alert.suppressedSinceLast > 0)
    lines.push(`Identical alerts suppressed since the last one: ${alert.suppressedSinceLast}`);
  lines.push(`Fingerprint: ${alert.fingerprint}`);
  return `${lines.join('\n')}\n`;
}

/** SMTP response codes 4xx are temporary (retry); 5xx (auth refused, recipient rejected) are not. */
function isRetriable(error: { responseCode?: number; code?: string }): boolean {
  if (typeof error.responseCode === 'number') return error.responseCode < 500;
  return (
    ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNREFUSED', 'EDNS'].includes(error.code ?? '') ||
    error.code === undefined
  );
}

export class EmailChannel implements AlertChannel {
  readonly name = 'email' as const;
  readonly #transport: Transporter;

  constructor(private readonly options: EmailOptions) {
    const timeout = options.timeoutSeconds * 1000;
    this.#transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      requireTLS: options.requireTls,
      tls: { rejectUnauthorized: options.verifyTls },
      auth: options.user ? { user: options.user, pass: options.password ?? '' } : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async deliver(alert: PreparedAlert): Promise<string> {
    try {
      const info = await this.#transport.sendMail({
        from: this.options.from,
        to: this.options.to,
        subject: emailSubject(alert),
        text: emailBody(alert),
        headers: { 'X-WMS-Pipeline-Severity': alert.severity, 'X-WMS-Pipeline-Fingerprint': alert.fingerprint },
      });
      const rejected = (info.rejected ?? []).map(String);
      if (rejected.length > 0) throw new ChannelError(`rejected recipients: ${rejected.join(', ')}`, false);
      return `message ${info.messageId}`;
    } catch (error) {
      if (error instanceof ChannelError) throw error;
      const smtp = error as { responseCode?: number; code?: string; message?: string };
      // nodemailer messages can quote the server's reply; they carry no credentials.
      throw new ChannelError(
        `SMTP ${smtp.responseCode ?? smtp.code ?? 'error'}: ${(smtp.message ?? '').split('\n')[0]}`,
        isRetriable(smtp),
      );
    }
  }

  close(): void {
    this.#transport.close();
  }
}
