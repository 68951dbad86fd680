import http from 'node:http';
import type net from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 in front of a server that holds the requests a test chooses until it releases them: a
 * run is then provably in flight (waiting for its answer) for as long as the test needs, with no delay to guess.
 */
export interface HttpGate {
  /** The proxy's base URL: `target`'s, with the proxy's host and port. */
  readonly url: string;
  /** Resolves once the first held request has arrived. */
  readonly holding: Promise<void>;
  /** Forwards the held requests and every later one. */
  release(): void;
  close(): Promise<void>;
}

/** `holds` sees each request's URL (as sent to `target`) and says whether it waits for `release()`. */
export async function startHttpGate(target: string, holds: (url: URL) => boolean): Promise<HttpGate> {
  const upstream = new URL(target);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const holding = new Promise<void>((resolve) => (arrived = resolve));
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    const forward = () => {
      const proxied = http.request(
        { host: upstream.hostname, port: upstream.port, path, method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      proxied.on('error', () => response.destroy());
      request.pipe(proxied);
    };
    if (holds(new URL(path, upstream))) {
      arrived();
      void released.then(forward);
    } else forward();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.slice(upstream.origin.length)}`,
    holding,
    release,
    close: () =>
      new Promise((resolve) => {
        release();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
