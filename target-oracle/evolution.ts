import { ProtocolError } from '../singer/index.js';
import type { ColumnSpec, TableSpec } from './dialect.js';
import type { LogicalType } from './logical-type.js';
import { conformIdentifier, type NamingRules } from './names.js';
import type { SchemaChangePolicy } from './settings.js';
import type { IntegerRange } from './values.js';

/**
 * A column as introspected; `other` is a database type the target does not map (kept, values bound as text). `range`:
 * the integers it holds when narrower than its logical type says (ColumnSpec.range).
 */
export type ExistingType = (LogicalType | { kind: 'other'; sql: string }) & { range?: IntegerRange };

export type EvolutionAction =
  | { kind: 'add'; column: ColumnSpec }
  /** Change an existing column's type keeping its data (widening, or cast_to_string). */
  | { kind: 'retype'; column: ColumnSpec; from: ExistingType }
  | { kind: 'rename'; from: string; to: string };

export interface EvolutionPlan {
  actions: EvolutionAction[];
  /** The table as it will be after the actions: loads convert values to these types. */
  table: TableSpec;
}

/** Characters needed to write a value of this type as text (for string columns absorbing other types). */
function textLength(type: LogicalType): number | undefined {
  switch (type.kind) {
    case 'string':
      return type.maxLength;
    case 'timestamp':
      return 32;
    case 'date':
      return 10;
    case 'boolean':
      return 5;
    case 'integer':
      return 40;
    case 'decimal':
      return 130;
    default:
      return undefined;
  }
}

/** Is `b` at most as long as `a` (undefined = unbounded)? */
function fits(a: number | undefined, b: number | undefined): boolean {
  return a === undefined || (b !== undefined && b <= a);
}

type Verdict = { keep: true } | { keep: false; to: LogicalType } | { incompatible: true };

function compare(existing: ExistingType, desired: LogicalType): Verdict {
  if (existing.kind === 'other' || existing.kind === 'native' || existing.kind === 'json') return { keep: true };
  if (desired.kind === 'native') return { keep: true };
  switch (existing.kind) {
    case 'string': {
      if (existing.maxLength === undefined) return { keep: true };
      const need = textLength(desired);
      if (desired.kind !== 'json' && fits(existing.maxLength, need)) return { keep: true };
      return { keep: false, to: { kind: 'string', maxLength: desired.kind === 'json' ? undefined : need } };
    }
    case 'integer':
      if (desired.kind === 'integer')
        return fits(existing.digits, desired.digits) ? { keep: true } : { keep: false, to: desired };
      if (desired.kind === 'decimal') return { keep: false, to: { kind: 'decimal' } };
      return { incompatible: true };
    case 'decimal':
      if (existing.precision === undefined)
        return desired.kind === 'integer' || desired.kind === 'decimal' ? { keep: true } : { incompatible: true };
      if (desired.kind === 'integer') {
        const room = existing.precision - (existing.scale ?? 0);
        return desired.digits !== undefined && desired.digits <= room
          ? { keep: true }
          : { keep: false, to: { kind: 'decimal' } };
      }
      if (desired.kind === 'decimal') {
        const same =
          desired.precision !== undefined &&
          desired.precision <= existing.precision &&
          (desired.scale ?? 0) <= (existing.scale ?? 0);
        return same ? { keep: true } : { keep: false, to: { kind: 'decimal' } };
      }
      return { incompatible: true };
    case 'timestamp':
      return desired.kind === 'timestamp' || desired.kind === 'date' ? { keep: true } : { incompatible: true };
    case 'date':
      if (desired.kind === 'date') return { keep: true };
      return desired.kind === 'timestamp' ? { keep: false, to: { kind: 'timestamp' } } : { incompatible: true };
    case 'boolean':
      return desired.kind === 'boolean' ? { keep: true } : { incompatible: true };
  }
}

function describe(type: ExistingType): string {
  return type.kind === 'other' || type.kind === 'native' ? type.sql : type.kind;
}

/**
 * Compares the table as it is with the table a SCHEMA asks for. Never drops a column and never loses data:
 * compatible changes widen, incompatible ones follow the policy.
 */
export function planEvolution(
  existing: ReadonlyMap<string, ExistingType>,
  desired: TableSpec,
  policy: SchemaChangePolicy,
  naming: NamingRules,
  now: Date = new Date(),
): EvolutionPlan {
  const actions: EvolutionAction[] = [];
  const columns: ColumnSpec[] = [];
  for (const column of desired.columns) {
    const current = existing.get(column.name);
    if (current === undefined) {
      actions.push({ kind: 'add', column });
      columns.push(column);
      continue;
    }
    const verdict = compare(current, column.type);
    if ('incompatible' in verdict) {
      const isKey = desired.keyColumns.includes(column.name);
      if (policy === 'fail' || isKey) {
        throw new ProtocolError(
          `Column ${column.name} of table ${desired.name} is ${describe(current)} but the new schema makes it ${column.type.kind}` +
            (isKey ? ' (a key column cannot change type)' : ' (schema_change_policy is fail)'),
          { stream: desired.stream, field: column.property },
        );
      }
      if (policy === 'rename_old') {
        const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
        const to = conformIdentifier(`${column.name}__${stamp}`, naming);
        actions.push({ kind: 'rename', from: column.name, to }, { kind: 'add', column });
        columns.push(column);
      } else {
        const asText: ColumnSpec = { ...column, type: { kind: 'string' } };
        actions.push({ kind: 'retype', column: asText, from: current });
        columns.push(asText);
      }
      continue;
    }
    if (verdict.keep && current.range !== undefined && column.type.kind === 'integer') {
      // Integers into a narrower column (integer, smallint, numeric(p,0)): loaded as integers, checked against it.
      columns.push({ ...column, range: current.range });
    } else if (verdict.keep) {
      columns.push({ ...column, type: current.kind === 'other' ? { kind: 'native', sql: current.sql } : current });
    } else {
      const widened: ColumnSpec = { ...column, type: verdict.to };
      actions.push({ kind: 'retype', column: widened, from: current });
      columns.push(widened);
    }
  }
  return { actions, table: { ...desired, columns } };
}
