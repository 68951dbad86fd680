import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { ConfigError } from '../../singer/index.js';
import { isConnectFailure } from './unreachable.js';

export interface TransportRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

/** A request that got no HTTP answer. */
export class NetworkFailure extends Error {
  readonly timedOut: boolean;
  readonly code: string;

  constructor(code: string, timedOut: boolean) {
    super(timedOut ? 'no answer within request_timeout' : `connection failed (${code})`);
    this.name = 'NetworkFailure';
    this.code = code;
    this.timedOut = timedOut;
  }

  /** No connection was made (DNS, refused, no route): the request never reached a server. */
  get connectFailure(): boolean {
    return !this.timedOut && isConnectFailure(this.code);
  }
}

/** A body that decodes (decompresses) to more than the transport's cap; it was dropped as soon as it passed it. */
export class ResponseTooLarge extends Error {
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super(`the decoded response passed ${limitBytes} bytes`);
    this.name = 'ResponseTooLarge';
    this.limitBytes = limitBytes;
  }
}

/** The only place that talks to the network. Swapped for an in-memory fake in unit tests. */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
  close(): void;
}

export interface AxiosTransportOptions {
  maxSockets: number;
  verifyTls: boolean;
  caFile?: string;
  /** Largest decoded body accepted: a gzip body that inflates past it is abandoned part-way, never held whole. */
  maxResponseBytes: number;
}

/**
 * axios over keep-alive agents (one TCP/TLS connection per concurrent request, reused across pages). axios honours
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment.
 */
export class AxiosTransport implements Transport {
  readonly #axios: AxiosInstance;
  readonly #agents: (http.Agent | https.Agent)[];
  readonly #maxResponseBytes: number;

  constructor(options: AxiosTransportOptions) {
    let ca: string | undefined;
    if (options.caFile) {
      try {
        ca = readFileSync(options.caFile, 'utf8');
      } catch (error) {
        throw new ConfigError(`'ca_file' cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
      }
    }
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets + 2 });
    const httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: options.maxSockets + 2,
      rejectUnauthorized: options.verifyTls,
      ...(ca ? { ca } : {}),
    });
    this.#agents = [httpAgent, httpsAgent];
    this.#maxResponseBytes = options.maxResponseBytes;
    this.#axios = axios.create({
      httpAgent,
      httpsAgent,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      // Redirects come back to WmsClient, which follows only those to base_url's origin (credentials ride along).
      maxRedirects: 0,
      decompress: true,
      // Counted on the decompressed stream, chunk by chunk: the request is destroyed as soon as it passes the cap.
      maxContentLength: options.maxResponseBytes,
    });
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    // A total deadline: a server that trickles bytes must not hold a request open past request_timeout.
    const signal = AbortSignal.timeout(request.timeoutMs);
    try {
      const response = await this.#axios.request<string>({
        method: request.method,
        url: request.url,
        headers: request.headers,
        data: request.body,
        timeout: request.timeoutMs,
        signal,
      });
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(response.headers))
        headers[name.toLowerCase()] = value === undefined || value === null ? undefined : String(value);
      return {
        status: response.status,
        headers,
        text: typeof response.data === 'string' ? response.data : String(response.data ?? ''),
      };
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'UNKNOWN';
      if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test((error as Error).message))
        throw new ResponseTooLarge(this.#maxResponseBytes);
      const timedOut = signal.aborted || code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED';
      throw new NetworkFailure(code, timedOut);
    }
  }

  close(): void {
    for (const agent of this.#agents) agent.destroy();
  }
}
