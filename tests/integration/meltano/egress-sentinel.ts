import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface EgressSentinel {
  /** `http://127.0.0.1:port`: set as HTTP(S)_PROXY so that any proxy-aware client going out lands here instead. */
  url: string;
  /** What arrived: the first line of each connection (`CONNECT host:443 HTTP/1.1`, `GET http://… HTTP/1.1`). */
  attempts: string[];
  close(): Promise<void>;
}

/**
 * A TCP listener standing in for the internet. Children get it as their proxy (with NO_PROXY for 127.0.0.1), so a
 * request to anywhere but this machine is recorded and refused rather than sent.
 */
export async function startEgressSentinel(): Promise<EgressSentinel> {
  const attempts: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', (chunk: Buffer) => {
      attempts.push(chunk.toString('latin1').split('\r\n', 1)[0] ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Proxy variables in both spellings (Python reads lower case first, Node libraries either). */
export function proxyEnv(proxyUrl: string): Record<string, string> {
  const noProxy = '127.0.0.1,localhost';
  return {
    HTTP_PROXY: proxyUrl,
    HTTPS_PROXY: proxyUrl,
    ALL_PROXY: proxyUrl,
    http_proxy: proxyUrl,
    https_proxy: proxyUrl,
    all_proxy: proxyUrl,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };
}
