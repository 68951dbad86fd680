import { isDecimal } from './decimal.js';
import { isValidDate, parseTimestamp } from './time-zone.js';
import type { FieldDef, Value } from './entity-def.js';

/**
 * Converts a JSON value from the admin API into a field's internal value (timestamps to epoch µs,
 * relations to the target id). Throws with a message naming the field, never the value.
 */
export function valueFromJson(field: FieldDef, input: unknown, zone: string): Value {
  if (input === null) return field.kind === 'set' ? 0 : null;
  const fail = (what: string): never => {
    throw new Error(`field '${field.name}' needs ${what}`);
  };
  switch (field.kind) {
    case 'pk':
    case 'int':
    case 'set':
      return Number.isSafeInteger(input) ? (input as number) : fail('an integer');
    case 'rel': {
      const id = typeof input === 'object' ? (input as { id?: unknown }).id : input;
      return Number.isSafeInteger(id) ? (id as number) : fail('an id or {id}');
    }
    case 'decimal': {
      const text = typeof input === 'number' ? String(input) : input;
      return typeof text === 'string' && isDecimal(text) ? text : fail('a decimal string');
    }
    case 'text':
      return typeof input === 'string' ? input : fail('a string');
    case 'bool':
      return typeof input === 'boolean' ? input : fail('a boolean');
    case 'date':
      return typeof input === 'string' && isValidDate(input) ? input : fail('a YYYY-MM-DD date');
    case 'ts': {
      if (typeof input !== 'string') return fail('an ISO-8601 date-time');
      const parsed = parseTimestamp(input, zone);
      return parsed.ok ? parsed.epochUs : fail('an ISO-8601 date-time');
    }
  }
}

/** The value a newly inserted row gets for a field the caller left out. */
export function defaultValue(field: FieldDef): Value {
  switch (field.kind) {
    case 'text':
      return '';
    case 'decimal':
      return '0';
    case 'int':
      return 0;
    case 'bool':
      return (field.describe?.default as boolean | undefined) ?? false;
    case 'set':
      return 0;
    default:
      return null;
  }
}
