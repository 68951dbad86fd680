import { OracleError } from './oracle-error.js';
import { real, type DbType } from './real-driver.js';
import type { WireBind, WireBinds } from './wire.js';

export interface BindDefLike {
  type?: DbType;
  maxSize?: number;
  dir?: number;
}

/** What binding costs beyond the call itself: Thin writes each non-empty CLOB value to a temporary LOB. */
export interface BindCost {
  temporaryLobs: number;
}

function plain(value: unknown, maxStringBytes: number, cost: BindCost): WireBind {
  if (value === null || value === undefined) return { v: null, k: 'string' };
  if (typeof value === 'string') return { v: value, k: 'string', long: Buffer.byteLength(value) > maxStringBytes };
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && Number.isNaN(value)) throw new OracleError('NJS-105', 'value is NaN');
    return { v: String(value), k: 'number' };
  }
  if (typeof value === 'boolean') return { v: value, k: 'boolean' };
  if (typeof value === 'object' && 'val' in value) {
    const def = value as BindDefLike & { val: unknown };
    return typed(def.val, def, maxStringBytes, cost, 1, 0);
  }
  throw new OracleError('NJS-011', 'encountered bind value and type mismatch (not modelled by the rules session)');
}

/** A value bound with an explicit type (execute's {val, type} or executeMany's bindDefs). */
function typed(
  value: unknown,
  def: BindDefLike,
  maxStringBytes: number,
  cost: BindCost,
  position: number,
  row: number,
): WireBind {
  const type = def.type;
  if (type === real.DB_TYPE_CLOB || type === real.DB_TYPE_NCLOB) {
    if (value !== null && value !== undefined && typeof value !== 'string')
      throw new OracleError('NJS-011', 'encountered bind value and type mismatch');
    // node-oracledb Thin: each non-empty string bound as a LOB becomes a temporary LOB (create + write round trips).
    if (typeof value === 'string' && value.length > 0) cost.temporaryLobs += 1;
    return { v: value ?? null, k: 'clob' };
  }
  if (
    type === real.DB_TYPE_VARCHAR ||
    type === real.DB_TYPE_NVARCHAR ||
    type === real.DB_TYPE_CHAR ||
    type === undefined
  ) {
    if (value === null || value === undefined)
      return { v: null, k: 'string', long: (def.maxSize ?? 0) > maxStringBytes };
    if (typeof value !== 'string') {
      if (type === undefined) return plain(value, maxStringBytes, cost);
      throw new OracleError('NJS-011', 'encountered bind value and type mismatch');
    }
    const bytes = Buffer.byteLength(value);
    if (def.maxSize !== undefined && bytes > def.maxSize)
      throw new OracleError(
        'NJS-058',
        `maxSize of ${def.maxSize} is too small for value of length ${bytes} in row ${row}`,
      );
    return { v: value, k: 'string', long: Math.max(def.maxSize ?? 0, bytes) > maxStringBytes };
  }
  if (type === real.DB_TYPE_NUMBER) {
    if (value === null || value === undefined) return { v: null, k: 'number' };
    if (typeof value !== 'number' && typeof value !== 'bigint')
      throw new OracleError('NJS-011', 'encountered bind value and type mismatch');
    return { v: String(value), k: 'number' };
  }
  if (type === real.DB_TYPE_BOOLEAN) {
    if (value !== null && value !== undefined && typeof value !== 'boolean')
      throw new OracleError('NJS-011', 'encountered bind value and type mismatch');
    return { v: value ?? null, k: 'boolean' };
  }
  throw new OracleError(
    'NJS-011',
    `bind type ${type.name} at position ${position} is not modelled by the rules session`,
  );
}

/** execute(): positional array or named object of plain values or {val, type, maxSize}. */
export function executeBinds(binds: unknown, maxStringBytes: number, cost: BindCost): WireBinds {
  if (Array.isArray(binds)) return binds.map((v) => plain(v, maxStringBytes, cost));
  if (binds && typeof binds === 'object')
    return Object.fromEntries(Object.entries(binds).map(([k, v]) => [k, plain(v, maxStringBytes, cost)]));
  return [];
}

/**
 * executeMany(): every row bound like the first, by `bindDefs` when given (STRING needs maxSize, NJS-056; a longer
 * value fails with NJS-058), else by scanning all rows for each position's type and largest size.
 * https://node-oracledb.readthedocs.io/en/latest/user_guide/batch_statement.html
 * https://node-oracledb.readthedocs.io/en/latest/api_manual/connection.html#executemanyoptbinddefs
 */
export function executeManyBinds(
  rows: unknown[],
  bindDefs: BindDefLike[] | Record<string, BindDefLike> | undefined,
  maxStringBytes: number,
  cost: BindCost,
): WireBinds[] {
  if (rows.length === 0) return [];
  const named = !Array.isArray(rows[0]);
  const keys = named
    ? Object.keys((bindDefs as Record<string, BindDefLike> | undefined) ?? (rows[0] as object))
    : [...(rows[0] as unknown[]).keys()];
  const defs = keys.map((key, i) => {
    const given =
      bindDefs === undefined
        ? undefined
        : named
          ? (bindDefs as Record<string, BindDefLike>)[key]
          : (bindDefs as BindDefLike[])[i];
    if (given) {
      const isString =
        given.type === real.DB_TYPE_VARCHAR || given.type === real.DB_TYPE_NVARCHAR || given.type === real.DB_TYPE_CHAR;
      if (isString && !(given.maxSize !== undefined && given.maxSize > 0))
        throw new OracleError(
          'NJS-056',
          `maxSize for bind position ${i + 1} must be specified and be greater than zero`,
        );
      return given;
    }
    const values = rows.map((r) => (named ? (r as Record<string, unknown>)[key] : (r as unknown[])[i]));
    const first = values.find((v) => v !== null && v !== undefined);
    if (typeof first === 'number' || typeof first === 'bigint') return { type: real.DB_TYPE_NUMBER };
    if (typeof first === 'boolean') return { type: real.DB_TYPE_BOOLEAN };
    const maxSize = Math.max(1, ...values.map((v) => (typeof v === 'string' ? Buffer.byteLength(v) : 0)));
    return { type: real.DB_TYPE_VARCHAR, maxSize };
  });
  return rows.map((row, r) => {
    const values = keys.map((key, i) => (named ? (row as Record<string, unknown>)[key] : (row as unknown[])[i]));
    const wire = values.map((v, i) => typed(v, defs[i], maxStringBytes, cost, i + 1, r));
    return named ? Object.fromEntries(keys.map((k, i) => [k, wire[i]])) : wire;
  });
}
