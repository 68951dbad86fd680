import { hashString, rowHash } from './prng.js';
import type { BuildContext } from './build-context.js';
import type { DescribeEntry, FieldDef, FieldKind, Value } from './entity-def.js';
import type { RowRef } from './virtual-table.js';

interface FieldOptions {
  required?: boolean;
  default?: Value;
  /** Leave the field out of describe (observed: facility/company on container). */
  hiddenFromDescribe?: boolean;
  /** Leave the field out of describe `parameters` (observed: facility/company on order_hdr). */
  notAParameter?: boolean;
}

const USERS = ['INTEGRA', 'SETUP', 'op123', 'op77', 'op91', 'wms_api', 'sched01'];

/**
 * Builds the fields of one entity. Every generator hashes (seed, entity, row index, field name), so a
 * field's values do not change when other fields are added.
 */
export class FieldFactory {
  readonly entityKey: number;

  constructor(
    private readonly ctx: BuildContext,
    readonly entity: string,
  ) {
    this.entityKey = hashString(`${ctx.seed}:${entity}`);
  }

  /** Salt name → its hash: generators call h() with the same few names for every row they render. */
  private readonly saltHashes = new Map<string, number>();

  /** A 32-bit hash of (row, salt) for this entity. */
  h(index: number, salt: string | number): number {
    if (typeof salt === 'number') return rowHash(this.entityKey, index, salt);
    let salted = this.saltHashes.get(salt);
    if (salted === undefined) {
      salted = hashString(salt);
      this.saltHashes.set(salt, salted);
    }
    return rowHash(this.entityKey, index, salted);
  }

  /** A pick from `choices` for (row, salt). */
  pick<T>(index: number, salt: string, choices: readonly T[]): T {
    return choices[this.h(index, salt) % choices.length];
  }

  /** The six keys every timestamped record starts with (minus `url`, which the renderer inserts). */
  header(): FieldDef[] {
    const table = () => this.ctx.table(this.entity);
    return [
      this.make('id', 'pk', (i) => table().idAt(i), { type: 'pk', required: true }),
      this.text('create_user', 30, (i) => this.pick(i, 'create_user', USERS)),
      this.make('create_ts', 'ts', (i) => this.createTs(i), { type: 'datetime', required: false, default: 'now' }),
      this.text('mod_user', 30, (i) => this.pick(i, 'mod_user', USERS)),
      this.make('mod_ts', 'ts', (i) => table().modTsAt(i), { type: 'datetime', required: false, default: 'now' }),
    ];
  }

  /** Lookup tables have no timestamps at all (124 of 311 real entities). */
  pkOnly(): FieldDef {
    return this.make('id', 'pk', (i) => this.ctx.table(this.entity).idAt(i), { type: 'pk', required: true });
  }

  text(name: string, maxLength: number, gen: (i: number) => string, opts: FieldOptions = {}): FieldDef {
    const required = opts.required ?? false;
    const entry: DescribeEntry = { type: 'varchar', max_length: maxLength, allow_blank: !required, required };
    if (!required) entry.default = opts.default ?? '';
    return this.make(name, 'text', gen, entry, opts);
  }

  int(
    name: string,
    gen: (i: number) => number | null,
    opts: FieldOptions & { min?: number; max?: number } = {},
  ): FieldDef {
    const required = opts.required ?? false;
    const entry: DescribeEntry = { type: 'integer', required };
    if (!required) entry.default = opts.default ?? 0;
    if (opts.min !== undefined) entry.min_value = opts.min;
    if (opts.max !== undefined) entry.max_value = opts.max;
    return this.make(name, 'int', gen, entry, opts);
  }

  /** status_id is a bare integer in records but a relation in describe (see docs/lgfapi.md §3.2, §6). */
  status(gen: (i: number) => number): FieldDef {
    return this.make('status_id', 'int', gen, { type: 'relation', required: true });
  }

  decimal(name: string, gen: (i: number) => string | null, opts: FieldOptions = {}): FieldDef {
    const required = opts.required ?? false;
    const entry: DescribeEntry = { type: 'decimal', required };
    if (!required && opts.default !== undefined) entry.default = opts.default;
    return this.make(name, 'decimal', gen, entry, opts);
  }

  bool(name: string, gen: (i: number) => boolean, defaultValue: boolean): FieldDef {
    return this.make(name, 'bool', gen, { type: 'boolean', required: false, default: defaultValue });
  }

