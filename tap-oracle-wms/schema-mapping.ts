import { type JsonSchema, SourceError } from '../singer/index.js';
import { accepts, type FieldKind, inferKind, kindOfLiteral, shapeOf } from './field-kind.js';

/** A describe `fields` entry as lgfapi sends it (docs/lgfapi.md §3.2). */
export interface DescribeField {
  type?: string;
  required?: boolean | string;
  max_length?: number;
  min_value?: number;
  max_value?: number;
  [key: string]: unknown;
}

export const REPLICATION_KEY = 'mod_ts';

/** The key: the only non-nullable property. */
const KEY = 'id';

/** Every record carries its own retrieve URL second, after `id`, though describe never lists it. */
const RECORD_URL = 'url';

/** `from_inventory_id` → `from_inventory`; `item` → `item`. The flattened columns are `<base>_id`, `<base>_key`. */
export function relationBase(name: string): string {
  return name.endsWith('_id') && name.length > 3 ? name.slice(0, -3) : name;
}

function nullable(schema: JsonSchema, name: string): JsonSchema {
  // Describe's `required` is documentation, not a guarantee: real rows hold null in fields it marks required.
  if (name === KEY) return schema;
  const type = schema.type;
  return { ...schema, type: Array.isArray(type) ? [...type, 'null'] : type === undefined ? undefined : [type, 'null'] };
}

const SET_SCHEMA: JsonSchema = {
  // An empty set is null or [] on real tenants; a non-empty one is {result_count, url}.
  type: ['object', 'array', 'null'],
  properties: { result_count: { type: ['integer', 'null'] }, url: { type: ['string', 'null'] } },
};

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** The JSON Schema properties of one field of a given kind (a flattened relation becomes two). */
function kindProperties(
  name: string,
  kind: FieldKind,
  field: DescribeField,
  values: readonly unknown[],
  flattenRelations: boolean,
): [string, JsonSchema][] {
  switch (kind) {
    case 'integer': {
      const schema: JsonSchema = { type: 'integer' };
      const min = field.min_value;
      const max = field.max_value;
      // Bounds the sampled rows already break would make the target reject them: left out.
      const inBounds = (value: unknown) =>
        (typeof min !== 'number' || Number(value) >= min) && (typeof max !== 'number' || Number(value) <= max);
      if (values.every(inBounds)) {
        if (typeof min === 'number') schema.minimum = min;
        if (typeof max === 'number') schema.maximum = max;
      }
      return [[name, nullable(schema, name)]];
    }
    case 'decimal':
      return [[name, nullable({ type: 'number' }, name)]];
    case 'boolean':
      return [[name, nullable({ type: 'boolean' }, name)]];
    case 'datetime':
      return [[name, nullable({ type: 'string', format: 'date-time' }, name)]];
    case 'date':
      return [[name, nullable({ type: 'string', format: 'date' }, name)]];
    case 'time':
      return [[name, nullable({ type: 'string', format: 'time' }, name)]];
    case 'string': {
      const schema: JsonSchema = { type: 'string' };
      const limit = field.max_length;
      if (typeof limit === 'number' && limit > 0 && values.every((value) => codePoints(String(value)) <= limit))
        schema.maxLength = limit;
      return [[name, nullable(schema, name)]];
    }
    case 'relation':
      if (!flattenRelations) {
        const relation: JsonSchema = {
          type: 'object',
          properties: { id: { type: 'integer' }, key: { type: ['string', 'null'] }, url: { type: ['string', 'null'] } },
        };
        return [[name, nullable(relation, name)]];
      }
      return [
        [`${relationBase(name)}_id`, nullable({ type: 'integer' }, name)],
        [`${relationBase(name)}_key`, { type: ['string', 'null'] }],
      ];
    case 'set':
      return [[name, SET_SCHEMA]];
    case 'object':
      return [[name, { type: ['object', 'null'] }]];
  }
}

export interface EntitySchema {
  schema: JsonSchema;
  incremental: boolean;
}

/**
 * An entity's JSON Schema from describe `fields` (not `parameters`) and the sampled rows: describe's literal decides
 * a field's kind when every sampled value fits it; otherwise the values decide (one warning per entity lists those
 * fields). Keys the rows carry but describe leaves out (`url`, `facility_id` on order_hdr) are added. Fields whose
 * sampled values share no kind, and a key that is not an integer, fail discovery naming entity and field, so no
 * catalog is written that its own rows would not match. Order: id, url, describe order, then extras by name.
 */
export function entitySchema(
  entity: string,
  describe: Record<string, unknown>,
  samples: readonly Record<string, unknown>[],
  flattenRelations: boolean,
  warn: (message: string) => void = () => undefined,
): EntitySchema {
  const described = (describe.fields ?? {}) as Record<string, unknown>;
  const fields = new Map<string, DescribeField>();
  fields.set(KEY, { type: 'pk' });
  fields.set(RECORD_URL, { type: 'varchar' });
  for (const [name, field] of Object.entries(described))
    fields.set(name, typeof field === 'object' && field !== null ? (field as DescribeField) : {});
  const extras = new Set<string>();
  for (const record of samples) for (const key of Object.keys(record)) if (!fields.has(key)) extras.add(key);
  for (const name of [...extras].sort()) fields.set(name, {});

  const properties: Record<string, JsonSchema> = {};
  const overruled: string[] = [];
  for (const [name, field] of fields) {
    const values = samples.map((record) => record[name]).filter((value) => value !== null && value !== undefined);
    const kind = resolveKind(entity, name, field, values, flattenRelations, extras.has(name), overruled);
    for (const [property, schema] of kindProperties(name, kind, field, values, flattenRelations))
      if (!(property in properties)) properties[property] = schema;
  }
  if (overruled.length > 0) warn(`${entity}: typed from the sampled rows instead of describe: ${overruled.join('; ')}`);
  return {
    schema: { type: 'object', properties, additionalProperties: false },
    incremental: REPLICATION_KEY in described,
  };
}

function resolveKind(
  entity: string,
  name: string,
  field: DescribeField,
  values: readonly unknown[],
  flattenRelations: boolean,
  extra: boolean,
  overruled: string[],
): FieldKind {
  const literal = name.endsWith('_set') ? 'set' : kindOfLiteral(field.type);
  if (literal !== undefined && values.every((value) => accepts(literal, value, flattenRelations))) return literal;
  const inferred = inferKind(name, values, flattenRelations);
  const where = `${entity}.${name}`;
  if (values.length > 0 && inferred === undefined) {
    const shapes = [...new Set(values.map(shapeOf))].join(', ');
    throw new SourceError(
      `discovery: the sampled rows hold values of no one type in ${where} (${shapes}; describe type '${String(field.type)}'): no schema would match them`,
    );
  }
  const kind = inferred ?? (name === KEY ? 'integer' : name.endsWith('_id') ? 'relation' : 'string');
  if (name === KEY && kind !== 'integer')
    throw new SourceError(`discovery: the key ${where} is not an integer in the sampled rows (${shapeOf(values[0])})`);
  if (!extra && name !== KEY && name !== RECORD_URL) {
    const why = literal === undefined ? `describe type '${String(field.type)}' is unknown` : `describe says ${literal}`;
    overruled.push(`${name} (${why} → ${kind})`);
  }
  return kind;
}
