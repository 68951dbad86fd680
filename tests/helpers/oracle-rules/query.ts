import type { Expr, FromItem, QName, Select } from './ast.js';
import type { Row, Table } from './catalog.js';
import { compareValues, toNumber } from './conversions.js';
import { addDecimal, fromInteger, type Decimal } from './decimal.js';
import { AGGREGATES, evaluate, isTrue, type EvalEnv, type Scope } from './evaluate.js';
import { OracleError } from './oracle-error.js';
import { walk } from './rules.js';
import type { ColumnType, OraValue } from './types.js';

/** Rows of one FROM item under one alias. */
export interface Source {
  alias: string;
  columns: string[];
  types: (ColumnType | undefined)[];
  rows: Row[];
  table?: Table;
}

/** What a query needs from the database: FROM resolution (tables, dictionary views) in this session's view. */
export interface QueryHost {
  source(name: QName, alias: string | undefined): Source;
  /** An evaluation environment for `scope` (binds, session, conversions). */
  env(scope: Scope, aggregate?: EvalEnv['aggregate']): EvalEnv;
}

export interface QueryResult {
  columns: string[];
  types: (ColumnType | undefined)[];
  rows: OraValue[][];
}

type Bound = Map<string, Row>;

/** Resolves columns against the bound rows, then the enclosing query's scope (correlated subqueries). */
export function scopeOf(sources: Source[], bound: Bound, outer?: Scope): Scope {
  return {
    column(qualifier, name) {
      if (qualifier !== undefined) {
        const source = sources.find((s) => s.alias === qualifier);
        if (source) {
          if (!source.columns.includes(name))
            throw new OracleError('ORA-00904', `"${qualifier}"."${name}": invalid identifier`);
          return bound.get(source.alias)?.get(name) ?? null;
        }
      } else {
        const having = sources.filter((s) => s.columns.includes(name));
        if (having.length > 1) throw new OracleError('ORA-00918', `column ambiguously defined: "${name}"`);
        if (having.length === 1) return bound.get(having[0].alias)?.get(name) ?? null;
      }
      if (outer) return outer.column(qualifier, name);
      throw new OracleError('ORA-00904', `${qualifier ? `"${qualifier}".` : ''}"${name}": invalid identifier`);
    },
  };
}

function expandFrom(
  item: FromItem,
  host: QueryHost,
  outer: Scope | undefined,
  out: Source[],
): { sources: Source[]; rows: Bound[] } {
  if (item.kind === 'table') {
    const source = host.source(item.name, item.alias);
    return { sources: [source], rows: source.rows.map((r) => new Map([[source.alias, r]])) };
  }
  if (item.kind === 'subquery') {
    const result = runSelect(item.select, host, outer);
    const alias = item.alias ?? `$subquery${out.length}`;
    const rows = result.rows.map((values) => new Map(result.columns.map((c, i) => [c, values[i]])));
    const source: Source = { alias, columns: result.columns, types: result.types, rows };
    return { sources: [source], rows: rows.map((r) => new Map([[alias, r]])) };
  }
  const left = expandFrom(item.left, host, outer, out);
  const right = expandFrom(item.right, host, outer, out);
  const sources = [...left.sources, ...right.sources];
  const rows: Bound[] = [];
  for (const l of left.rows) {
    let matched = false;
    for (const r of right.rows) {
      const bound = new Map([...l, ...r]);
      if (isTrue(evaluate(item.on, host.env(scopeOf(sources, bound, outer))))) {
        rows.push(bound);
        matched = true;
      }
    }
    if (!matched && item.outer) rows.push(new Map(l));
  }
  return { sources, rows };
}

/** The rows of a query's FROM clause (cross product of comma-separated items), before WHERE. */
export function fromRows(select: Select, host: QueryHost, outer?: Scope): { sources: Source[]; rows: Bound[] } {
  let sources: Source[] = [];
  let rows: Bound[] = [new Map()];
  for (const item of select.from) {
    const next = expandFrom(item, host, outer, sources);
    sources = [...sources, ...next.sources];
    rows = rows.flatMap((a) => next.rows.map((b) => new Map([...a, ...b])));
  }
  return { sources, rows };
}

function hasAggregate(select: Select): boolean {
  let found = false;
  for (const item of select.items)
    walk(item.expr, (e) => {
      if (e.kind === 'call' && AGGREGATES.has(e.name)) found = true;
    });
  return found;
}