  ts(name: string, gen: (i: number) => number | null): FieldDef {
    return this.make(name, 'ts', gen, { type: 'datetime', required: false });
  }

  date(name: string, gen: (i: number) => string | null, opts: FieldOptions = {}): FieldDef {
    return this.make(name, 'date', gen, { type: 'date', required: opts.required ?? false });
  }

  /** A relation to a generated entity; `target` picks the target row index (or null). */
  rel(
    name: string,
    target: string,
    pickIndex: (i: number) => number | null,
    opts: FieldOptions & { blankUrl?: boolean } = {},
  ): FieldDef {
    const gen = (i: number) => {
      const t = pickIndex(i);
      return t === null ? null : this.ctx.table(target).idAt(t);
    };
    return this.make(name, 'rel', gen, { type: 'relation', required: opts.required ?? false }, opts, {
      relation: { target, blankUrl: opts.blankUrl ?? false },
    });
  }

  /** A relation to a small lookup table the simulator only describes (ids 1..keys.length). */
  lookup(
    name: string,
    target: string,
    keys: readonly string[],
    pickIndex: (i: number) => number | null,
    opts: FieldOptions & { blankUrl?: boolean } = {},
  ): FieldDef {
    const gen = (i: number) => {
      const t = pickIndex(i);
      return t === null ? null : t + 1;
    };
    return this.make(name, 'rel', gen, { type: 'relation', required: opts.required ?? false }, opts, {
      relation: { target, blankUrl: opts.blankUrl ?? false, lookupKeys: keys },
    });
  }

  /** A `*_set` child link; the generator returns the child count (0 renders as null, or `[]` with emptyAsList). */
  set(
    name: string,
    child: string,
    parentField: string,
    count: (i: number) => number,
    opts: { emptyAsList?: boolean } = {},
  ): FieldDef {
    return this.make(
      name,
      'set',
      count,
      { type: 'set', required: false },
      { notAParameter: true },
      { set: { child, parentField, emptyAsList: opts.emptyAsList ?? false } },
    );
  }

  /** An entity's relation key taken from one of its own fields (a code, a number). */
  keyFrom(field: string): (ref: RowRef) => string {
    return (ref) => {
      const table = this.ctx.table(this.entity);
      const value = table.value(ref, table.fieldPos.get(field)!);
      return value === null ? '' : String(value);
    };
  }

  /** A decimal string: whole numbers mostly, some with a fraction part. */
  quantity(index: number, salt: string, max: number): string {
    const h = this.h(index, salt);
    const whole = h % max;
    switch (h % 7) {
      case 0:
        return `${whole}.5`;
      case 1:
        return `${whole}.375`;
      default:
        return String(whole);
    }
  }

  /** Row `index`'s parent among `parentCount` rows when children are spread evenly in order. */
  static parentIndex(index: number, childCount: number, parentCount: number): number | null {
    if (parentCount <= 0 || childCount <= 0) return null;
    return Math.min(parentCount - 1, Math.floor((index * parentCount) / childCount));
  }

  /** How many of `childCount` rows map to `parent` under {@link parentIndex}. */
  static childCount(parent: number, childCount: number, parentCount: number): number {
    if (parentCount <= 0) return 0;
    const first = Math.ceil((parent * childCount) / parentCount);
    const next = parent === parentCount - 1 ? childCount : Math.ceil(((parent + 1) * childCount) / parentCount);
    return Math.max(0, next - first);
  }

  private createTs(index: number): number {
    const table = this.ctx.table(this.entity);
    const mod = table.modTsAt(index);
    const h = this.h(index, 'create_ts');
    // About a third of the rows were never modified after creation.
    if (h % 3 === 0) return mod;
    return mod - (h % (30 * 86400)) * 1_000_000 - (h % 1_000_000);
  }

  private make(
    name: string,
    kind: FieldKind,
    generate: (i: number) => Value,
    describe: DescribeEntry,
    opts: FieldOptions = {},
    extra: Pick<FieldDef, 'relation' | 'set'> = {},
  ): FieldDef {
    return {
      name,
      kind,
      describe: opts.hiddenFromDescribe ? null : describe,
      parameter: !opts.hiddenFromDescribe && !opts.notAParameter,
      onRequestOnly: false,
      generate,
      ...extra,
    };
  }

  /** item.image_data: only returned when named in `fields=`. */
  onRequestOnly(field: FieldDef): FieldDef {
    return { ...field, onRequestOnly: true };
  }
}
