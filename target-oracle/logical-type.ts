import type { JsonSchema, JsonSchemaType } from '../singer/index.js';

/** A column's type independent of the database; each dialect renders it (see docs/target-oracle.md). */
export type LogicalType =
  | { kind: 'integer'; digits?: number }
  | { kind: 'decimal'; precision?: number; scale?: number }
  | { kind: 'string'; maxLength?: number }
  | { kind: 'timestamp' }
  | { kind: 'date' }
  | { kind: 'boolean' }
  | { kind: 'json' }
  /**
   * `x-sql-datatype`: the database type named by the schema, values bound as text. `sql` is the schema's text until
   * the dialect has accepted and rebuilt it (table-spec.ts): nothing else may render it.
   */
  | { kind: 'native'; sql: string };

function typesOf(schema: JsonSchema): JsonSchemaType[] {
  if (Array.isArray(schema.type)) return schema.type.filter((t) => t !== 'null');
  return schema.type === undefined || schema.type === 'null' ? [] : [schema.type];
}

/** The first non-null branch of an anyOf (the SDK rule), else the schema itself. */
function effectiveSchema(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.anyOf) && typesOf(schema).length === 0) {
    const branch = schema.anyOf.find((s) => typesOf(s).length > 0);
    if (branch) {
      // anyOf [date-time, string] is still a timestamp column only when every non-null branch agrees.
      const kinds = new Set(
        schema.anyOf.filter((s) => typesOf(s).length > 0).map((s) => `${typesOf(s).join('|')}:${s.format ?? ''}`),
      );
      return kinds.size === 1 ? branch : { type: 'string' };
    }
  }
  return schema;
}

function digitsOf(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return String(Math.trunc(Math.abs(value))).length;
}

/**
 * The Meltano SDK's exact decimals (a tap's `use_singer_decimal`): text in the `x-singer.decimal` format, with the
 * SDK's optional `precision` and `scale` beside it.
 */
function singerDecimal(schema: JsonSchema): LogicalType {
  const { precision, scale } = schema as { precision?: unknown; scale?: unknown };
  if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) return { kind: 'decimal' };
  return { kind: 'decimal', precision, scale: typeof scale === 'number' && Number.isInteger(scale) ? scale : 0 };
}

export function logicalType(input: JsonSchema): LogicalType {
  const native = input['x-sql-datatype'];
  if (typeof native === 'string') return { kind: 'native', sql: native };
  const schema = effectiveSchema(input);
  const types = typesOf(schema);
  if (types.length === 0) return { kind: 'json' };
  if (types.length > 1) {
    if (types.every((t) => t === 'object' || t === 'array')) return { kind: 'json' };
    const numeric = types.every((t) => t === 'integer' || t === 'number');
    return numeric ? { kind: 'decimal' } : { kind: 'string' };
  }
  switch (types[0]) {
    case 'integer': {
      const digits = Math.max(digitsOf(schema.minimum) ?? 0, digitsOf(schema.maximum) ?? 0);
      return schema.minimum !== undefined && schema.maximum !== undefined && digits > 0
        ? { kind: 'integer', digits }
        : { kind: 'integer' };
    }
    case 'number': {
      const decimal = schema['x-singer.decimal'] as { precision?: number; scale?: number } | undefined;
      if (decimal && typeof decimal.precision === 'number')
        return { kind: 'decimal', precision: decimal.precision, scale: decimal.scale ?? 0 };
      return { kind: 'decimal' };
    }
    case 'boolean':
      return { kind: 'boolean' };
    case 'object':
    case 'array':
      return { kind: 'json' };
    case 'string':
      if (schema.format === 'x-singer.decimal') return singerDecimal(schema);
      if (schema.format === 'date-time') return { kind: 'timestamp' };
      if (schema.format === 'date') return { kind: 'date' };
      return typeof schema.maxLength === 'number' && schema.maxLength > 0
        ? { kind: 'string', maxLength: schema.maxLength }
        : { kind: 'string' };
    default:
      return { kind: 'string' };
  }
}
