import type { ServerResponse } from 'node:http';
import { type Fault, type FaultPlan, realPageLatencyMs, REQUEST_FAULTS, type RequestTarget } from './fault-plan.js';
import { headersOf, type Reply, send } from './http-wire.js';
import type { RuntimeSettings } from './simulator-options.js';
import { WmsError } from './wms-error.js';

const GATEWAY_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** A wrong host or a sick gateway answers with HTML, not JSON (docs/lgfapi.md §2, §5). */
class HtmlGatewayError extends WmsError {
  constructor() {
    super(502, 'BAD_GATEWAY', 'Bad gateway.');
  }

  override body(): string {
    return GATEWAY_PAGE;
  }
}

export function targetOf(rest: readonly string[]): RequestTarget {
  const [entity, second] = rest;
  if (entity === undefined) return { op: 'entities', entity: null };
  if (second === 'describe') return { op: 'describe', entity };
  return { op: second === undefined ? 'list' : 'retrieve', entity };
}

/** Records the request-level faults that fire and throws the ones that replace the answer. */
export function injectFaults(plan: FaultPlan, target: RequestTarget, fired: Fault[]): void {
  fired.push(...plan.fire(target, REQUEST_FAULTS));
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

/**
 * Sends the reply after the configured latency and the fired faults' delays; a `reset` fault promises the whole
 * body in its headers and destroys the connection part-way through it.
 */
export function deliver(
  res: ServerResponse,
  reply: Reply,
  fired: readonly Fault[],
  head: boolean,
  settings: RuntimeSettings,
  later: (ms: number, fn: () => void) => void,
): void {
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
    const bytes = Buffer.from(reply.body);
    res.writeHead(reply.status, { ...headersOf(reply, bytes.length) });
    res.write(bytes.subarray(0, Math.min(resetAfter, Math.max(0, bytes.length - 1))), () => res.socket?.destroy());
  });
}
