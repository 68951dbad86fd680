import type { Expr, Select } from './ast.js';
import {
  compareValues,
  isJson,
  text,
  toBoolean,
  toDatetime,
  toJson,
  toNumber,
  toText,
  zoneMinutes,
  storeValue,
  type ConversionContext,
} from './conversions.js';
import { addDecimal, fromInteger, negateDecimal, type Decimal } from './decimal.js';
import { OracleError } from './oracle-error.js';
import { resolveType, type OraValue } from './types.js';

/** Resolves column references of the rows in scope (FROM items of a query, MERGE target and source…). */
export interface Scope {
  column(qualifier: string | undefined, name: string): OraValue;
}

export interface EvalEnv extends ConversionContext {
  bind(expr: Extract<Expr, { kind: 'bind' }>): OraValue;
  scope: Scope;
  /** Runs a subquery with `outer` visible (correlation); rows of values. */
  subquery(select: Select, outer: Scope): OraValue[][];
  /** The value of an aggregate call over the current group (only inside an aggregating query). */
  aggregate?: (call: Extract<Expr, { kind: 'call' }>) => OraValue;
  version: number;
  /** SYS_CONTEXT('USERENV', …) values. */
  userenv: Record<string, string>;
  now: () => bigint;
}

const TRUE: OraValue = { t: 'boolean', b: true };
const FALSE: OraValue = { t: 'boolean', b: false };
const bool = (b: boolean | undefined): OraValue => (b === undefined ? null : b ? TRUE : FALSE);

export const AGGREGATES = new Set(['COUNT', 'MAX', 'MIN', 'SUM']);

/** True only for a TRUE condition (NULL and FALSE filter a row out). */
export function isTrue(value: OraValue): boolean {
  return value !== null && value.t === 'boolean' && value.b;
}

export function evaluate(expr: Expr, env: EvalEnv): OraValue {
  switch (expr.kind) {
    case 'null':
      return null;
    case 'string':
      return text(expr.value);
    case 'number':
      return toNumberLiteral(expr.value);
    case 'bind':
      return env.bind(expr);
    case 'column':
      return env.scope.column(expr.qualifier, expr.name);
    case 'star':
      throw new OracleError('ORA-00936', 'missing expression');
    case 'subquery': {
      const rows = env.subquery(expr.select, env.scope);
      if (rows.length > 1) throw new OracleError('ORA-01427', 'single-row subquery returns more than one row');
      return rows[0]?.[0] ?? null;
    }
    case 'exists':
      return bool(env.subquery(expr.select, env.scope).length > 0);
    case 'cast': {
      const type = resolveType(expr.type, { maxStringBytes: env.maxStringBytes, version: env.version });
      return storeValue(evaluate(expr.expr, env), { name: 'CAST', type }, 'CAST', env);
    }
    case 'not': {
      const v = evaluate(expr.expr, env);
      return v === null ? null : bool(!isTrue(v));
    }
    case 'neg': {
      const v = toNumber(evaluate(expr.expr, env), env) as { n: Decimal } | null;
      return v === null ? null : { t: 'number', n: negateDecimal(v.n) };
    }
    case 'isNull':
      return bool((evaluate(expr.expr, env) === null) !== expr.not);
    case 'isJson': {
      const v = evaluate(expr.expr, env);
      if (v === null) return null;
      return bool(('s' in v && isJson(v.s)) !== expr.not);
    }
    case 'in':
      return inList(expr, env);
    case 'like': {
      const v = evaluate(expr.expr, env);
      const p = evaluate(expr.pattern, env);
      if (v === null || p === null || !('s' in v) || !('s' in p)) return null;
      const re = new RegExp(
        `^${p.s
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')
          .replace(/_/g, '.')}$`,
        's',
      );
      return bool(re.test(v.s) !== expr.not);
    }
    case 'binary':
      return binary(expr, env);
    case 'call':
      return call(expr, env);
  }
}

