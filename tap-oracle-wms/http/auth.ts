import { SourceError } from '../../singer/index.js';
import { describeErrorBody, parseBody } from './body.js';
import { NetworkFailure, type Transport } from './transport.js';

/** Supplies the Authorization header; `invalidate` after a 401 makes the next call fetch a fresh token. */
export interface Authenticator {
  headers(): Promise<Record<string, string>>;
  /** True when a retry with fresh credentials may help (a token existed and was dropped). */
  invalidate(): boolean;
}

export class BasicAuth implements Authenticator {
  readonly #header: string;

  constructor(username: string, password: string) {
    this.#header = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  headers(): Promise<Record<string, string>> {
    return Promise.resolve({ Authorization: this.#header });
  }

  invalidate(): boolean {
    return false;
  }
}

export interface TokenRequest {
  url: string;
  form: Record<string, string>;
  /** Client id and secret, sent as HTTP Basic (RFC 6749 §2.3.1). */
  clientId: string;
  clientSecret: string;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Refresh this long before the server's expiry, so a token never dies mid-request. */
const EXPIRY_MARGIN_MS = 60_000;
const DEFAULT_LIFETIME_S = 3600;

/**
 * OAuth2 bearer tokens: the WMS-hosted password grant (`POST {base_url}/api/oauth2/token/`) or client_credentials
 * against IDCS. One token is cached for the run; concurrent callers share one fetch.
 */
export class OAuthAuth implements Authenticator {
  readonly #transport: Transport;
  readonly #request: TokenRequest;
  readonly #timeoutMs: number;
  readonly #onToken: (token: string) => void;
  readonly #now: () => number;
  #token: CachedToken | undefined;
  #pending: Promise<CachedToken> | undefined;

  constructor(options: {
    transport: Transport;
    request: TokenRequest;
    timeoutMs: number;
    onToken: (token: string) => void;
    now?: () => number;
  }) {
    this.#transport = options.transport;
    this.#request = options.request;
    this.#timeoutMs = options.timeoutMs;
    this.#onToken = options.onToken;
    this.#now = options.now ?? Date.now;
  }

  async headers(): Promise<Record<string, string>> {
    if (!this.#token || this.#token.expiresAt <= this.#now()) {
      this.#pending ??= this.#fetch().finally(() => {
        this.#pending = undefined;
      });
      this.#token = await this.#pending;
    }
    return { Authorization: `Bearer ${this.#token.value}` };
  }

  invalidate(): boolean {
    if (!this.#token) return false;
    this.#token = undefined;
    return true;
  }

  async #fetch(): Promise<CachedToken> {
    const { url, form, clientId, clientSecret } = this.#request;
    const headers = {
      Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    let lastProblem = '';
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      let response;
      try {
        response = await this.#transport.send({
          method: 'POST',
          url,
          headers,
          body: new URLSearchParams(form).toString(),
          timeoutMs: this.#timeoutMs,
        });
      } catch (error) {
        if (!(error instanceof NetworkFailure)) throw error;
        lastProblem = error.message;
        continue;
      }
      const body = parseBody(response.text, response.headers['content-type']);
      if (response.status >= 500 || response.status === 429) {
        lastProblem = `HTTP ${response.status}${describeErrorBody(body) ? ` (${describeErrorBody(body)})` : ''}`;
        continue;
      }
      if (response.status !== 200 || !body.json) {
        throw new SourceError(
          `OAuth token request to ${new URL(url).pathname} was refused: HTTP ${response.status}${describeErrorBody(body) ? ` (${describeErrorBody(body)})` : ''}: check the OAuth client id/secret, user and token URL`,
          { status: response.status },
        );
      }
      const value = body.value as { access_token?: unknown; expires_in?: unknown };
      if (typeof value.access_token !== 'string' || value.access_token === '') {
        throw new SourceError(`OAuth token response from ${new URL(url).pathname} has no access_token`);
      }
      this.#onToken(value.access_token);
      const lifetime =
        typeof value.expires_in === 'number' && value.expires_in > 0 ? value.expires_in : DEFAULT_LIFETIME_S;
      return {
        value: value.access_token,
        expiresAt: this.#now() + Math.max(lifetime * 1000 - EXPIRY_MARGIN_MS, lifetime * 500),
      };
    }
    throw new SourceError(`OAuth token request to ${new URL(url).pathname} failed after 3 attempts: ${lastProblem}`, {
      retriable: true,
    });
  }
}
