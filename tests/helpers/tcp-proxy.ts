import net from 'node:net';

/** One client connection through the proxy, and its upstream socket. */
export interface ProxiedConnection {
  /** The upstream socket's local port: what the server sees as the client's port (PostgreSQL `client_port`). */
  readonly upstreamPort: number;
  /** Settles when either side has closed. */
  readonly closed: Promise<void>;
  /** Stops forwarding both ways and keeps both sockets open: a half-open connection (the peer never answers). */
  blackhole(): void;
  /** Resets both sockets: what a client sees when the server's host restarts or the network drops. */
  reset(): void;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a server, so a test can find the server-side session of one client process
 * (by the upstream port) and break its connection the ways a network or a server restart does.
 */
export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  readonly connections: ProxiedConnection[];
  /** Resolves with the `n`th connection (1-based) once it is established upstream. */
  connection(n: number): Promise<ProxiedConnection>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const connections: ProxiedConnection[] = [];
  const waiters: (() => void)[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    let forwarding = true;
    client.on('data', (chunk: Buffer) => void (forwarding && upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => void (forwarding && client.write(chunk)));
    const closed = new Promise<void>((resolve) => {
      const end = () => {
        if (forwarding) {
          client.destroy();
          upstream.destroy();
        }
        resolve();
      };
      client.once('close', end);
      upstream.once('close', end);
    });
    upstream.once('connect', () => {
      connections.push({
        upstreamPort: upstream.localPort!,
        closed,
        blackhole: () => {
          forwarding = false;
        },
        reset: () => {
          forwarding = false;
          client.resetAndDestroy();
          upstream.resetAndDestroy();
        },
      });
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    connections,
    async connection(n) {
      while (connections.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
      return connections[n - 1];
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
