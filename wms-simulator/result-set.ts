import { VirtualTable, type RowRef } from './virtual-table.js';
import type { Value } from './entity-def.js';
import type { Ordering } from './ordering.js';

/** The rows of a filtered, ordered list with random access, which both paginators need. */
export interface ResultSet {
  readonly length: number;
  slice(start: number, end: number): RowRef[];
  /** How many leading rows have a primary value before `p` in ordering direction (or equal, if inclusive). */
  countBefore(p: Value, inclusive: boolean): number;
}

/**
 * Generated rows [lo, hi) — already in ordering order because the primary term (id or mod_ts) grows
 * with the index — merged with the stored rows that match. Nothing is materialised: a page costs
 * O(page + stored rows × log n).
 */
export class GeneratedRangeResultSet implements ResultSet {
  readonly length: number;
  private readonly span: number;
  private readonly reverse: boolean;
  /** Run positions (0-based, in ordering order) of shadowed generated rows, ascending. */
  private readonly holes: number[];
  private overlayPositions: number[] | null = null;

  constructor(
    table: VirtualTable,
    private readonly lo: number,
    private readonly hi: number,
    private readonly ordering: Ordering,
    /** Matching stored rows, sorted by the ordering. */
    private readonly overlay: readonly RowRef[],
  ) {
    this.span = hi - lo;
    this.reverse = ordering.primary.desc;
    const shadowed = table.shadowedBetween(lo, hi);
    this.holes = this.reverse ? shadowed.map((g) => hi - 1 - g).reverse() : shadowed.map((g) => g - lo);
    this.length = this.span - this.holes.length + overlay.length;
  }

  private at(q: number): number {
    return this.reverse ? this.hi - 1 - q : this.lo + q;
  }

  /** Number of holes at run positions below q. */
  private holesBelow(q: number): number {
    return VirtualTable.lowerBound(0, this.holes.length, (k) => this.holes[k] >= q);
  }

  private positions(): number[] {
    if (this.overlayPositions === null) {
      this.overlayPositions = this.overlay.map((ref, m) => {
        const q = VirtualTable.lowerBound(0, this.span, (p) => this.ordering.compare(this.at(p), ref) > 0);
        return m + q - this.holesBelow(q);
      });
    }
    return this.overlayPositions;
  }

  slice(start: number, end: number): RowRef[] {
    const stop = Math.min(end, this.length);
    const out: RowRef[] = [];
    if (start >= stop) return out;
    const positions = this.positions();
    let m = 0;
    while (m < positions.length && positions[m] < start) m++;
    // The generated rank of `start`, turned into a run position by stepping over holes.
    let q = start - m;
    let h = 0;
    while (h < this.holes.length && this.holes[h] <= q) {
      q++;
      h++;
    }
    for (let k = start; k < stop; k++) {
      if (m < positions.length && positions[m] === k) {
        out.push(this.overlay[m++]);
        continue;
      }
      while (h < this.holes.length && this.holes[h] === q) {
        q++;
        h++;
      }
      out.push(this.at(q++));
    }
    return out;
  }

  countBefore(p: Value, inclusive: boolean): number {
    const q = VirtualTable.lowerBound(0, this.span, (pos) => {
      const c = this.ordering.comparePrimary(this.at(pos), p);
      return inclusive ? c > 0 : c >= 0;
    });
    let n = q - this.holesBelow(q);
    for (const ref of this.overlay) {
      const c = this.ordering.comparePrimary(ref, p);
      if (c < 0 || (inclusive && c === 0)) n++;
    }
    return n;
  }
}

/** A fully materialised, sorted list of rows (generic filters, orderings and distinct). */
export class SortedResultSet implements ResultSet {
  constructor(
    private readonly rows: readonly RowRef[],
    private readonly ordering: Ordering,
  ) {}

  get length(): number {
    return this.rows.length;
  }

  slice(start: number, end: number): RowRef[] {
    return this.rows.slice(start, end);
  }

  countBefore(p: Value, inclusive: boolean): number {
    return VirtualTable.lowerBound(0, this.rows.length, (k) => {
      const c = this.ordering.comparePrimary(this.rows[k], p);
      return inclusive ? c > 0 : c >= 0;
    });
  }
}
