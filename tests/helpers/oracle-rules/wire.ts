import type { BoundValue } from './database.js';
import { decimalText, parseDecimal } from './decimal.js';
import { OracleError } from './oracle-error.js';
import type { ColumnType, OraValue } from './types.js';

/**
 * JSON forms of what crosses between the fake driver (in a target process) and the rules database (in the test
 * process): binds as the driver would send them, result values, and errors with their code.
 */

/** One bind: its text (or null), the type the driver binds it as, and whether Thin sends it as LONG. */
export interface WireBind {
  v: string | boolean | null;
  k: 'string' | 'number' | 'clob' | 'boolean';
  long?: boolean;
}

export type WireBinds = WireBind[] | Record<string, WireBind>;

export type WireValue =
  null | ['n' | 's' | 'c' | 'j', string] | ['t', string, number | null] | ['d', string] | ['b', boolean];

export interface WireQuery {
  columns: string[];
  types: (ColumnType | null)[];
  rows: WireValue[][];
  /** The session's NLS settings, for conversions the driver asks the server to make (datetime → text). */
  nls: { numericCharacters: string; set: string[] };
}

export function toBound(bind: WireBind): BoundValue {
  const long = bind.long === true;
  if (bind.v === null) return { value: null, long };
  switch (bind.k) {
    case 'number': {
      const n = parseDecimal(String(bind.v));
      if (!n) throw new OracleError('NJS-011', 'encountered bind value and type mismatch');
      return { value: { t: 'number', n }, long };
    }
    case 'boolean':
      return { value: { t: 'boolean', b: bind.v === true }, long };
    case 'clob':
      return { value: bind.v === '' ? null : { t: 'clob', s: String(bind.v) }, long };
    default:
      // A zero-length string is NULL in Oracle.
      return { value: bind.v === '' ? null : { t: 'string', s: String(bind.v), long }, long };
  }
}

export function toWire(value: OraValue): WireValue {
  if (value === null) return null;
  switch (value.t) {
    case 'number':
      return ['n', decimalText(value.n)];
    case 'string':
      return ['s', value.s];
    case 'clob':
      return ['c', value.s];
    case 'json':
      return ['j', value.s];
    case 'timestamp':
      return ['t', String(value.micros), value.offsetMinutes ?? null];
    case 'date':
      return ['d', String(value.micros)];
    case 'boolean':
      return ['b', value.b];
  }
}

export interface WireError {
  message: string;
  code?: string;
  errorNum?: number;
  rule?: string;
}

export function errorToWire(error: unknown): WireError {
  const e = error as { message?: string; code?: string; errorNum?: number; rule?: string };
  return { message: e.message ?? String(error), code: e.code, errorNum: e.errorNum, rule: e.rule };
}

/** An Error like the driver's (message, code, errorNum), rebuilt on the driver's side. */
export function errorFromWire(wire: WireError): Error {
  return Object.assign(new Error(wire.message), {
    ...(wire.code ? { code: wire.code } : {}),
    ...(wire.errorNum !== undefined ? { errorNum: wire.errorNum } : {}),
    ...(wire.rule ? { rule: wire.rule } : {}),
  });
}

/**
 * A 'data' listener for newline-delimited JSON on a socket with an encoding set: calls `onLine` per whole line.
 * Each chunk is searched once (a 40 MB request arrives in hundreds of chunks; searching the whole buffer again at
 * each one would take quadratic time).
 */
export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let pending: string[] = [];
  return (chunk) => {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      pending.push(chunk.slice(start, nl));
      const line = pending.join('');
      pending = [];
      start = nl + 1;
      onLine(line);
    }
    if (start < chunk.length) pending.push(chunk.slice(start));
  };
}