function toNumberLiteral(value: string): OraValue {
  const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value)!;
  const frac = m[2] ?? '';
  return { t: 'number', n: { coef: BigInt(`${m[1]}${frac}` || '0'), exp: Number(m[3] ?? 0) - frac.length } };
}

function inList(expr: Extract<Expr, { kind: 'in' }>, env: EvalEnv): OraValue {
  const v = evaluate(expr.expr, env);
  if (v === null) return null;
  const candidates =
    expr.list.length === 1 && expr.list[0].kind === 'subquery'
      ? env.subquery(expr.list[0].select, env.scope).map((r) => r[0])
      : expr.list.map((e) => evaluate(e, env));
  let unknown = false;
  for (const c of candidates) {
    const cmp = compareValues(v, c, env);
    if (cmp === 0) return bool(!expr.not);
    if (cmp === undefined) unknown = true;
  }
  return unknown ? null : bool(expr.not);
}

function binary(expr: Extract<Expr, { kind: 'binary' }>, env: EvalEnv): OraValue {
  if (expr.op === 'AND' || expr.op === 'OR') {
    const a = evaluate(expr.left, env);
    const and = expr.op === 'AND';
    if (a !== null && isTrue(a) !== and) return bool(!and);
    const b = evaluate(expr.right, env);
    if (b !== null && isTrue(b) !== and) return bool(!and);
    return a === null || b === null ? null : bool(and);
  }
  const a = evaluate(expr.left, env);
  const b = evaluate(expr.right, env);
  if (expr.op === '||') {
    const left = a === null ? '' : ((toText(a, env) as { s: string } | null)?.s ?? '');
    const right = b === null ? '' : ((toText(b, env) as { s: string } | null)?.s ?? '');
    return a?.t === 'clob' || b?.t === 'clob' ? { t: 'clob', s: left + right } : text(left + right);
  }
  if (['+', '-', '*', '/'].includes(expr.op)) {
    const x = toNumber(a, env);
    const y = toNumber(b, env);
    if (x === null || y === null) return null;
    const p = (x as { n: Decimal }).n;
    const q = (y as { n: Decimal }).n;
    if (expr.op === '*') return { t: 'number', n: { coef: p.coef * q.coef, exp: p.exp + q.exp } };
    if (expr.op === '/') throw new OracleError('ORA-00900', 'division is not modelled by the rules session');
    return { t: 'number', n: addDecimal(p, expr.op === '+' ? q : negateDecimal(q)) };
  }
  const cmp = compareValues(a, b, env);
  if (cmp === undefined) return null;
  switch (expr.op) {
    case '=':
      return bool(cmp === 0);
    case '<>':
      return bool(cmp !== 0);
    case '<':
      return bool(cmp < 0);
    case '>':
      return bool(cmp > 0);
    case '<=':
      return bool(cmp <= 0);
    default:
      return bool(cmp >= 0);
  }
}

function stringArg(expr: Expr | undefined, env: EvalEnv): string | undefined {
  if (!expr) return undefined;
  const v = evaluate(expr, env);
  return v !== null && 's' in v ? v.s : undefined;
}

