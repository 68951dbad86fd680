import net from 'node:net';
import type { Request, RulesBackend } from './backend.js';
import { parseConnectString } from './connect-string.js';
import type { Link } from './driver.js';
import { OracleError } from './oracle-error.js';
import { errorFromWire, errorToWire, lineSplitter, type WireError } from './wire.js';

/** Everything crosses as JSON, in process too, so both links behave alike (bigints, Dates and errors included). */
function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function inProcessLink(backend: RulesBackend): Link {
  return {
    async request(request) {
      try {
        return clone(await backend.handle(clone(request)));
      } catch (error) {
        throw errorFromWire(errorToWire(error));
      }
    },
  };
}

type Reply = { id: number; result?: unknown; error?: WireError };

/**
 * The link of a target process: one socket per rules server (host:port from the connect string, like a listener),
 * newline-delimited JSON. The socket never keeps the process alive while no call is pending; if it closes, pending
 * and later calls fail like a broken connection (NJS-500), and a server that is not there fails like one that is
 * not listening (NJS-503).
 */
export function remoteLink(): Link {
  const sockets = new Map<string, Promise<Channel>>();
  const sessionChannel = new Map<number, Promise<Channel>>();
  return {
    async request(request) {
      let channel: Promise<Channel>;
      if (request.method === 'open') {
        const { host, port } = parseConnectString(request.connectString);
        const key = `${host}:${port}`;
        if (!sockets.has(key)) sockets.set(key, Channel.connect(host, port));
        channel = sockets.get(key)!;
        const result = (await (await channel).call(request)) as { session: number };
        sessionChannel.set(result.session, channel);
        return result;
      }
      channel =
        sessionChannel.get(request.session) ??
        Promise.reject(new OracleError('NJS-003', 'invalid or closed connection'));
      const open = await channel;
      if (request.method !== 'close') return open.call(request);
      // A closed (or dropped) connection's socket is gone in the real driver: its calls still waiting fail.
      sessionChannel.delete(request.session);
      try {
        return await open.call(request);
      } finally {
        open.abandon(request.session);
      }
    },
  };
}

class Channel {
  readonly #socket: net.Socket;
  readonly #pending = new Map<
    number,
    { session?: number; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  #next = 1;
  #closed = false;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    // Decoded across chunks: a multi-byte character split between two chunks stays whole.
    socket.setEncoding('utf8');
    socket.on(
      'data',
      lineSplitter((line) => {
        const reply = JSON.parse(line) as Reply;
        const waiter = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        if (this.#pending.size === 0) socket.unref();
        if (reply.error) waiter?.reject(errorFromWire(reply.error));
        else waiter?.resolve(reply.result);
      }),
    );
    socket.on('close', () => {
      this.#closed = true;
      for (const waiter of this.#pending.values())
        waiter.reject(new OracleError('NJS-500', 'connection to Oracle Database was closed or broken'));
      this.#pending.clear();
    });
    socket.on('error', () => undefined);
    socket.unref();
  }

  static connect(host: string, port: number): Promise<Channel> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => resolve(new Channel(socket)));
      socket.once('error', () =>
        reject(new OracleError('NJS-503', `connection to host ${host} port ${port} could not be established`)),
      );
    });
  }

  /** Fails the calls of a session that is closed while they wait (its answers, if any, are ignored). */
  abandon(session: number): void {
    for (const [id, waiter] of this.#pending) {
      if (waiter.session !== session) continue;
      this.#pending.delete(id);
      waiter.reject(new OracleError('NJS-500', 'connection to Oracle Database was closed or broken'));
    }
    if (this.#pending.size === 0) this.#socket.unref();
  }

  call(request: Request): Promise<unknown> {
    if (this.#closed)
      return Promise.reject(new OracleError('NJS-500', 'connection to Oracle Database was closed or broken'));
    const id = this.#next++;
    this.#socket.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { session: 'session' in request ? request.session : undefined, resolve, reject });
      this.#socket.write(`${JSON.stringify({ id, request })}\n`);
    });
  }
}
