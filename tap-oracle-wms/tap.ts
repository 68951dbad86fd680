import { type Logger, type Metrics, secretValues } from '../singer/index.js';
import { createAuthenticator } from './http/create-authenticator.js';
import { WmsClient } from './http/client.js';
import { RetryPolicy } from './http/retry.js';
import { AxiosTransport, type Transport } from './http/transport.js';
import { TAP_SETTINGS, type TapConfig } from './settings.js';

export const TAP_NAME = 'tap-oracle-wms';

/** Meltano capability names (only those valid in Meltano's extractor schema). */
export const CAPABILITIES = [
  'catalog',
  'discover',
  'state',
  'about',
  'test',
  'activate-version',
  'structured-logging',
] as const;

export interface ClientHandle {
  client: WmsClient;
  close(): void;
}

/** Wires the HTTP client from config: transport (keep-alive), auth strategy, retry policy. */
export function createClient(
  config: TapConfig,
  deps: { logger: Logger; metrics: Metrics; version: string; signal?: AbortSignal; transport?: Transport },
): ClientHandle {
  deps.logger.addSecrets(secretValues(config, TAP_SETTINGS));
  // Custom headers often carry API keys: a credential-named header's value is a secret like the password.
  deps.logger.addSecrets(
    Object.entries(config.custom_headers)
      .filter(([name]) => /key|token|auth|secret|password|signature|cookie/i.test(name))
      .map(([, value]) => value),
  );
  const transport =
    deps.transport ??
    new AxiosTransport({
      maxSockets: config.max_concurrent_requests,
      verifyTls: config.verify_tls,
      caFile: config.ca_file,
      maxResponseBytes: Math.round(config.max_response_mb * 1024 * 1024),
    });
  const timeoutMs = Math.round(config.request_timeout * 1000);
  const client = new WmsClient({
    baseUrl: config.base_url,
    apiVersion: config.api_version,
    transport,
    auth: createAuthenticator(config, transport, timeoutMs, (token) => deps.logger.addSecrets([token])),
    retry: new RetryPolicy({
      maxRetries: config.max_retries,
      initialSeconds: config.backoff_initial_seconds,
      maxSeconds: config.backoff_max_seconds,
    }),
    connectRetrySeconds: config.connect_retry_seconds,
    emptyResponseCode: config.empty_response_http_code,
    timeoutMs,
    maxConcurrentRequests: config.max_concurrent_requests,
    ratePerSecond: config.rate_limit_per_second,
    headers: {
      Accept: 'application/json',
      'User-Agent': config.user_agent ?? `${TAP_NAME}/${deps.version}`,
      ...config.custom_headers,
    },
    logger: deps.logger,
    metrics: deps.metrics,
    signal: deps.signal,
  });
  return { client, close: () => transport.close() };
}