function call(expr: Extract<Expr, { kind: 'call' }>, env: EvalEnv): OraValue {
  const arg = (i: number) => evaluate(expr.args[i], env);
  const arity = (min: number, max = min) => {
    if (expr.args.length < min || expr.args.length > max)
      throw new OracleError('ORA-00909', `invalid number of arguments (${expr.name})`);
  };
  if (AGGREGATES.has(expr.name)) {
    if (!env.aggregate) throw new OracleError('ORA-00934', 'group function is not allowed here');
    return env.aggregate(expr);
  }
  switch (expr.name) {
    case 'TO_NUMBER':
      arity(1);
      return toNumber(arg(0), env);
    case 'TO_CHAR':
      arity(1, 2);
      return toText(arg(0), env, stringArg(expr.args[1], env));
    case 'TO_TIMESTAMP_TZ':
    case 'TO_TIMESTAMP':
    case 'TO_DATE':
      arity(1, 2);
      return toDatetime(
        arg(0),
        expr.name === 'TO_TIMESTAMP_TZ' ? 'tz' : expr.name === 'TO_DATE' ? 'date' : 'timestamp',
        env,
        stringArg(expr.args[1], env),
      );
    case 'TO_CLOB': {
      arity(1);
      const v = toText(arg(0), env);
      return v === null ? null : { t: 'clob', s: (v as { s: string }).s };
    }
    case 'TO_BOOLEAN':
      arity(1);
      if (env.version < 23) throw new OracleError('ORA-00904', '"TO_BOOLEAN": invalid identifier');
      return toBoolean(arg(0));
    case 'JSON':
      arity(1);
      if (env.version < 21) throw new OracleError('ORA-00904', '"JSON": invalid identifier');
      return toJson(arg(0));
    case 'SYS_EXTRACT_UTC': {
      arity(1);
      const v = arg(0);
      if (v === null) return null;
      if (v.t !== 'timestamp' || v.offsetMinutes === undefined)
        throw new OracleError(
          'ORA-30175',
          'invalid type given for an argument (SYS_EXTRACT_UTC needs a zoned timestamp)',
        );
      return { t: 'timestamp', micros: v.micros };
    }
    case 'FROM_TZ': {
      arity(2);
      const v = arg(0);
      const zone = stringArg(expr.args[1], env);
      if (v === null || zone === undefined) return null;
      if (v.t !== 'timestamp' || v.offsetMinutes !== undefined)
        throw new OracleError('ORA-00932', 'inconsistent datatypes: expected TIMESTAMP');
      const offset = zoneMinutes(zone);
      return { t: 'timestamp', micros: v.micros - BigInt(offset) * 60_000_000n, offsetMinutes: offset };
    }
    case 'GREATEST': {
      // NULL when any argument is NULL; compared like the first argument's type (SQL Language Reference, GREATEST).
      if (expr.args.length === 0) arity(1);
      let best: OraValue = null;
      for (const a of expr.args) {
        const v = evaluate(a, env);
        if (v === null) return null;
        if (best === null || compareValues(v, best, env)! > 0) best = v;
      }
      return best;
    }
    case 'COALESCE':
    case 'NVL':
      if (expr.name === 'NVL') arity(2);
      for (const a of expr.args) {
        const v = evaluate(a, env);
        if (v !== null) return v;
      }
      return null;
    case 'SYS_CONTEXT': {
      arity(2);
      const namespace = stringArg(expr.args[0], env)?.toUpperCase();
      const parameter = stringArg(expr.args[1], env)?.toUpperCase() ?? '';
      if (namespace !== 'USERENV' || !(parameter in env.userenv))
        throw new OracleError('ORA-02003', `invalid USERENV parameter (${parameter})`);
      return text(env.userenv[parameter]);
    }
    case 'SYSTIMESTAMP':
    case 'CURRENT_TIMESTAMP':
      return { t: 'timestamp', micros: env.now(), offsetMinutes: 0 };
    case 'SYSDATE':
      return { t: 'date', micros: env.now() - (env.now() % 1_000_000n) };
    case 'USER':
      return text(env.userenv.SESSION_USER);
    case 'LENGTH':
    case 'LENGTHB': {
      arity(1);
      const s = stringArg(expr.args[0], env);
      if (s === undefined) return null;
      return { t: 'number', n: fromInteger(expr.name === 'LENGTH' ? [...s].length : Buffer.byteLength(s, 'utf8')) };
    }
    case 'UPPER':
    case 'LOWER': {
      arity(1);
      const s = stringArg(expr.args[0], env);
      return s === undefined ? null : text(expr.name === 'UPPER' ? s.toUpperCase() : s.toLowerCase());
    }
    default:
      throw new OracleError(
        'ORA-00904',
        `"${expr.name}": invalid identifier (function not modelled by the rules session)`,
      );
  }
}
