import { type CatalogEntry, ExactNumber, type JsonSchema, parseNumberText, SourceError } from '../singer/index.js';
import { decimalValue } from './decimal-text.js';
import { relationBase } from './schema-mapping.js';

export type RecordTransform = (raw: Record<string, unknown>) => Record<string, unknown>;

/** A relation's `key` as text: WMS sends a string; a number keeps its exact digits. */
function relationKeyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key instanceof ExactNumber || typeof key === 'number' || typeof key === 'boolean') return key.toString();
  return JSON.stringify(key);
}

function hasType(schema: JsonSchema | undefined, type: string): boolean {
  if (!schema) return false;
  return Array.isArray(schema.type) ? schema.type.includes(type as never) : schema.type === type;
}

/**
 * WMS record → Singer record, exactly:
 * - relations `{id, key, url}` become `<base>_id` and `<base>_key` (when flattened);
 * - decimals (JSON strings on the wire) become numbers via parseNumberText, never through a double;
 * - big ids arrive as ExactNumber from parseJsonExact and stay so; timestamps, booleans and nulls pass through;
 * - only the selected properties of the catalog schema are kept.
 */
export function recordTransform(
  entry: CatalogEntry,
  selected: readonly string[],
  flattenRelations: boolean,
): RecordTransform {
  const properties = entry.schema.properties ?? {};
  const keep = new Set(selected);
  const decimals = new Set(
    Object.keys(properties).filter(
      (name) => hasType(properties[name], 'number') && !hasType(properties[name], 'integer'),
    ),
  );
  const stream = entry.tap_stream_id;

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
        const base = relationBase(name);
        const relation = value as { id: unknown; key?: unknown };
        if (keep.has(`${base}_id`)) out[`${base}_id`] = relation.id ?? null;
        if (keep.has(`${base}_key`))
          out[`${base}_key`] =
            relation.key === undefined || relation.key === null ? null : relationKeyText(relation.key);
        continue;
      }
      if (!keep.has(name)) continue;
      if (typeof value === 'string' && decimals.has(name)) out[name] = decimalOf(value, stream, name);
      else out[name] = value;
    }
    return out;
  };
}

function decimalOf(text: string, stream: string, field: string): number | ExactNumber | null {
  const value = decimalValue(text);
  if (value === undefined)
    throw new SourceError(`stream '${stream}': field '${field}' holds a value that is not a decimal number`);
  return value;
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
