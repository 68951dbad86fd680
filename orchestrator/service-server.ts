import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../singer/index.js';

export interface ServiceHandlers {
  health(): Promise<{ ok: boolean; [key: string]: unknown }>;
  metrics(): string;
}

/** `/health` (JSON, 200 or 503) and `/metrics` (Prometheus text) for `serve`; loopback by default. */
export async function startServiceServer(
  host: string,
  port: number,
  handlers: ServiceHandlers,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(handlers.metrics());
      return;
    }
    if (url.pathname === '/health') {
      handlers.health().then(
        (report) =>
          res
            .writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' })
            .end(`${JSON.stringify(report, null, 2)}\n`),
        (error: Error) =>
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ ok: false, error: error.message })),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /health or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      // Another process on the port is a setting to change, not a failure to retry: exit 2 like any config problem.
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES')
        reject(
          new ConfigError(
            `'serve_port' ${port} on ${host} cannot be used (${error.code === 'EADDRINUSE' ? 'already in use, another wms-pipeline serve?' : 'permission denied'}): stop that process or set another serve_port (0 = any free port)`,
          ),
        );
      else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
