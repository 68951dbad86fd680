import { ExactNumber } from '../singer/index.js';
import { parseInstant } from './instant.js';
import { decimalValue } from './decimal-text.js';

/**
 * What a WMS field holds, whatever literal describe used for it. Describe's `type` literals are not documented
 * (only guessed from earlier taps), so a literal is a hint that the sampled values confirm or overrule.
 */
export type FieldKind =
  'integer' | 'decimal' | 'boolean' | 'datetime' | 'date' | 'time' | 'string' | 'relation' | 'set' | 'object';

/** Literals after lower-casing, dropping non-letters and a trailing "field" (Django's `ForeignKey`, `CharField`, …). */
const LITERALS: Readonly<Record<string, FieldKind>> = {
  pk: 'integer',
  auto: 'integer',
  bigauto: 'integer',
  integer: 'integer',
  int: 'integer',
  bigint: 'integer',
  biginteger: 'integer',
  smallint: 'integer',
  smallinteger: 'integer',
  positiveinteger: 'integer',
  relation: 'relation',
  related: 'relation',
  foreignkey: 'relation',
  fk: 'relation',
  onetoone: 'relation',
  decimal: 'decimal',
  number: 'decimal',
  numeric: 'decimal',
  float: 'decimal',
  double: 'decimal',
  boolean: 'boolean',
  bool: 'boolean',
  datetime: 'datetime',
  timestamp: 'datetime',
  date: 'date',
  time: 'time',
  varchar: 'string',
  char: 'string',
  text: 'string',
  string: 'string',
  clob: 'string',
  set: 'set',
  object: 'object',
  json: 'object',
};

/** The kind a describe literal names, or undefined for a literal we do not know. */
export function kindOfLiteral(literal: unknown): FieldKind | undefined {
  if (typeof literal !== 'string') return undefined;
  const normalized = literal
    .toLowerCase()
    .replace(/[^a-z]/g, '')
    .replace(/(.)field$/, '$1');
  return Object.hasOwn(LITERALS, normalized) ? LITERALS[normalized] : undefined;
}

function isInteger(value: unknown): boolean {
  return (typeof value === 'number' && Number.isInteger(value)) || (value instanceof ExactNumber && value.isInteger);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ExactNumber);
}

/** `{id, key, url}` as lgfapi sends a relation (`key` and `url` may be ""). */
export function isRelationValue(value: unknown): boolean {
  return isPlainObject(value) && 'id' in value && isInteger(value.id);
}

function isDateTimeText(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && /([+-]\d{2}:\d{2}|Z)$/.test(value) && parseInstant(value) !== undefined;
}

/** Whether a non-null value fits a kind (as the transform will write it). */
export function accepts(kind: FieldKind, value: unknown, flattenRelations: boolean): boolean {
  switch (kind) {
    case 'integer':
      return isInteger(value);
    case 'decimal':
      return (
        typeof value === 'number' ||
        value instanceof ExactNumber ||
        (typeof value === 'string' && decimalValue(value) !== undefined)
      );
    case 'boolean':
      return typeof value === 'boolean';
    case 'datetime':
    case 'date':
    case 'time':
    case 'string':
      return typeof value === 'string';
    case 'relation':
      // A relation described as such may arrive as its bare id (status_id does); flattened, both fit <base>_id.
      return isRelationValue(value) || (flattenRelations && isInteger(value));
    case 'set':
      return isPlainObject(value) || Array.isArray(value);
    case 'object':
      return isPlainObject(value);
  }
}

/** The one kind all sampled (non-null) values share, or undefined when they share none. */
export function inferKind(name: string, values: readonly unknown[], flattenRelations: boolean): FieldKind | undefined {
  if (values.length === 0) return undefined;
  const candidates: FieldKind[] = name.endsWith('_set')
    ? ['set']
    : ['relation', 'integer', 'decimal', 'boolean', 'datetime', 'date', 'string', 'object'];
  return candidates.find((kind) => {
    if (kind === 'datetime') return values.every((value) => typeof value === 'string' && isDateTimeText(value));
    if (kind === 'date') return values.every((value) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value));
    if (kind === 'relation')
      return values.some(isRelationValue) && values.every((v) => accepts(kind, v, flattenRelations));
    // Decimal text is text unless describe says it is a number: only JSON numbers make a decimal here.
    if (kind === 'decimal') return values.every((value) => typeof value === 'number' || value instanceof ExactNumber);
    return values.every((value) => accepts(kind, value, flattenRelations));
  });
}

/** The JSON type of a value, for messages (never the value itself). */
export function shapeOf(value: unknown): string {
  if (isRelationValue(value)) return 'relation object';
  if (Array.isArray(value)) return 'array';
  if (value instanceof ExactNumber) return value.isInteger ? 'integer' : 'number';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
