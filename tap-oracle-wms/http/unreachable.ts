import { SourceError } from '../../singer/index.js';
import { shownOrigin } from './url-text.js';

/**
 * A request that never reached an HTTP server: the host name did not resolve, nothing accepted the connection, or
 * there was no route. Such failures say nothing about the WMS's load, so they get their own short retry budget
 * (connect_retry_seconds) instead of the backoff meant for a busy server, and the run fails in seconds naming
 * scheme://host:port and what to check. A host name that does not exist (ENOTFOUND) is not retried at all.
 */
interface ConnectProblem {
  what: string;
  check: string;
  /** Whether the same run may pass later unchanged. A name that does not exist will not start to exist. */
  retriable: boolean;
}

const DNS_CHECK =
  "check the host name in base_url (e.g. <pod>.wms.ocs.oraclecloud.com) and this machine's DNS (or HTTPS_PROXY if a proxy is needed)";
const ROUTE_CHECK =
  'check the network path from this machine: VPN, firewall, HTTPS_PROXY/NO_PROXY, and the host and port in base_url';

const PROBLEMS: Record<string, ConnectProblem> = {
  ENOTFOUND: { what: 'the host name does not resolve', check: DNS_CHECK, retriable: false },
  EAI_FAIL: { what: 'the host name does not resolve', check: DNS_CHECK, retriable: false },
  EAI_AGAIN: { what: 'the DNS lookup of the host failed', check: DNS_CHECK, retriable: true },
  ECONNREFUSED: {
    what: 'nothing accepts connections there',
    check:
      'check the host and port in base_url (lgfapi is served on https, port 443), that the WMS is up, and the proxy in HTTPS_PROXY if one is set',
    retriable: true,
  },
  EHOSTUNREACH: { what: 'there is no route to the host', check: ROUTE_CHECK, retriable: true },
  ENETUNREACH: { what: 'the network is unreachable', check: ROUTE_CHECK, retriable: true },
  EADDRNOTAVAIL: { what: 'the address cannot be used from this machine', check: ROUTE_CHECK, retriable: true },
};

/** Whether a transport error code means no connection was made at all. */
export function isConnectFailure(code: string): boolean {
  return code in PROBLEMS;
}

/** Whether retrying may help: a name the DNS says does not exist fails at once, without spending the budget. */
export function connectRetriable(code: string): boolean {
  return PROBLEMS[code]?.retriable ?? true;
}

/** The one-line reason, e.g. `cannot reach the WMS at https://h:443: nothing accepts connections there (ECONNREFUSED)`. */
export function unreachableReason(url: string, code: string): string {
  const problem = PROBLEMS[code];
  return `cannot reach the WMS at ${shownOrigin(url)}: ${problem?.what ?? 'the connection failed'} (${code})`;
}

/** The error that ends the run (exit 4) once the connect budget is spent. */
export function unreachableError(url: string, code: string, attempts: number, seconds: number): SourceError {
  const problem = PROBLEMS[code];
  const tries = attempts > 1 ? ` (${attempts} attempts in ${seconds.toFixed(1)} s)` : '';
  return new SourceError(`${unreachableReason(url, code)}${tries}: ${problem?.check ?? ROUTE_CHECK}`, {
    retriable: problem?.retriable ?? true,
  });
}
