import { Ajv, type ValidateFunction } from 'ajv';
import { ExactNumber, ProtocolError, type JsonSchema } from '../singer/index.js';

export type RecordCheck = (record: Record<string, unknown>, line?: number) => void;

const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false, validateSchema: false });

/** ExactNumber → number, copying only containers that hold one (the stored record keeps its exact values). */
function numericView(value: unknown): unknown {
  if (value instanceof ExactNumber) return value.toNumber();
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const v = numericView(value[i]);
      if (v !== value[i]) (copy ??= [...(value as unknown[])])[i] = v;
    }
    return copy ?? value;
  }
  if (typeof value === 'object' && value !== null) {
    let copy: Record<string, unknown> | undefined;
    for (const key in value) {
      const original = (value as Record<string, unknown>)[key];
      const v = numericView(original);
      if (v !== original) (copy ??= { ...(value as Record<string, unknown>) })[key] = v;
    }
    return copy ?? value;
  }
  return value;
}

function withoutMeta(schema: JsonSchema): JsonSchema {
  const {
    $schema: _ignored,
    $id: _id,
    key_properties: _keys,
    ...rest
  } = schema as JsonSchema & Record<string, unknown>;
  return rest;
}

/** Compiles a stream's JSON Schema once; the check throws ProtocolError naming stream, line and field (no values). */
export function compileRecordCheck(stream: string, schema: JsonSchema): RecordCheck {
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(withoutMeta(schema));
  } catch (error) {
    throw new ProtocolError(`SCHEMA is not a valid JSON Schema: ${(error as Error).message}`, { stream });
  }
  return (record, line) => {
    if (validate(numericView(record))) return;
    const first = validate.errors?.[0];
    const missing =
      first?.keyword === 'required' ? (first.params as { missingProperty?: string }).missingProperty : undefined;
    const field = missing ?? (first?.instancePath.replace(/^\//, '').replace(/\//g, '.') || undefined);
    throw new ProtocolError(`Record does not match the schema: ${first?.message ?? 'invalid'}`, {
      line,
      stream,
      field,
    });
  };
}
