import type { FieldDef } from './entity-def.js';

/**
 * How the simulator writes one row into a Data Extract file. Oracle documents CSV or JSON, ISO 8601 timestamps ending
 * in `Z` (25C) and the `\"` quote escape in CSV (26B); it does not document the columns. The simulator's guess, which
 * the tap reads: the fields REST returns, with each relation as two columns `<name>_id` (the id) and `<name>_key`
 * (the key REST shows), the record's `url`, `_set` fields as REST shows them (JSON text in CSV), decimals with their
 * exact digits. CSV: a header line, every text value quoted, `"` written `\"` and `\` written `\\`, null as an
 * unquoted empty field and the empty string as `""`, lines ending in `\n`. JSON: one object per line.
 */
export interface ExtractColumn {
  readonly name: string;
  /** How the value is written: quoted text, a bare number or boolean, JSON (sets), an instant. */
  readonly kind: 'text' | 'number' | 'json' | 'instant';
  /** Takes the column's value out of the record REST renders. */
  readonly pick: (record: Record<string, unknown>) => unknown;
}

function relationBase(name: string): string {
  return name.endsWith('_id') && name.length > 3 ? name.slice(0, -3) : name;
}

/** The columns of an entity's files, in REST's field order. */
export function extractColumns(fields: readonly FieldDef[]): ExtractColumn[] {
  const columns: ExtractColumn[] = [];
  for (const field of fields) {
    if (field.onRequestOnly) continue;
    const name = field.name;
    switch (field.kind) {
      case 'rel': {
        const base = relationBase(name);
        const relation = (record: Record<string, unknown>) => record[name] as { id: unknown; key: unknown } | null;
        columns.push({ name: `${base}_id`, kind: 'number', pick: (record) => relation(record)?.id ?? null });
        columns.push({ name: `${base}_key`, kind: 'text', pick: (record) => relation(record)?.key ?? null });
        break;
      }
      case 'set':
        columns.push({ name, kind: 'json', pick: (record) => record[name] });
        break;
      case 'ts':
        columns.push({ name, kind: 'instant', pick: (record) => record[name] });
        break;
      case 'pk':
      case 'int':
      case 'decimal':
      case 'bool':
        columns.push({ name, kind: 'number', pick: (record) => record[name] });
        break;
      default:
        columns.push({ name, kind: 'text', pick: (record) => record[name] });
    }
    if (field.kind === 'pk') columns.push({ name: 'url', kind: 'text', pick: (record) => record.url });
  }
  return columns;
}

/** `2025-05-31T21:00:01.831732-03:00` → `2025-06-01T00:00:01.831732Z`: the same instant in UTC. */
export function zuluTimestamp(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?([+-])(\d{2}):(\d{2})$/.exec(text);
  if (!match) return text;
  const [, wall, fraction = '', sign, hours, minutes] = match;
  const offsetMs = (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * 60_000;
  const utc = new Date(Date.parse(`${wall}Z`) - offsetMs).toISOString().slice(0, 19);
  return `${utc}${fraction}Z`;
}

/** A scalar REST value as text (strings as they are; numbers and booleans as JSON writes them). */
function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function csvText(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** One CSV field: null unquoted and empty, text quoted with the backslash escape. */
function csvField(column: ExtractColumn, value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (column.kind) {
    case 'number':
      // Decimals arrive as REST's strings; written bare, with every digit ("" is a blank decimal: null).
      return scalarText(value);
    case 'json':
      return csvText(JSON.stringify(value));
    case 'instant':
      return csvText(zuluTimestamp(scalarText(value)));
    case 'text':
      return csvText(scalarText(value));
  }
}

export function csvHeader(columns: readonly ExtractColumn[]): string {
  return `${columns.map((column) => column.name).join(',')}\n`;
}

export function csvLine(columns: readonly ExtractColumn[], record: Record<string, unknown>): string {
  return `${columns.map((column) => csvField(column, column.pick(record))).join(',')}\n`;
}

/** One JSON line: decimals as bare JSON numbers with every digit (REST sends them as strings). */
export function jsonLine(columns: readonly ExtractColumn[], record: Record<string, unknown>): string {
  const parts = columns.map((column) => {
    const value = column.pick(record);
    let json: string;
    if (value === null || value === undefined) json = 'null';
    else if (column.kind === 'number' && typeof value === 'string') json = value.trim() === '' ? 'null' : value;
    else if (column.kind === 'instant') json = JSON.stringify(zuluTimestamp(scalarText(value)));
    else json = JSON.stringify(value);
    return `${JSON.stringify(column.name)}:${json}`;
  });
  return `{${parts.join(',')}}\n`;
}
