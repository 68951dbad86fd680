/**
 * The shape of a simulated entity: its fields in record order, how each is described, and how each
 * value is generated for a row index. Generated values are kept in a compact internal form
 * (timestamps as epoch µs, relations as the target id, `_set` fields as a child count) and turned
 * into WMS JSON only when a record is rendered.
 */
import type { RowRef } from './virtual-table.js';

export type FieldKind = 'pk' | 'int' | 'decimal' | 'text' | 'bool' | 'ts' | 'date' | 'rel' | 'set';

export type Value = number | string | boolean | null;

/** One `fields` entry of a describe response, keys in the order they are emitted. */
export interface DescribeEntry {
  type: string;
  max_length?: number;
  allow_blank?: boolean;
  required: boolean;
  default?: Value;
  min_value?: number;
  max_value?: number;
}

export interface RelationSpec {
  /** Entity name the relation points at (used for its URL and for `__` traversal). */
  target: string;
  /** Real allocation records carry `"url": ""` on some relations to supported entities. */
  blankUrl: boolean;
  /** Keys for relations to small lookup tables the simulator does not generate (ids 1..n). */
  lookupKeys?: readonly string[];
}

export interface SetSpec {
  child: string;
  /** The child's relation field that points back at this row. */
  parentField: string;
  /** An empty set renders as `[]` instead of null (a real order_hdr's order_instructions_set). */
  emptyAsList: boolean;
}

export interface FieldDef {
  readonly name: string;
  readonly kind: FieldKind;
  /** null: the field is in records but missing from describe, as observed on real tenants. */
  readonly describe: DescribeEntry | null;
  /** Listed in describe `parameters`. */
  readonly parameter: boolean;
  /** Rendered only when named in `fields=` (item.image_data). */
  readonly onRequestOnly: boolean;
  readonly relation?: RelationSpec;
  readonly set?: SetSpec;
  readonly generate: (index: number) => Value;
}

export interface EntityDef {
  readonly name: string;
  readonly fields: readonly FieldDef[];
  /** Has create/mod timestamps and a generated mod_ts that grows with the row index. */
  readonly hasModTs: boolean;
  /** Time zone of a generated row (its facility's zone). */
  readonly zoneOf: (index: number) => string;
  /** The `key` other entities show when they relate to this row. */
  readonly keyOf: (ref: RowRef) => string;
}
