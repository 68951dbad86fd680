import { compareDecimal, isDecimal, normalizeDecimal } from './decimal.js';
import { isValidDate, parseTimestamp } from './time-zone.js';
import type { FieldKind, Value } from './entity-def.js';

export interface ParseContext {
  /** Zone naive date-times are read in. */
  readonly zone: string;
  readonly strictSeconds: boolean;
}

export type Parsed = { ok: true; value: Value } | { ok: false; reason: string };

const INTEGER = /^[+-]?\d+$/;

/** Parses a query-string value for a field of `kind`, Django form-field style. */
export function parseValue(kind: FieldKind, text: string, ctx: ParseContext): Parsed {
  switch (kind) {
    case 'pk':
    case 'int':
    case 'rel':
    case 'set': {
      if (!INTEGER.test(text) || !Number.isSafeInteger(Number(text)))
        return { ok: false, reason: `'${text}' is not a valid integer` };
      return { ok: true, value: Number(text) };
    }
    case 'decimal':
      return isDecimal(text)
        ? { ok: true, value: normalizeDecimal(text) }
        : { ok: false, reason: `'${text}' is not a valid decimal` };
    case 'bool': {
      const t = text.toLowerCase();
      if (t === 'true' || t === '1') return { ok: true, value: true };
      if (t === 'false' || t === '0') return { ok: true, value: false };
      return { ok: false, reason: `'${text}' is not a valid boolean` };
    }
    case 'ts': {
      const r = parseTimestamp(text, ctx.zone, ctx.strictSeconds);
      return r.ok ? { ok: true, value: r.epochUs } : { ok: false, reason: r.reason };
    }
    case 'date':
      return isValidDate(text) ? { ok: true, value: text } : { ok: false, reason: `'${text}' is not a valid date` };
    case 'text':
      return { ok: true, value: text };
  }
}

/** Natural order of two values of one kind; null sorts after everything (SQL NULLS LAST). */
export function compareValues(kind: FieldKind, a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (kind === 'decimal') return compareDecimal(a as string, b as string);
  if (kind === 'text' || kind === 'date') return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
  return Number(a) - Number(b);
}
