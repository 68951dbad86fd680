import { normalizeDecimal } from './decimal.js';
import { FieldPath } from './field-path.js';
import { localParts } from './time-zone.js';
import { compareValues, parseValue, type ParseContext } from './value-codec.js';
import { VirtualTable, type RowRef } from './virtual-table.js';
import type { FieldKind, Value } from './entity-def.js';
import type { FilterParam } from './list-params.js';
import type { Tenant } from './tenant.js';
import { WmsError } from './wms-error.js';

export type Predicate = (ref: RowRef) => boolean;

const TEXT_LOOKUPS = new Set(['iexact', 'contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith']);
const ORDER_LOOKUPS = new Set(['gt', 'gte', 'lt', 'lte']);
const LOOKUPS = new Set(['exact', 'in', 'range', 'isnull', ...TEXT_LOOKUPS, ...ORDER_LOOKUPS]);
const TRANSFORMS = new Set(['year', 'month', 'day', 'week_day', 'hour', 'minute']);

/** The result of compiling a list query's filters against one entity. */
export interface CompiledFilters {
  /** Generated rows that can match lie in [lo, hi) (id and mod_ts bounds, purge floor applied). */
  readonly lo: number;
  readonly hi: number;
  /** Checked on generated rows inside [lo, hi). */
  readonly residual: readonly Predicate[];
  /** Checked on stored (admin-written) rows. */
  readonly all: readonly Predicate[];
}

interface Bound {
  value: number;
  inclusive: boolean;
}

/**
 * Compiles Django-style filters (`field[__rel…][__transform][__lookup][!]=value`) into predicates.
 * Filters on `id` and on a generated `mod_ts` also narrow the generated index range, because both grow
 * with the index: that is what keeps the tap's id- and mod_ts-window queries cheap over millions of rows.
 */
export function compileFilters(
  tenant: Tenant,
  table: VirtualTable,
  filters: readonly FilterParam[],
  ctx: ParseContext,
): CompiledFilters {
  const errors: Record<string, string> = {};
  const residual: Predicate[] = [];
  const all: Predicate[] = [];
  let lo = table.purgeFloor;
  let hi = table.count;
  for (const filter of filters) {
    const label = filter.negate ? `${filter.key}!` : filter.key;
    try {
      const compiled = compileOne(tenant, table, filter, ctx);
      const pred = filter.negate ? (ref: RowRef) => !compiled.pred(ref) : compiled.pred;
      all.push(pred);
      const range = filter.negate ? null : indexRange(table, compiled);
      if (range) {
        lo = Math.max(lo, range[0]);
        hi = Math.min(hi, range[1]);
      } else {
        residual.push(pred);
      }
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      errors[label] = e.message;
    }
  }
  if (Object.keys(errors).length > 0) throw WmsError.validation(errors, 'Invalid query string filters.');
  return { lo, hi: Math.max(lo, hi), residual, all };
}

class FilterError extends Error {}

interface CompiledOne {
  pred: Predicate;
  path: FieldPath;
  transform: string | null;
  lookup: string;
  operands: Value[];
}

