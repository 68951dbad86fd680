import type { TapConfig } from '../settings.js';
import { BasicAuth, OAuthAuth, type Authenticator } from './auth.js';
import type { Transport } from './transport.js';

/**
 * The auth strategy the config names (basic, or an OAuth2 grant fetched through `transport`). One factory for the
 * tap and for the orchestrator's own WMS calls, so both authenticate the same way. `onToken` sees every fresh token
 * (to add it to the log scrubber).
 */
export function createAuthenticator(
  config: TapConfig,
  transport: Transport,
  timeoutMs: number,
  onToken: (token: string) => void = () => undefined,
): Authenticator {
  switch (config.auth_method) {
    case 'basic':
      return new BasicAuth(config.username ?? '', config.password ?? '');
    case 'oauth2_password':
      return new OAuthAuth({
        transport,
        timeoutMs,
        onToken,
        request: {
          url: config.oauth_token_url ?? `${config.base_url.replace(/\/+$/, '')}/api/oauth2/token/`,
          clientId: config.oauth_client_id ?? '',
          clientSecret: config.oauth_client_secret ?? '',
          form: {
            grant_type: 'password',
            username: config.username ?? '',
            password: config.password ?? '',
            ...(config.oauth_scope ? { scope: config.oauth_scope } : {}),
          },
        },
      });
    case 'oauth2_client_credentials':
      return new OAuthAuth({
        transport,
        timeoutMs,
        onToken,
        request: {
          url: config.oauth_token_url ?? '',
          clientId: config.oauth_client_id ?? '',
          clientSecret: config.oauth_client_secret ?? '',
          form: { grant_type: 'client_credentials', ...(config.oauth_scope ? { scope: config.oauth_scope } : {}) },
        },
      });
  }
}
