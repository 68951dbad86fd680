import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { RULES_PASSWORD, type Request, type RulesBackend } from './backend.js';
import { errorToWire, lineSplitter } from './wire.js';

export interface RulesServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves a rules backend to target processes on 127.0.0.1 (newline-delimited JSON, see link.ts). When a process
 * goes away its sessions end as the database's process monitor would end them: their transactions roll back.
 */
export async function serveRules(backend: RulesBackend): Promise<RulesServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const sessions = new Set<number>();
    // Decoded across chunks: a multi-byte character split between two chunks stays whole.
    socket.setEncoding('utf8');
    socket.on(
      'data',
      lineSplitter((line) => {
        const { id, request } = JSON.parse(line) as { id: number; request: Request };
        backend.handle(request).then(
          (result) => {
            if (request.method === 'open') sessions.add((result as { session: number }).session);
            if (request.method === 'close') sessions.delete(request.session);
            if (!socket.destroyed) socket.write(`${JSON.stringify({ id, result })}\n`);
          },
          (error: unknown) => {
            if (!socket.destroyed) socket.write(`${JSON.stringify({ id, error: errorToWire(error) })}\n`);
          },
        );
      }),
    );
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      for (const id of sessions) {
        const session = backend.openSessions.find((s) => s.id === id);
        if (session) backend.db.close(session);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Environment for a target process that should reach the rules server instead of Oracle: Node preloads a hook that
 * resolves `oracledb` to the fake driver (nothing in the target changes).
 */
export function rulesProcessEnv(): Record<string, string> {
  const register = fileURLToPath(new URL('./register.js', import.meta.url));
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${register}`.trim() };
}

/** The connection settings of a target-oracle config that reaches `server` (its test user and password). */
export function rulesConnectionConfig(server: RulesServer): Record<string, unknown> {
  return {
    dialect: 'oracle',
    host: server.host,
    port: server.port,
    service_name: 'FREEPDB1',
    user: 'test',
    password: RULES_PASSWORD,
  };
}