function compileOne(tenant: Tenant, table: VirtualTable, filter: FilterParam, ctx: ParseContext): CompiledOne {
  const resolved = FieldPath.resolve(tenant, table, filter.key.split('__'));
  if (!resolved) throw new FilterError(`Unknown field '${filter.key.split('__')[0]}'.`);
  const { path, rest } = resolved;
  let transform: string | null = null;
  let lookup = 'exact';
  if (rest.length > 0 && TRANSFORMS.has(rest[0])) transform = rest.shift()!;
  if (rest.length > 0) lookup = rest.shift()!;
  if (rest.length > 0 || !LOOKUPS.has(lookup)) {
    throw new FilterError(`Unknown field or lookup '${[lookup, ...rest].join('__')}' on '${path.last.name}'.`);
  }
  const baseKind = path.kind;
  if (transform && baseKind !== 'ts' && baseKind !== 'date')
    throw new FilterError(`'${transform}' applies to dates and date-times only.`);
  const kind: FieldKind = transform ? 'int' : baseKind;
  if (baseKind === 'set' && lookup !== 'isnull') throw new FilterError(`'${path.last.name}' supports isnull only.`);
  if (TEXT_LOOKUPS.has(lookup) && kind !== 'text') throw new FilterError(`'${lookup}' applies to text fields only.`);
  if (kind === 'bool' && (ORDER_LOOKUPS.has(lookup) || lookup === 'range'))
    throw new FilterError(`'${lookup}' does not apply to booleans.`);

  const read = transformer(path, transform, ctx.zone);
  const parse = (text: string): Value => {
    const r = parseValue(kind, text, ctx);
    if (!r.ok) throw new FilterError(r.reason);
    return r.value;
  };
  const cmp = (a: Value, b: Value) => compareValues(kind, a, b);
  let operands: Value[];
  let pred: Predicate;
  switch (lookup) {
    case 'isnull': {
      const t = filter.value.toLowerCase();
      if (t !== 'true' && t !== 'false' && t !== '1' && t !== '0')
        throw new FilterError(`'${filter.value}' is not a valid boolean`);
      const wantNull = t === 'true' || t === '1';
      operands = [wantNull];
      pred = (ref) => (read(ref) === null) === wantNull;
      break;
    }
    case 'in': {
      operands = filter.value.split(',').map(parse);
      const set = new Set(operands.map((v) => (kind === 'decimal' ? normalizeDecimal(v as string) : v)));
      pred = (ref) => {
        const v = read(ref);
        return v !== null && set.has(kind === 'decimal' ? normalizeDecimal(v as string) : v);
      };
      break;
    }
    case 'range': {
      const parts = filter.value.split(',');
      if (parts.length !== 2) throw new FilterError('range needs two comma-separated values');
      operands = parts.map(parse);
      const [a, b] = operands;
      pred = (ref) => {
        const v = read(ref);
        return v !== null && cmp(v, a) >= 0 && cmp(v, b) <= 0;
      };
      break;
    }
    case 'exact':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const x = parse(filter.value);
      operands = [x];
      const test = {
        exact: (c: number) => c === 0,
        gt: (c: number) => c > 0,
        gte: (c: number) => c >= 0,
        lt: (c: number) => c < 0,
        lte: (c: number) => c <= 0,
      }[lookup];
      pred = (ref) => {
        const v = read(ref);
        return v !== null && test(cmp(v, x));
      };
      break;
    }
    default: {
      const insensitive = lookup.startsWith('i');
      const needle = insensitive ? filter.value.toLowerCase() : filter.value;
      operands = [needle];
      const op = insensitive ? lookup.slice(1) : lookup;
      pred = (ref) => {
        const raw = read(ref);
        if (raw === null) return false;
        const v = insensitive ? (raw as string).toLowerCase() : (raw as string);
        if (op === 'exact') return v === needle;
        if (op === 'contains') return v.includes(needle);
        if (op === 'startswith') return v.startsWith(needle);
        return v.endsWith(needle);
      };
    }
  }
  return { pred, path, transform, lookup, operands };
}

/** Reads the path's value, through a date transform when one was given (in the tenant's zone). */
function transformer(path: FieldPath, transform: string | null, zone: string): (ref: RowRef) => Value {
  if (!transform) return (ref) => path.evaluate(ref);
  const isDate = path.kind === 'date';
  return (ref) => {
    const v = path.evaluate(ref);
    if (v === null) return null;
    const parts = isDate
      ? localParts(Date.parse(`${v as string}T00:00:00Z`) * 1000, 'UTC')
      : localParts(v as number, zone);
    switch (transform) {
      case 'year':
        return parts.year;
      case 'month':
        return parts.month;
      case 'day':
        return parts.day;
      case 'week_day':
        return parts.weekDay;
      case 'hour':
        return parts.hour;
      default:
        return parts.minute;
    }
  };
}

/** Index range of generated rows a root `id`/`mod_ts` comparison admits, or null if it is not one. */
function indexRange(table: VirtualTable, c: CompiledOne): [number, number] | null {
  if (c.path.depth !== 1 || c.transform) return null;
  const name = c.path.last.name;
  let at: (i: number) => number;
  if (name === 'id') at = (i) => table.idAt(i);
  else if (name === 'mod_ts' && table.def.hasModTs) at = (i) => table.modTsAt(i);
  else return null;
  const first = (b: Bound) =>
    VirtualTable.lowerBound(0, table.count, (i) => (b.inclusive ? at(i) >= b.value : at(i) > b.value));
  const v = c.operands as number[];
  switch (c.lookup) {
    case 'exact':
      return [first({ value: v[0], inclusive: true }), first({ value: v[0], inclusive: false })];
    case 'gt':
    case 'gte':
      return [first({ value: v[0], inclusive: c.lookup === 'gte' }), table.count];
    case 'lt':
    case 'lte':
      return [0, first({ value: v[0], inclusive: c.lookup === 'lt' })];
    case 'range':
      return [first({ value: v[0], inclusive: true }), first({ value: v[1], inclusive: false })];
    default:
      return null;
  }
}
