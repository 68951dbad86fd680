import { type CatalogEntry, ExactNumber, parseNumberText, SourceError } from '../singer/index.js';
import { decimalValue } from './decimal-text.js';
import { relationBase } from './schema-mapping.js';
import { isDecimalProperty } from './singer-decimal.js';

export type RecordTransform = (raw: Record<string, unknown>) => Record<string, unknown>;

/** A relation's `key` as text: WMS sends a string; a number keeps its exact digits. */
function relationKeyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key instanceof ExactNumber || typeof key === 'number' || typeof key === 'boolean') return key.toString();
  return JSON.stringify(key);
}

/** The selected `<base>_id` / `<base>_key` columns a relation field flattens into (undefined: not selected). */
export interface RelationColumns {
  id: string | undefined;
  key: string | undefined;
}

/** What a stream's transform needs to know about each field, shared by recordTransform and the page transcoder. */
export interface RecordPlan {
  flattenRelations: boolean;
  keep: ReadonlySet<string>;
  decimals: ReadonlySet<string>;
  /** A decimal field's value as the record carries it (throws SourceError for text that is no decimal). */
  decimal: (value: unknown, field: string) => unknown;
  relationColumns: (name: string) => RelationColumns;
}

export function recordPlan(
  entry: CatalogEntry,
  selected: readonly string[],
  flattenRelations: boolean,
  singerDecimal = false,
): RecordPlan {
  const properties = entry.schema.properties ?? {};
  const keep = new Set(selected);
  const decimals = new Set(Object.keys(properties).filter((name) => isDecimalProperty(properties[name])));
  const decimalOut = singerDecimal ? decimalText : decimalOf;
  const stream = entry.tap_stream_id;
  /**
   * The selected `<base>_id` / `<base>_key` column names of each relation field, worked out once per field: built
   * for every row, the names were new strings the runtime had to look up again (a third of the tap's transform).
   */
  const relations = new Map<string, RelationColumns>();
  const relationColumns = (name: string): RelationColumns => {
    let columns = relations.get(name);
    if (columns === undefined) {
      const base = relationBase(name);
      columns = {
        id: keep.has(`${base}_id`) ? `${base}_id` : undefined,
        key: keep.has(`${base}_key`) ? `${base}_key` : undefined,
      };
      relations.set(name, columns);
    }
    return columns;
  };
  return {
    flattenRelations,
    keep,
    decimals,
    decimal: (value, field) => decimalOut(value, stream, field),
    relationColumns,
  };
}

/**
 * WMS record → Singer record, exactly:
 * - relations `{id, key, url}` become `<base>_id` and `<base>_key` (when flattened);
 * - decimals (JSON strings on the wire) become numbers via parseNumberText, never through a double, or with
 *   `singerDecimal` their canonical text (the x-singer.decimal format);
 * - big ids arrive as ExactNumber from parseJsonExact and stay so; timestamps, booleans and nulls pass through;
 * - only the selected properties of the catalog schema are kept.
 */
export function recordTransform(
  entry: CatalogEntry,
  selected: readonly string[],
  flattenRelations: boolean,
  singerDecimal = false,
): RecordTransform {
  const { keep, decimals, decimal, relationColumns } = recordPlan(entry, selected, flattenRelations, singerDecimal);
  return (raw) => {
    const out: Record<string, unknown> = {};
    for (const name in raw) {
      const value = raw[name];
      if (
        flattenRelations &&
        value !== null &&
        typeof value === 'object' &&
        !(value instanceof ExactNumber) &&
        'id' in value &&
        !name.endsWith('_set')
      ) {
        const columns = relationColumns(name);
        const relation = value as { id: unknown; key?: unknown };
        if (columns.id !== undefined) out[columns.id] = relation.id ?? null;
        if (columns.key !== undefined)
          out[columns.key] = relation.key === undefined || relation.key === null ? null : relationKeyText(relation.key);
        continue;
      }
      if (!keep.has(name)) continue;
      if (decimals.has(name)) out[name] = decimal(value, name);
      else out[name] = value;
    }
    return out;
  };
}

/** Decimal text → an exact JSON number (blank → null); other values (already numbers, or junk the target names) as they are. */
function decimalOf(value: unknown, stream: string, field: string): unknown {
  if (typeof value !== 'string') return value;
  const parsed = decimalValue(value);
  if (parsed === undefined)
    throw new SourceError(`stream '${stream}': field '${field}' holds a value that is not a decimal number`);
  return parsed;
}

/** Any decimal → its exact text for the x-singer.decimal format (blank → null); other values as they are. */
function decimalText(value: unknown, stream: string, field: string): unknown {
  const parsed = decimalOf(value, stream, field);
  if (parsed instanceof ExactNumber) return parsed.text;
  if (typeof parsed === 'number' && Number.isFinite(parsed)) return String(parsed);
  return parsed;
}

/** Record ids as BigInt for comparisons and range splitting (ids may exceed 2^53). */
export function idOf(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (value instanceof ExactNumber && value.isInteger) return BigInt(value.text);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

/** A BigInt id back to what JSON should carry: a number when exact, else an ExactNumber. */
export function idValue(id: bigint): number | ExactNumber {
  return parseNumberText(id.toString());
}
