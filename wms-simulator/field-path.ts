import type { FieldDef, FieldKind, Value } from './entity-def.js';
import type { Tenant } from './tenant.js';
import type { RowRef, VirtualTable } from './virtual-table.js';

/**
 * A field reached from an entity, possibly through relations (`order_id__facility_id__code`), or a
 * reverse child set written as the child's model name (`orderdtl`, Django style).
 */
export class FieldPath {
  private constructor(
    readonly tables: readonly VirtualTable[],
    readonly positions: readonly number[],
    readonly fields: readonly FieldDef[],
  ) {}

  get last(): FieldDef {
    return this.fields[this.fields.length - 1];
  }

  get kind(): FieldKind {
    return this.last.kind;
  }

  get depth(): number {
    return this.fields.length;
  }

  /**
   * Resolves as many leading segments as name fields; returns the path and the segments left over
   * (lookups and transforms), or null when the first segment is not a field.
   */
  static resolve(
    tenant: Tenant,
    root: VirtualTable,
    segments: readonly string[],
  ): { path: FieldPath; rest: string[] } | null {
    const tables: VirtualTable[] = [];
    const positions: number[] = [];
    const fields: FieldDef[] = [];
    let table = root;
    let k = 0;
    while (k < segments.length) {
      const name = segments[k];
      const pos = table.fieldPos.get(name) ?? reverseSetPos(table, name);
      if (pos === undefined) break;
      const field = table.def.fields[pos];
      tables.push(table);
      positions.push(pos);
      fields.push(field);
      k++;
      if (field.kind !== 'rel' || k >= segments.length) break;
      const target = tenant.table(field.relation!.target);
      if (!target || !target.fieldPos.has(segments[k])) break;
      table = target;
    }
    if (fields.length === 0) return null;
    return { path: new FieldPath(tables, positions, fields), rest: segments.slice(k) };
  }

  /** The value at the end of the path; null when any hop is null or points at a missing row. */
  evaluate(ref: RowRef): Value {
    let r = ref;
    const last = this.positions.length - 1;
    for (let k = 0; ; k++) {
      const table = this.tables[k];
      const v = table.value(r, this.positions[k]);
      if (k === last) return this.fields[k].kind === 'set' && v === 0 ? null : v;
      if (v === null) return null;
      const next = this.tables[k + 1].resolve(v as number);
      if (next === null) return null;
      r = next;
    }
  }
}

function reverseSetPos(table: VirtualTable, name: string): number | undefined {
  const index = table.def.fields.findIndex((f) => f.set !== undefined && f.set.child.replaceAll('_', '') === name);
  return index < 0 ? undefined : index;
}
