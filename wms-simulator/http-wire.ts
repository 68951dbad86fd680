import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the simulator writes for one request, before latency and faults shape its delivery. */
export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** Records in the body (drives per-row latency). */
  rows: number;
}

const MAX_BODY = 64 * 1024;

/** Response headers: JSON unless the body is an HTML gateway page; no body headers on 204/304 (RFC 9110 §8.6). */
export function headersOf(reply: Reply, length: number): Record<string, string> {
  if (reply.status === 204 || reply.status === 304) return { ...reply.headers };
  const html = reply.body.startsWith('<html>');
  return {
    'Content-Type': html ? 'text/html' : 'application/json; charset=utf-8',
    'Content-Length': String(length),
    ...reply.headers,
  };
}

export function send(res: ServerResponse, reply: Reply, head: boolean): void {
  const bytes = Buffer.from(reply.body);
  res.writeHead(reply.status, headersOf(reply, bytes.length));
  res.end(head || reply.status === 304 || reply.status === 204 ? undefined : bytes);
}

/** A request body (token requests, admin calls), refused past 64 KiB. */
export function readBody(req: IncomingMessage): Promise<string> {
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

/** `http://host:port` from the Host header, always with an explicit port, like WMS's `:443` links. */
export function originOf(req: IncomingMessage): string {
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  const hasPort = /:\d+$/.test(host) && !/^\[[^\]]*\]$/.test(host);
  return `http://${hasPort ? host : `${host}:${req.socket.localPort}`}`;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
