import { randomUUID } from 'node:crypto';

/**
 * An lgfapi error reply. The body follows Oracle's documented shape: `reference` (a support UUID),
 * `code`, `message` and optional `details` (docs/lgfapi.md §5).
 */
export class WmsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, string> | string[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): string {
    const body: Record<string, unknown> = { reference: randomUUID(), code: this.code, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    return JSON.stringify(body);
  }

  static validation(details: Record<string, string>, message = 'Invalid input.'): WmsError {
    return new WmsError(400, 'VALIDATION_ERROR', message, details);
  }

  static notFound(message = 'Not found.'): WmsError {
    return new WmsError(404, 'NOT_FOUND', message);
  }
}
