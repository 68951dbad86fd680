import { compareValues } from './value-codec.js';
import type { FieldKind, Value } from './entity-def.js';
import type { RowRef, VirtualTable } from './virtual-table.js';
import { WmsError } from './wms-error.js';

export interface OrderTerm {
  readonly name: string;
  readonly pos: number;
  readonly kind: FieldKind;
  readonly desc: boolean;
}

/**
 * A list ordering: the requested terms (the entity's own fields, `-` for descending) and ascending
 * `id` as the final tiebreaker, so every ordering is total and keyset paging is stable. No ordering
 * means ascending id, as real unordered pulls came back (docs/lgfapi.md §4.1).
 */
export class Ordering {
  readonly terms: readonly OrderTerm[];

  constructor(
    private readonly table: VirtualTable,
    requested: readonly string[],
  ) {
    const terms: OrderTerm[] = [];
    const errors: Record<string, string> = {};
    for (const raw of requested) {
      const desc = raw.startsWith('-');
      const name = desc ? raw.slice(1) : raw;
      const pos = table.fieldPos.get(name);
      const field = pos === undefined ? undefined : table.def.fields[pos];
      if (!field || field.kind === 'set') {
        errors.ordering = `Cannot order by '${raw}'.`;
        continue;
      }
      if (!terms.some((t) => t.name === name)) terms.push({ name, pos: pos!, kind: field.kind, desc });
    }
    if (Object.keys(errors).length > 0) throw WmsError.validation(errors);
    if (!terms.some((t) => t.name === 'id'))
      terms.push({ name: 'id', pos: table.fieldPos.get('id')!, kind: 'pk', desc: false });
    this.terms = terms;
  }

  get primary(): OrderTerm {
    return this.terms[0];
  }

  /** True when the primary term grows (or shrinks) with the generated row index. */
  get primaryIsMonotone(): boolean {
    const name = this.primary.name;
    return name === 'id' || (name === 'mod_ts' && this.table.def.hasModTs);
  }

  compare = (a: RowRef, b: RowRef): number => {
    for (const t of this.terms) {
      const c = compareValues(t.kind, this.table.value(a, t.pos), this.table.value(b, t.pos));
      if (c !== 0) return t.desc ? -c : c;
    }
    return 0;
  };

  /** Where a row's primary value lies relative to `p`, in ordering direction. */
  comparePrimary(ref: RowRef, p: Value): number {
    const t = this.primary;
    const c = compareValues(t.kind, this.table.value(ref, t.pos), p);
    return t.desc ? -c : c;
  }

  primaryValue(ref: RowRef): Value {
    return this.table.value(ref, this.primary.pos);
  }
}
