import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin-http.js';
import {
  type DataExtractExportOptions,
  type DataExtractExportResult,
  type ExtractFileSink,
  writeDataExtract,
} from './data-extract-export.js';
import { AuthService } from './auth.js';
import { DataExtractService } from './data-extract-service.js';
import { SimClock } from './clock.js';
import { QueryString } from './query-string.js';
import { RequestLog } from './request-log.js';
import { SimulatorAdmin } from './simulator-admin.js';
import { resolveOptions, type SimulatorOptions } from './simulator-options.js';
import { Tenant } from './tenant.js';
import { WmsApi, type ApiRequest } from './wms-api.js';
import { WmsError } from './wms-error.js';
import type { Fault, FaultPlan } from './fault-plan.js';
import { header, originOf, readBody, type Reply, send } from './http-wire.js';
import { deliver as deliverWithFaults, injectFaults, targetOf } from './request-faults.js';

export interface RunningSimulator {
  /** `http://127.0.0.1:port` */
  readonly url: string;
  /** `http://127.0.0.1:port/{env}`: what a tap takes as its base URL. */
  readonly baseUrl: string;
  readonly port: number;
  readonly env: string;
  readonly admin: SimulatorAdmin;
  /** Writes an entity's current rows as Data Extract files into `sink` (data-extract-export.ts). */
  writeDataExtract(sink: ExtractFileSink, options: DataExtractExportOptions): Promise<DataExtractExportResult>;
  close(): Promise<void>;
}

/** Starts an lgfapi v10 simulator (node:http) and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const o = resolveOptions(options);
  const tenant = new Tenant({ seed: o.seed, rows: o.rows, dataEpochMs: o.dataEpochMs, historyDays: o.historyDays });
  const clock = new SimClock(o.clockStartMs);
  const settings = { ...o.settings };
  const auth = new AuthService(o.users, o.clients, clock, () => settings.tokenTtlSeconds);
  const log = new RequestLog();
  // The export faults are read from the admin's current plan when an export is requested, after admin exists.
  const dataExtract = new DataExtractService(tenant, clock, settings, (): FaultPlan => admin.faults);
  const admin = new SimulatorAdmin(
    tenant,
    clock,
    settings,
    { ...o.settings },
    auth,
    log,
    o.faults,
    o.seed,
    dataExtract,
  );
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
      injectFaults(admin.faults, { op: 'token', entity: null }, fired);
      if (method !== 'POST') throw new WmsError(405, 'METHOD_NOT_ALLOWED', `Method "${method}" not allowed.`);
      const reply = auth.token(req.headers.authorization, new URLSearchParams(await readBody(req)));
      return { status: reply.status, body: reply.body, headers: {}, rows: 0 };
    }
    if (segments[1] !== 'wms' || segments[2] !== 'lgfapi' || segments[3] !== 'v10')
      throw WmsError.notFound('Not found.');
    if (segments[4] === 'data_extract' && segments.length === 6)
      return dataExtractCall(req, method, segments[5], QueryString.parse(rawQuery), fired);
    if (segments[4] !== 'entity') throw WmsError.notFound('Not found.');
    const rest = segments.slice(5);
    if (method !== 'GET' && method !== 'HEAD')
      throw new WmsError(405, 'METHOD_NOT_ALLOWED', `Method "${method}" not allowed.`);
    auth.authenticate(req.headers.authorization);
    injectFaults(admin.faults, targetOf(rest), fired);
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

  /** The guessed Data Extract calls (data-extract-service.ts): authenticated, and `*` request faults apply. */
  async function dataExtractCall(
    req: IncomingMessage,
    method: string,
    call: string,
    query: QueryString,
    fired: Fault[],
  ): Promise<Reply> {
    const expected = call === 'push_to_object_store' ? 'POST' : call === 'export_async_status' ? 'GET' : undefined;
    if (expected === undefined) throw WmsError.notFound('Not found.');
    if (method !== expected) throw new WmsError(405, 'METHOD_NOT_ALLOWED', `Method "${method}" not allowed.`);
    auth.authenticate(req.headers.authorization);
    injectFaults(admin.faults, { op: 'export', entity: null }, fired);
    let answer: unknown;
    if (expected === 'GET') answer = await dataExtract.status(query.get('unique_identifier'));
    else {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        throw WmsError.validation({ body: 'Not a JSON object.' });
      }
      answer = dataExtract.push(body, `${originOf(req)}${envPath}/wms/lgfapi/v10/entity/`);
    }
    return { status: 200, body: JSON.stringify(answer), headers: {}, rows: 0 };
  }

  const deliver = (res: ServerResponse, reply: Reply, fired: readonly Fault[], head: boolean): void =>
    deliverWithFaults(res, reply, fired, head, settings, later);

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
    writeDataExtract: (sink, options) =>
      writeDataExtract(tenant, clock, `${url}${envPath}/wms/lgfapi/v10/entity/`, sink, options),
    close: async () => {
      await dataExtract.settle();
      await new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
