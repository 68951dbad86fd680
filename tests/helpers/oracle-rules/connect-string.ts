import { OracleError } from './oracle-error.js';

export interface ConnectTarget {
  protocol: 'tcp' | 'tcps';
  host: string;
  port: number;
  service?: string;
  sid?: string;
  /** EXPIRE_TIME / expire_time in minutes, when the string carries it. */
  expireTime?: number;
}

/**
 * The two connect-string forms node-oracledb Thin reads without a tnsnames.ora: Easy Connect
 * `[tcps://]host[:port][/service][?param=value&…]` and a full descriptor
 * `(DESCRIPTION=(ADDRESS=(PROTOCOL=…)(HOST=…)(PORT=…))(CONNECT_DATA=(SERVICE_NAME=…)|(SID=…)))`.
 * https://node-oracledb.readthedocs.io/en/latest/user_guide/connection_handling.html#easy-connect-syntax-for-connection-strings
 */
export function parseConnectString(text: string): ConnectTarget {
  const s = text.trim();
  if (s.startsWith('(')) {
    const value = (key: string) => new RegExp(`\\(\\s*${key}\\s*=\\s*([^()\\s]+)\\s*\\)`, 'i').exec(s)?.[1];
    const host = value('HOST');
    if (!host) throw new OracleError('NJS-501', 'connection to host could not be established (no HOST in descriptor)');
    const protocol = (value('PROTOCOL') ?? 'tcp').toLowerCase();
    const expire = value('EXPIRE_TIME');
    return {
      protocol: protocol === 'tcps' ? 'tcps' : 'tcp',
      host,
      port: Number(value('PORT') ?? 1521),
      service: value('SERVICE_NAME'),
      sid: value('SID'),
      expireTime: expire === undefined ? undefined : Number(expire),
    };
  }
  const m = /^(?:(tcps?):\/\/)?(?:\/\/)?([^:/?]+)(?::(\d+))?(?:\/([^?:]+))?(?:\?(.*))?$/i.exec(s);
  if (!m) throw new OracleError('NJS-501', `connect string not understood: ${s}`);
  const params = new URLSearchParams(m[5] ?? '');
  const expire = params.get('expire_time');
  return {
    protocol: (m[1] ?? 'tcp').toLowerCase() === 'tcps' ? 'tcps' : 'tcp',
    host: m[2],
    port: Number(m[3] ?? 1521),
    service: m[4],
    expireTime: expire === null ? undefined : Number(expire),
  };
}
