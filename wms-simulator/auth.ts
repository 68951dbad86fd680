import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimClock } from './clock.js';
import { WmsError } from './wms-error.js';

export interface UserSpec {
  readonly username: string;
  readonly password: string;
  /** lgfapi_read_access: without it every GET/HEAD is a 403. */
  readonly canRead: boolean;
}

export interface ClientSpec {
  readonly clientId: string;
  readonly clientSecret: string;
}

interface Grant {
  readonly username: string;
  readonly expiresAtMs: number;
}

export interface TokenReply {
  readonly status: number;
  readonly body: string;
}

/**
 * Basic auth against a user table, and the WMS-hosted OAuth2 token endpoint (password,
 * client_credentials and refresh_token grants) issuing opaque bearer tokens that expire on the
 * simulator clock.
 */
export class AuthService {
  private readonly accessTokens = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, string>();

  constructor(
    private readonly users: readonly UserSpec[],
    private readonly clients: readonly ClientSpec[],
    private readonly clock: SimClock,
    private readonly ttlSeconds: () => number,
  ) {}

  /** The user behind an Authorization header, or the 401/403 to answer with. */
  authenticate(header: string | undefined): UserSpec {
    if (!header) throw unauthorized('NOT_AUTHENTICATED', 'Authentication credentials were not provided.');
    const [scheme = '', value = ''] = header.split(/\s+/, 2);
    let user: UserSpec | undefined;
    if (scheme.toLowerCase() === 'basic') {
      const creds = decodeBasic(value);
      user = creds ? this.users.find((u) => u.username === creds.id && same(u.password, creds.secret)) : undefined;
      if (!user) throw unauthorized('AUTHENTICATION_FAILED', 'Invalid username/password.');
    } else if (scheme.toLowerCase() === 'bearer') {
      const grant = this.accessTokens.get(value);
      if (!grant) throw unauthorized('AUTHENTICATION_FAILED', 'Invalid token.');
      if (this.clock.nowMs() >= grant.expiresAtMs) throw unauthorized('AUTHENTICATION_FAILED', 'Token has expired.');
      user = this.users.find((u) => u.username === grant.username);
      if (!user) throw unauthorized('AUTHENTICATION_FAILED', 'Invalid token.');
    } else {
      throw unauthorized('AUTHENTICATION_FAILED', 'Unsupported authorization scheme.');
    }
    if (!user.canRead)
      throw new WmsError(403, 'PERMISSION_DENIED', 'You do not have permission to perform this action.');
    return user;
  }

  /** `POST /{env}/api/oauth2/token/`, client authenticated with Basic, grant in a form body. */
  token(header: string | undefined, form: URLSearchParams): TokenReply {
    const [scheme = '', value = ''] = (header ?? '').split(/\s+/, 2);
    const creds = scheme.toLowerCase() === 'basic' ? decodeBasic(value) : null;
    const client = creds && this.clients.find((c) => c.clientId === creds.id && same(c.clientSecret, creds.secret));
    if (!client) return oauthError(401, 'invalid_client', 'Client authentication failed.');
    const grantType = form.get('grant_type');
    let username: string;
    if (grantType === 'password') {
      const user = this.users.find(
        (u) => u.username === form.get('username') && same(u.password, form.get('password') ?? ''),
      );
      if (!user) return oauthError(400, 'invalid_grant', 'Invalid credentials given.');
      username = user.username;
    } else if (grantType === 'client_credentials') {
      // How an IDCS client maps to a WMS user is undocumented (docs/lgfapi.md §2); use the first reader.
      const user = this.users.find((u) => u.canRead);
      if (!user) return oauthError(400, 'invalid_grant', 'No user is linked to this client.');
      username = user.username;
    } else if (grantType === 'refresh_token') {
      const owner = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!owner) return oauthError(400, 'invalid_grant', 'Invalid refresh token.');
      this.refreshTokens.delete(form.get('refresh_token')!);
      username = owner;
    } else {
      return oauthError(400, 'unsupported_grant_type', 'Unsupported grant type.');
    }
    const ttl = this.ttlSeconds();
    const accessToken = randomBytes(24).toString('hex');
    const refreshToken = randomBytes(24).toString('hex');
    this.accessTokens.set(accessToken, { username, expiresAtMs: this.clock.nowMs() + ttl * 1000 });
    this.refreshTokens.set(refreshToken, username);
    return {
      status: 200,
      body: JSON.stringify({
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: ttl,
        refresh_token: refreshToken,
        scope: 'read',
      }),
    };
  }

  reset(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }
}

function decodeBasic(value: string): { id: string; secret: string } | null {
  const text = Buffer.from(value, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { id: text.slice(0, colon), secret: text.slice(colon + 1) };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function unauthorized(code: string, message: string): WmsError {
  return new WmsError(401, code, message, undefined, { 'WWW-Authenticate': 'Basic realm="api"' });
}

function oauthError(status: number, error: string, description: string): TokenReply {
  return { status, body: JSON.stringify({ error, error_description: description }) };
}
