import { SourceError } from '../../singer/index.js';
import type { Authenticator } from '../../tap-oracle-wms/http/auth.js';
import { createAuthenticator } from '../../tap-oracle-wms/http/create-authenticator.js';
import { describeErrorBody, parseBody } from '../../tap-oracle-wms/http/body.js';
import { AxiosTransport, NetworkFailure, type Transport } from '../../tap-oracle-wms/http/transport.js';
import type { TapConfig } from '../../tap-oracle-wms/settings.js';

/**
 * The orchestrator's own few WMS calls (health, consistency counts and samples), with the tap's authenticator factory,
 * transport class and effective config, so they see what the tap sees. No retries: a failed probe is reported.
 */
export class WmsProbe {
  readonly #transport: Transport;
  readonly #auth: Authenticator;
  readonly #root: string;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;

  constructor(config: TapConfig, timeoutSeconds: number) {
    this.#timeoutMs = timeoutSeconds * 1000;
    this.#transport = new AxiosTransport({
      maxSockets: 4,
      verifyTls: config.verify_tls !== false,
      caFile: config.ca_file,
    });
    this.#root = `${config.base_url.replace(/\/+$/, '')}/wms/lgfapi/${config.api_version ?? 'v10'}/entity/`;
    this.#headers = { Accept: 'application/json', 'User-Agent': 'wms-pipeline', ...(config.custom_headers ?? {}) };
    this.#auth = createAuthenticator(config, this.#transport, this.#timeoutMs);
  }

  /** Any HTTP answer from the entity root, even 401, means the host is reachable. Returns the status. */
  async reachable(): Promise<number> {
    const response = await this.#send(this.#root, {});
    return response.status;
  }

  /** The entity list with credentials: throws SourceError on 401/403. Returns the number of entities. */
  async authenticate(): Promise<number> {
    const value = await this.#getJson(this.#root, 'entity list');
    if (Array.isArray(value)) return value.length;
    if (value && typeof value === 'object') {
      const results = (value as { results?: unknown }).results;
      return Array.isArray(results) ? results.length : Object.keys(value).length;
    }
    return 0;
  }

  async describe(entity: string): Promise<Record<string, unknown>> {
    return (await this.#getJson(
      `${this.#root}${encodeURIComponent(entity)}/describe/`,
      `describe of ${entity}`,
    )) as Record<string, unknown>;
  }

  /** `result_count` of the paged mode with these filters (lgfapi answers an empty result with 404: 0 rows). */
  async count(entity: string, filters: URLSearchParams): Promise<number> {
    const params = new URLSearchParams(filters);
    params.set('page_mode', 'paged');
    params.set('page_size', '1');
    const value = await this.#getJson(
      `${this.#root}${encodeURIComponent(entity)}/?${params.toString()}`,
      `count of ${entity}`,
      true,
    );
    if (value === undefined) return 0;
    const count = (value as { result_count?: unknown }).result_count;
    if (typeof count !== 'number')
      throw new SourceError(`the WMS answered the count of ${entity} without result_count`);
    return count;
  }

  /** The newest `size` records (by id) with these filters, exactly as the API sends them. */
  async sample(entity: string, filters: URLSearchParams, size: number): Promise<Record<string, unknown>[]> {
    const params = new URLSearchParams(filters);
    params.set('page_mode', 'paged');
    params.set('page_size', String(size));
    params.set('ordering', '-id');
    const value = await this.#getJson(
      `${this.#root}${encodeURIComponent(entity)}/?${params.toString()}`,
      `sample of ${entity}`,
      true,
    );
    const results = (value as { results?: unknown } | undefined)?.results;
    return Array.isArray(results) ? (results as Record<string, unknown>[]) : [];
  }

  close(): void {
    this.#transport.close();
  }

  async #send(
    url: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string; contentType?: string }> {
    try {
      const response = await this.#transport.send({
        method: 'GET',
        url,
        headers: { ...this.#headers, ...headers },
        timeoutMs: this.#timeoutMs,
      });
      return { status: response.status, text: response.text, contentType: response.headers['content-type'] };
    } catch (error) {
      if (error instanceof NetworkFailure)
        throw new SourceError(`WMS not reachable: ${error.message}`, { retriable: true, cause: error });
      throw error;
    }
  }

  async #getJson(url: string, what: string, list = false): Promise<unknown> {
    const response = await this.#send(url, await this.#auth.headers());
    if (list && response.status === 404) return undefined;
    const body = parseBody(response.text, response.contentType);
    if (response.status >= 400) {
      const hint =
        response.status === 401 ? ': authentication failed' : response.status === 403 ? ': permission denied' : '';
      throw new SourceError(
        `WMS ${what} answered HTTP ${response.status}${hint}${describeErrorBody(body) ? ` (${describeErrorBody(body)})` : ''}`,
        {
          status: response.status,
          retriable: response.status === 429 || response.status >= 500,
        },
      );
    }
    if (!body.json) throw new SourceError(`WMS ${what}: ${body.summary}`);
    return body.value;
  }
}
