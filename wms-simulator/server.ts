import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin-http.js';
import { AuthService } from './auth.js';
import { SimClock } from './clock.js';
import { QueryString } from './query-string.js';
import { RequestLog } from './request-log.js';
import { SimulatorAdmin } from './simulator-admin.js';
import { resolveOptions, type SimulatorOptions } from './simulator-options.js';
import { Tenant } from './tenant.js';
import { WmsApi, type ApiRequest } from './wms-api.js';
import { WmsError } from './wms-error.js';
import { type Fault, type FaultKind, realPageLatencyMs, type RequestTarget } from './fault-plan.js';

export interface RunningSimulator {
  /** `http://127.0.0.1:port` */
  readonly url: string;
  /** `http://127.0.0.1:port/{env}`: what a tap takes as its base URL. */
  readonly baseUrl: string;
  readonly port: number;
  readonly env: string;
  readonly admin: SimulatorAdmin;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string>;
  rows: number;
  contentType?: string;
}

const REQUEST_FAULTS = new Set<FaultKind>([
  '429',
  '500',
  '502',
  '503',
  '504',
  'html502',
  'stall',
  'reset',
  'latency',
  'wms-latency',
]);
const MAX_BODY = 64 * 1024;

const GATEWAY_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Starts an lgfapi v10 simulator (node:http) and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const o = resolveOptions(options);
  const tenant = new Tenant({ seed: o.seed, rows: o.rows, dataEpochMs: o.dataEpochMs, historyDays: o.historyDays });
  const clock = new SimClock(o.clockStartMs);
  const settings = { ...o.settings };
  const auth = new AuthService(o.users, o.clients, clock, () => settings.tokenTtlSeconds);
  const log = new RequestLog();
  const admin = new SimulatorAdmin(tenant, clock, settings, { ...o.settings }, auth, log, o.faults, o.seed);
  const api = new WmsApi(tenant, settings, () => admin.faults);
  const envPath = `/${o.env}`;
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void) => {
    if (ms <= 0) return fn();
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s, 2);
    if (rawPath === '/__admin' || rawPath.startsWith('/__admin/')) {
      readBody(req)
        .then((text) => {
          let body: unknown = undefined;
          if (text.trim() !== '') body = JSON.parse(text);
          const reply = handleAdmin(
            admin,
            req.method ?? 'GET',
            rawPath
              .split('/')
              .filter((s) => s !== '')
              .slice(1),
            body,
          );
          send(
            res,
            { status: reply.status, body: JSON.stringify(reply.body), headers: {}, rows: 0 },
            req.method === 'HEAD',
          );
        })
        .catch((e: unknown) =>
          send(
            res,
            { status: 400, body: JSON.stringify({ error: (e as Error).message }), headers: {}, rows: 0 },
            false,
          ),
        );
      return;
    }
    const fired: Fault[] = [];
    res.on('close', () => {
      log.add({
        method: req.method ?? 'GET',
        path: rawPath,
        query: rawQuery,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        faults: fired.map((f) => f.rule),
      });
    });
    serve(req, rawPath, rawQuery, fired)
      .then((reply) => deliver(res, reply, fired, req.method === 'HEAD'))
      .catch((e: unknown) => {
        const status = e instanceof WmsError ? e.status : 500;
        const error =
          e instanceof WmsError ? e : new WmsError(500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred.');
        if (!(e instanceof WmsError))
          process.stderr.write(`wms-simulator: internal error: ${(e as Error).stack ?? String(e)}\n`);
        deliver(res, { status, body: error.body(), headers: error.headers, rows: 0 }, fired, req.method === 'HEAD');
      });
  });

  async function serve(req: IncomingMessage, rawPath: string, rawQuery: string, fired: Fault[]): Promise<Reply> {
    const segments = rawPath.split('/').filter((s) => s !== '');
    // `format=json`'s suffix form: `…/allocation/.json` or `…/allocation.json`.
    const last = segments[segments.length - 1];
    if (last === '.json') segments.pop();
    else if (last?.endsWith('.json')) segments[segments.length - 1] = last.slice(0, -'.json'.length);
    if (segments[0] !== o.env) throw WmsError.notFound('Not found.');
    const method = req.method ?? 'GET';

    if (segments[1] === 'api' && segments[2] === 'oauth2' && segments[3] === 'token' && segments.length === 4) {
      injectFaults({ op: 'token', entity: null }, fired);
      if (method !== 'POST') throw new WmsError(405, 'METHOD_NOT_ALLOWED', `Method "${method}" not allowed.`);
      const reply = auth.token(req.headers.authorization, new URLSearchParams(await readBody(req)));
      return { status: reply.status, body: reply.body, headers: {}, rows: 0 };
    }
    if (segments[1] !== 'wms' || segments[2] !== 'lgfapi' || segments[3] !== 'v10' || segments[4] !== 'entity') {
      throw WmsError.notFound('Not found.');
    }
    const rest = segments.slice(5);
    if (method !== 'GET' && method !== 'HEAD')
      throw new WmsError(405, 'METHOD_NOT_ALLOWED', `Method "${method}" not allowed.`);
    auth.authenticate(req.headers.authorization);
    injectFaults(targetOf(rest), fired);
    const host = originOf(req);
    const apiRequest: ApiRequest = {
      method,
      segments: rest,
      query: QueryString.parse(rawQuery),
      origin: host,
      envPath,
      rawPath,
      ifModifiedSince: header(req, 'if-modified-since'),
      fired,
    };
    return api.handle(apiRequest);
  }

  /** Records the request-level faults that fire and throws the ones that replace the answer. */
  function injectFaults(target: RequestTarget, fired: Fault[]): void {
    fired.push(...admin.faults.fire(target, REQUEST_FAULTS));
    for (const f of fired) {
      switch (f.kind) {
        case '429':
          throw new WmsError(429, 'TOO_MANY_REQUESTS', 'Request was throttled.', undefined, {
            'Retry-After': String(f.args[0]),
          });
        case '500':
          throw new WmsError(500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred.');
        case '502':
          throw new WmsError(502, 'BAD_GATEWAY', 'Bad gateway.');
        case '503':
          throw new WmsError(503, 'SERVICE_UNAVAILABLE', 'Service temporarily unavailable.');
        case '504':
          throw new WmsError(504, 'GATEWAY_TIMEOUT', 'Gateway timeout.');
        case 'html502':
          throw new HtmlGatewayError();
      }
    }
  }

  function deliver(res: ServerResponse, reply: Reply, fired: readonly Fault[], head: boolean): void {
    let delay = settings.latencyMs + settings.latencyMsPerRow * reply.rows;
    let resetAfter: number | null = null;
    for (const f of fired) {
      if (f.kind === 'latency') delay += f.args[0] + f.args[1] * reply.rows;
      if (f.kind === 'stall') delay += f.args[0];
      if (f.kind === 'wms-latency') delay += realPageLatencyMs(f.draw) * f.args[0];
      if (f.kind === 'reset') resetAfter = f.args[0]!;
    }
    later(delay, () => {
      if (res.destroyed) return;
      if (resetAfter === null) return send(res, reply, head);
      // Headers promise the whole body; the connection dies part-way through it.
      const bytes = Buffer.from(reply.body);
      res.writeHead(reply.status, { ...headersOf(reply, bytes.length) });
      res.write(bytes.subarray(0, Math.min(resetAfter, Math.max(0, bytes.length - 1))), () => res.socket?.destroy());
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host === '0.0.0.0' ? '127.0.0.1' : o.host;
  const url = `http://${hostForUrl}:${port}`;
  return {
    url,
    baseUrl: `${url}${envPath}`,
    port,
    env: o.env,
    admin,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A wrong host or a sick gateway answers with HTML, not JSON (wms-api.md §2, §5). */
class HtmlGatewayError extends WmsError {
  constructor() {
    super(502, 'BAD_GATEWAY', 'Bad gateway.');
  }

  override body(): string {
    return GATEWAY_PAGE;
  }
}

function targetOf(rest: readonly string[]): RequestTarget {
  const [entity, second] = rest;
  if (entity === undefined) return { op: 'entities', entity: null };
  if (second === 'describe') return { op: 'describe', entity };
  return { op: second === undefined ? 'list' : 'retrieve', entity };
}

/** `http://host:port` from the Host header, always with an explicit port, like WMS's `:443` links. */
function originOf(req: IncomingMessage): string {
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  const hasPort = /:\d+$/.test(host) && !/^\[[^\]]*\]$/.test(host);
  return `http://${hasPort ? host : `${host}:${req.socket.localPort}`}`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function headersOf(reply: Reply, length: number): Record<string, string> {
  const html = reply.body.startsWith('<html>');
  return {
    'Content-Type': html ? 'text/html' : 'application/json; charset=utf-8',
    'Content-Length': String(length),
    ...reply.headers,
  };
}

function send(res: ServerResponse, reply: Reply, head: boolean): void {
  const bytes = Buffer.from(reply.body);
  res.writeHead(reply.status, headersOf(reply, bytes.length));
  res.end(head || reply.status === 304 ? undefined : bytes);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