/** The default column name Oracle gives an unaliased expression (upper-cased text). */
function exprName(expr: Expr): string {
  switch (expr.kind) {
    case 'column':
      return expr.name;
    case 'number':
      return expr.value;
    case 'string':
      return `'${expr.value}'`;
    case 'bind':
      return `:${expr.name}`;
    case 'call':
      return expr.star ? `${expr.name}(*)` : `${expr.name}(${expr.args.map(exprName).join(',')})`;
    default:
      return 'EXPR';
  }
}

export function runSelect(select: Select, host: QueryHost, outer?: Scope): QueryResult {
  const { sources, rows } = fromRows(select, host, outer);
  const kept = select.where
    ? rows.filter((b) => isTrue(evaluate(select.where!, host.env(scopeOf(sources, b, outer)))))
    : rows;

  // Output columns: * expands to every column of every source (or of one, for alias.*).
  const outputs: { name: string; expr: Expr; type?: ColumnType }[] = [];
  for (const item of select.items) {
    if (item.expr.kind === 'star') {
      const qualifier = item.expr.qualifier;
      for (const s of sources.filter((x) => qualifier === undefined || x.alias === qualifier))
        s.columns.forEach((c, i) =>
          outputs.push({ name: c, expr: { kind: 'column', qualifier: s.alias, name: c }, type: s.types[i] }),
        );
      continue;
    }
    let type: ColumnType | undefined;
    if (item.expr.kind === 'column') {
      const { qualifier, name } = item.expr;
      const s = sources.find((x) => (qualifier === undefined ? x.columns.includes(name) : x.alias === qualifier));
      type = s?.types[s.columns.indexOf(name)];
    }
    outputs.push({ name: item.alias ?? exprName(item.expr), expr: item.expr, type });
  }

  let result: { values: OraValue[]; bound: Bound }[];
  if (hasAggregate(select)) {
    const aggregate = (call: Extract<Expr, { kind: 'call' }>): OraValue => {
      const values = call.star
        ? kept.map((): OraValue => ({ t: 'boolean', b: true }))
        : kept.map((b) => evaluate(call.args[0], host.env(scopeOf(sources, b, outer))));
      const present = values.filter((v) => v !== null);
      if (call.name === 'COUNT') return { t: 'number', n: fromInteger(present.length) };
      if (present.length === 0) return null;
      const env = host.env(scopeOf(sources, new Map(), outer));
      if (call.name === 'SUM')
        return { t: 'number', n: present.map((v) => (toNumber(v, env) as { n: Decimal }).n).reduce(addDecimal) };
      return present.reduce((best, v) => {
        const cmp = compareValues(v, best, env)!;
        return (call.name === 'MAX' ? cmp > 0 : cmp < 0) ? v : best;
      });
    };
    const env = host.env(scopeOf(sources, new Map(), outer), aggregate);
    result = [{ values: outputs.map((o) => evaluate(o.expr, env)), bound: new Map() }];
  } else {
    result = kept.map((bound) => {
      const env = host.env(scopeOf(sources, bound, outer));
      return { values: outputs.map((o) => evaluate(o.expr, env)), bound };
    });
  }

  if (select.orderBy.length > 0) {
    const keyed = result.map((r) => {
      const env = host.env(scopeOf(sources, r.bound, outer));
      const keys = select.orderBy.map((o) => {
        try {
          return evaluate(o.expr, env);
        } catch (error) {
          // ORDER BY may name a select-list alias.
          const i =
            o.expr.kind === 'column' && o.expr.qualifier === undefined
              ? outputs.findIndex((x) => x.name === (o.expr as { name: string }).name)
              : -1;
          if (i < 0) throw error;
          return r.values[i];
        }
      });
      return { r, keys };
    });
    const env = host.env(scopeOf(sources, new Map(), outer));
    keyed.sort((a, b) => {
      for (let i = 0; i < select.orderBy.length; i += 1) {
        const [x, y] = [a.keys[i], b.keys[i]];
        // NULLs sort last ascending, first descending (Oracle's default).
        const cmp = x === null && y === null ? 0 : x === null ? 1 : y === null ? -1 : compareValues(x, y, env)!;
        if (cmp !== 0) return select.orderBy[i].desc ? -cmp : cmp;
      }
      return 0;
    });
    result = keyed.map((k) => k.r);
  }
  if (select.fetchFirst !== undefined) result = result.slice(0, select.fetchFirst);

  const query: QueryResult = {
    columns: outputs.map((o) => o.name),
    types: outputs.map((o) => o.type),
    rows: result.map((r) => r.values),
  };
  if (select.unionAll) {
    const rest = runSelect(select.unionAll, host, outer);
    if (rest.columns.length !== query.columns.length)
      throw new OracleError('ORA-01789', 'query block has incorrect number of result columns');
    query.rows.push(...rest.rows);
  }
  return query;
}
