import { compileFilters } from './filter-compiler.js';
import { Ordering } from './ordering.js';
import { GeneratedRangeResultSet, SortedResultSet, type ResultSet } from './result-set.js';
import type { FilterParam } from './list-params.js';
import type { Tenant } from './tenant.js';
import type { ParseContext } from './value-codec.js';
import type { RowRef, VirtualTable } from './virtual-table.js';

export interface ListQuery {
  readonly filters: readonly FilterParam[];
  readonly ordering: readonly string[];
  /** Rows rendering to the same string count once (values_list + distinct). */
  readonly distinctKey?: (ref: RowRef) => string;
  /** Identifies distinctKey for the cache (the values_list text). */
  readonly distinctTag?: string;
}

const CACHE_SIZE = 8;

/**
 * Turns filters and ordering into a {@link ResultSet}. The tap's common queries (id or mod_ts windows
 * ordered by id or mod_ts) stay arithmetic; anything else scans the candidate index range once and
 * the sorted result is cached until the table changes, so paging through it stays cheap.
 */
export class ListQueryEngine {
  private readonly cache = new Map<string, { version: number; rows: RowRef[] }>();

  constructor(private readonly tenant: Tenant) {}

  run(table: VirtualTable, query: ListQuery, ctx: ParseContext): { ordering: Ordering; rows: ResultSet } {
    const filters = compileFilters(this.tenant, table, query.filters, ctx);
    const ordering = new Ordering(table, query.ordering);
    const stored = [...table.stored.values()].filter((row) => filters.all.every((p) => p(row)));
    stored.sort(ordering.compare);
    if (ordering.primaryIsMonotone && filters.residual.length === 0 && !query.distinctKey) {
      return { ordering, rows: new GeneratedRangeResultSet(table, filters.lo, filters.hi, ordering, stored) };
    }
    const key = JSON.stringify([table.def.name, query.filters, query.ordering, query.distinctTag ?? null, ctx]);
    const hit = this.cache.get(key);
    const version = this.tenant.version;
    if (hit && hit.version === version) return { ordering, rows: new SortedResultSet(hit.rows, ordering) };

    const generated: number[] = [];
    for (let g = filters.lo; g < filters.hi; g++) {
      if (table.isShadowed(g)) continue;
      if (filters.residual.every((p) => p(g))) generated.push(g);
    }
    let rows: RowRef[];
    if (ordering.primaryIsMonotone) {
      if (ordering.primary.desc) generated.reverse();
      rows = merge(generated, stored, ordering.compare);
    } else {
      rows = [...generated, ...stored].sort(ordering.compare);
    }
    if (query.distinctKey) {
      const seen = new Set<string>();
      rows = rows.filter((ref) => {
        const k = query.distinctKey!(ref);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    }
    this.cache.delete(key);
    this.cache.set(key, { version, rows });
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return { ordering, rows: new SortedResultSet(rows, ordering) };
  }

  clear(): void {
    this.cache.clear();
  }
}

function merge(a: readonly RowRef[], b: readonly RowRef[], cmp: (x: RowRef, y: RowRef) => number): RowRef[] {
  if (b.length === 0) return a as RowRef[];
  const out: RowRef[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && cmp(a[i], b[j]) <= 0)) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}
