import type { JsonSchema, JsonSchemaType } from '../singer/index.js';

/**
 * The Meltano SDK's string format for exact decimals (`use_singer_decimal`): SDK targets read the value as a string
 * and create a DECIMAL column for it, so no JSON parser on the way turns it into a float.
 */
export const SINGER_DECIMAL_FORMAT = 'x-singer.decimal';

function typesOf(schema: JsonSchema): JsonSchemaType[] {
  return Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
}

/** A WMS decimal: a JSON Schema number (not an integer), or a string already in the x-singer.decimal format. */
export function isDecimalProperty(schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  const types = typesOf(schema);
  if (types.includes('number') && !types.includes('integer')) return true;
  return types.includes('string') && schema.format === SINGER_DECIMAL_FORMAT;
}

/** A decimal property as the tap sends it: a number, or a string in the x-singer.decimal format; nullability kept. */
function decimalForm(schema: JsonSchema, singerDecimal: boolean): JsonSchema {
  const { type: _type, format: _format, ...rest } = schema;
  const base: JsonSchemaType = singerDecimal ? 'string' : 'number';
  const type = typesOf(schema).includes('null') ? [base, 'null' as const] : base;
  return singerDecimal ? { ...rest, type, format: SINGER_DECIMAL_FORMAT } : { ...rest, type };
}

/** An object schema with every decimal property in the form `use_singer_decimal` asks for; the rest untouched. */
export function withDecimalForm(schema: JsonSchema, singerDecimal: boolean): JsonSchema {
  const properties = schema.properties;
  if (!properties) return schema;
  return {
    ...schema,
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, property]) => [
        name,
        isDecimalProperty(property) ? decimalForm(property, singerDecimal) : property,
      ]),
    ),
  };
}
