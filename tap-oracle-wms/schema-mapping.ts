import { ExactNumber, type JsonSchema } from '../singer/index.js';
import { parseInstant } from './instant.js';

/** A describe `fields` entry as lgfapi sends it (wms-api.md §3.2). */
export interface DescribeField {
  type?: string;
  required?: boolean | string;
  max_length?: number;
  min_value?: number;
  max_value?: number;
  [key: string]: unknown;
}

export const REPLICATION_KEY = 'mod_ts';

/** `required` is a JSON boolean in practice; Oracle's docs say X/Y (required) and N/C (not, conditional). */
export function isRequired(field: DescribeField): boolean {
  const value = field.required;
  if (typeof value === 'string') return /^(x|y|yes|true)$/i.test(value.trim());
  return value === true;
}

/** `from_inventory_id` → `from_inventory`; `item` → `item`. The flattened columns are `<base>_id`, `<base>_key`. */
export function relationBase(name: string): string {
  return name.endsWith('_id') && name.length > 3 ? name.slice(0, -3) : name;
}

export function isSetField(name: string): boolean {
  return name.endsWith('_set');
}

function nullable(schema: JsonSchema, required: boolean): JsonSchema {
  if (required) return schema;
  const type = schema.type;
  return { ...schema, type: Array.isArray(type) ? [...type, 'null'] : type === undefined ? undefined : [type, 'null'] };
}

const SET_SCHEMA: JsonSchema = {
  type: ['object', 'null'],
  properties: { result_count: { type: ['integer', 'null'] }, url: { type: ['string', 'null'] } },
};

/** The JSON Schema properties one describe field becomes (a relation becomes two when flattened). */
export function fieldProperties(name: string, field: DescribeField, flattenRelations: boolean): [string, JsonSchema][] {
  const type = String(field.type ?? '').toLowerCase();
  const required = isRequired(field) || name === 'id';
  if (isSetField(name)) return [[name, SET_SCHEMA]];
  switch (type) {
    case 'pk':
      return [[name, nullable({ type: 'integer' }, required)]];
    case 'relation':
      return relationProperties(name, required, flattenRelations);
    case 'integer':
    case 'int':
    case 'bigint': {
      const schema: JsonSchema = { type: 'integer' };
      if (typeof field.min_value === 'number') schema.minimum = field.min_value;
      if (typeof field.max_value === 'number') schema.maximum = field.max_value;
      return [[name, nullable(schema, required)]];
    }
    case 'decimal':
    case 'number':
    case 'float':
      return [[name, nullable({ type: 'number' }, required)]];
    case 'boolean':
      return [[name, nullable({ type: 'boolean' }, required)]];
    case 'datetime':
      return [[name, nullable({ type: 'string', format: 'date-time' }, required)]];
    case 'date':
      return [[name, nullable({ type: 'string', format: 'date' }, required)]];
    case 'time':
      return [[name, nullable({ type: 'string', format: 'time' }, required)]];
    default: {
      // varchar, char, text, string, clob, and anything unknown: text is the one type every value can be read as.
      const schema: JsonSchema = { type: 'string' };
      if (typeof field.max_length === 'number' && field.max_length > 0) schema.maxLength = field.max_length;
      return [[name, nullable(schema, required)]];
    }
  }
}

function relationProperties(name: string, required: boolean, flatten: boolean): [string, JsonSchema][] {
  if (!flatten) {
    return [
      [
        name,
        nullable(
          {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              key: { type: ['string', 'null'] },
              url: { type: ['string', 'null'] },
            },
          },
          required,
        ),
      ],
    ];
  }
  const base = relationBase(name);
  return [
    [`${base}_id`, nullable({ type: 'integer' }, required)],
    [`${base}_key`, { type: ['string', 'null'] }],
  ];
}

/** Infers a describe-like field from observed values (for keys records carry but describe leaves out). */
export function inferField(values: readonly unknown[]): DescribeField {
  const value = values.find((item) => item !== null && item !== undefined);
  if (value === undefined) return { type: 'varchar' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  if (value instanceof ExactNumber) return { type: value.isInteger ? 'integer' : 'decimal' };
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'decimal' };
  if (typeof value === 'object') return { type: 'id' in value ? 'relation' : 'object' };
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}T/.test(value) && parseInstant(value) !== undefined && /([+-]\d{2}:\d{2}|Z)$/.test(value))
      return { type: 'datetime' };
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return { type: 'date' };
  }
  return { type: 'varchar' };
}

export interface EntitySchema {
  schema: JsonSchema;
  incremental: boolean;
}

/**
 * An entity's JSON Schema from describe `fields` (not `parameters`), plus the keys seen in sample records that
 * describe leaves out (e.g. `url`, or `facility_id` on order_hdr). Describe order first, then extras by name.
 */
export function entitySchema(
  describe: Record<string, unknown>,
  samples: readonly Record<string, unknown>[],
  flattenRelations: boolean,
): EntitySchema {
  const fields = (describe.fields ?? {}) as Record<string, DescribeField>;
  const properties: Record<string, JsonSchema> = {};
  const add = (name: string, field: DescribeField): void => {
    const type = String(field.type ?? '').toLowerCase();
    if (type === 'object') {
      if (!(name in properties)) properties[name] = { type: ['object', 'null'] };
      return;
    }
    for (const [property, schema] of fieldProperties(name, field, flattenRelations))
      if (!(property in properties)) properties[property] = schema;
  };
  if (!('id' in fields)) add('id', { type: 'pk', required: true });
  for (const [name, field] of Object.entries(fields))
    add(name, typeof field === 'object' && field !== null ? field : {});
  const extras = new Set<string>();
  for (const record of samples) for (const key of Object.keys(record)) if (!(key in fields)) extras.add(key);
  for (const name of [...extras].sort()) {
    const field = inferField(samples.map((record) => record[name]));
    add(name, { ...field, required: false });
  }
  return {
    schema: { type: 'object', properties, additionalProperties: false },
    incremental: REPLICATION_KEY in fields,
  };
}
