import { rowHash } from './prng.js';
import type { EntityDef, FieldDef, Value } from './entity-def.js';

/** A row edited or inserted through the admin API; it shadows the generated row with the same id. */
export interface StoredRow {
  readonly id: number;
  readonly values: Value[];
  zone: string;
}

/** A generated row is addressed by its index, a stored row by itself. */
export type RowRef = number | StoredRow;

export interface IdLayout {
  readonly base: number;
  /** Ids are sparse: row i gets an id in [base + i*stride, base + (i+1)*stride). */
  readonly stride: number;
}

export interface ModTsLayout {
  /** Newest generated mod_ts (epoch µs). */
  readonly endUs: number;
  /** Roughly how far back the oldest generated row lies. */
  readonly spanUs: number;
}

/**
 * One entity's rows: `count` generated rows whose id and mod_ts are arithmetic in the row index
 * (both strictly increasing, so id and mod_ts range filters become index ranges), plus an overlay of
 * stored rows, deletions and a purge floor from the admin API.
 */
export class VirtualTable {
  readonly fieldPos = new Map<string, number>();
  readonly stored = new Map<number, StoredRow>();
  /** Generated indices hidden by a stored row or a delete. */
  private readonly shadowed = new Set<number>();
  private shadowedSorted: number[] | null = [];
  /** Generated rows below this index have been purged. */
  purgeFloor = 0;
  /** Bumped on every mutation; query caches key on it. */
  version = 0;
  private nextId: number;
  private readonly modTsStartUs: number;
  private readonly modTsStepUs: number;

  constructor(
    readonly def: EntityDef,
    readonly count: number,
    private readonly ids: IdLayout,
    modTs: ModTsLayout,
    private readonly entityKey: number,
  ) {
    def.fields.forEach((f, i) => this.fieldPos.set(f.name, i));
    this.modTsStepUs = Math.max(1, Math.floor(modTs.spanUs / Math.max(1, count)));
    this.modTsStartUs = modTs.endUs - count * this.modTsStepUs;
    this.nextId = count > 0 ? this.idAt(count - 1) + 1 : ids.base;
  }

  field(name: string): FieldDef | undefined {
    const pos = this.fieldPos.get(name);
    return pos === undefined ? undefined : this.def.fields[pos];
  }

  idAt(index: number): number {
    const { base, stride } = this.ids;
    return base + index * stride + (stride > 1 ? rowHash(this.entityKey, index, 0x1d) % stride : 0);
  }

  /** Index of the generated row with this id, or -1 (whatever the overlay says). */
  indexOfId(id: number): number {
    if (!Number.isSafeInteger(id)) return -1;
    const index = Math.floor((id - this.ids.base) / this.ids.stride);
    return index >= 0 && index < this.count && this.idAt(index) === id ? index : -1;
  }

  /** Strictly increasing in the index, so mod_ts ranges map to index ranges. */
  modTsAt(index: number): number {
    return this.modTsStartUs + index * this.modTsStepUs + (rowHash(this.entityKey, index, 0x2b) % this.modTsStepUs);
  }

  /** Gap between consecutive generated mod_ts values, for generators that derive create_ts. */
  get modTsStepMicros(): number {
    return this.modTsStepUs;
  }

  isLiveIndex(index: number): boolean {
    return index >= this.purgeFloor && index < this.count && !this.shadowed.has(index);
  }

  resolve(id: number): RowRef | null {
    const stored = this.stored.get(id);
    if (stored) return stored;
    const index = this.indexOfId(id);
    return index >= 0 && this.isLiveIndex(index) ? index : null;
  }

  value(ref: RowRef, pos: number): Value {
    return typeof ref === 'number' ? this.def.fields[pos].generate(ref) : ref.values[pos]!;
  }

  idOf(ref: RowRef): number {
    return typeof ref === 'number' ? this.idAt(ref) : ref.id;
  }

  zoneOf(ref: RowRef): string {
    return typeof ref === 'number' ? this.def.zoneOf(ref) : ref.zone;
  }

  /** Shadowed generated indices in [lo, hi), ascending. */
  shadowedBetween(lo: number, hi: number): number[] {
    if (this.shadowedSorted === null) this.shadowedSorted = [...this.shadowed].sort((a, b) => a - b);
    const all = this.shadowedSorted;
    return all.filter((i) => i >= lo && i < hi);
  }

  isShadowed(index: number): boolean {
    return this.shadowed.has(index);
  }

  /** Values of a row as an array in field order (generated rows are materialised). */
  materialise(ref: RowRef): Value[] {
    return typeof ref === 'number' ? this.def.fields.map((f) => f.generate(ref)) : [...ref.values];
  }

  store(row: StoredRow): void {
    const index = this.indexOfId(row.id);
    if (index >= 0) this.hide(index);
    this.stored.set(row.id, row);
    this.version++;
  }

  remove(id: number): boolean {
    const index = this.indexOfId(id);
    const had = this.stored.delete(id) || (index >= 0 && this.isLiveIndex(index));
    if (index >= 0) this.hide(index);
    this.version++;
    return had;
  }

  /** Drops every generated row below `index` (purges remove the oldest rows first). */
  purgeBelow(index: number): void {
    this.purgeFloor = Math.max(this.purgeFloor, Math.min(index, this.count));
    this.version++;
  }

  allocateId(): number {
    return this.nextId++;
  }

  reserveId(id: number): void {
    if (id >= this.nextId) this.nextId = id + 1;
  }

  reset(): void {
    this.stored.clear();
    this.shadowed.clear();
    this.shadowedSorted = [];
    this.purgeFloor = 0;
    this.nextId = this.count > 0 ? this.idAt(this.count - 1) + 1 : this.ids.base;
    this.version++;
  }

  private hide(index: number): void {
    if (!this.shadowed.has(index)) {
      this.shadowed.add(index);
      this.shadowedSorted = null;
    }
  }

  /** First index in [lo, hi) where `pred` holds, for a predicate monotone in the index. */
  static lowerBound(lo: number, hi: number, pred: (index: number) => boolean): number {
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (pred(mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
