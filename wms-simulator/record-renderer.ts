import { FieldPath } from './field-path.js';
import { formatTimestamp } from './time-zone.js';
import type { FieldDef, Value } from './entity-def.js';
import type { ValuesListEntry } from './list-params.js';
import type { Tenant } from './tenant.js';
import type { RowRef, VirtualTable } from './virtual-table.js';
import { WmsError } from './wms-error.js';

/** A column's text including its key, and a leading comma unless it is the record's first column. */
type Column = (ref: RowRef, zone: string) => string;

/**
 * Text values usually need no escaping; for those, quoting is cheaper than JSON.stringify. Anything with a quote,
 * backslash, control character or surrogate (JSON.stringify escapes lone surrogates) still goes through it.
 */
// eslint-disable-next-line no-control-regex -- exactly the control characters JSON escapes
const PLAIN_TEXT = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
function quote(text: string): string {
  return PLAIN_TEXT.test(text) ? `"${text}"` : JSON.stringify(text);
}

/**
 * Renders rows straight to JSON text in the real record shape (docs/lgfapi.md §6): header keys first,
 * `url` after `id`, relations as `{id,key,url}`, decimals as strings, microsecond timestamps with the
 * row's facility offset, `_set` links or null. Building strings directly keeps a 1250-row page cheap.
 */
export class RecordRenderer {
  private readonly columns: Column[];
  /** Relation texts by id, one map per relation column; filled only inside {@link renderRows}. */
  private readonly relationCaches: Map<number, string>[] = [];
  private caching = false;

  constructor(
    private readonly tenant: Tenant,
    private readonly table: VirtualTable,
    /** `http://host:port/env/wms/lgfapi/v10/entity/` */
    private readonly entityBase: string,
    fields: readonly string[] | null,
  ) {
    this.columns = fields === null ? this.defaultColumns() : this.projectedColumns(fields);
  }

  /** values_list: flat objects keyed by field or alias, relations as bare ids. */
  static valuesList(tenant: Tenant, table: VirtualTable, entries: readonly ValuesListEntry[]): (ref: RowRef) => string {
    const errors: Record<string, string> = {};
    const parts = entries.map((entry) => {
      const resolved = FieldPath.resolve(tenant, table, entry.expr.split('__'));
      if (!resolved || resolved.rest.length > 0) {
        errors[entry.expr] = 'Unknown field.';
        return null;
      }
      if (resolved.path.kind === 'set') {
        errors[entry.expr] = 'Set fields cannot be used in values_list.';
        return null;
      }
      const path = resolved.path;
      const prefix = `${JSON.stringify(entry.alias)}:`;
      return (ref: RowRef, zone: string) => prefix + scalar(path.last, path.evaluate(ref), zone);
    });
    if (Object.keys(errors).length > 0) throw WmsError.validation(errors);
    const columns = parts as Column[];
    return (ref) => {
      const zone = table.zoneOf(ref);
      let out = '{';
      for (let c = 0; c < columns.length; c++) out += (c ? ',' : '') + columns[c](ref, zone);
      return `${out}}`;
    };
  }

  render(ref: RowRef): string {
    const zone = this.table.zoneOf(ref);
    const cols = this.columns;
    let out = '{';
    for (let c = 0; c < cols.length; c++) out += cols[c](ref, zone);
    return `${out}}`;
  }

  /**
   * Rows joined with commas (a page's `results`). Neighbouring rows mostly point at the same parents and lookup
   * rows, so relation texts are cached by id for the duration of this call; it is synchronous, so the tenant cannot
   * change while the cache lives.
   */
  renderRows(refs: readonly RowRef[]): string {
    this.caching = true;
    try {
      let out = '';
      for (let r = 0; r < refs.length; r++) out += (r ? ',' : '') + this.render(refs[r]);
      return out;
    } finally {
      this.caching = false;
      for (const cache of this.relationCaches) cache.clear();
    }
  }

  private defaultColumns(): Column[] {
    const out: Column[] = [];
    this.table.def.fields.forEach((field, pos) => {
      if (field.onRequestOnly) return;
      out.push(this.column(field, pos, out.length > 0));
      if (field.name === 'id') out.push(this.urlColumn(out.length > 0));
    });
    return out;
  }

  private projectedColumns(names: readonly string[]): Column[] {
    const wanted = new Set(names);
    const unknown = names.filter((n) => n !== 'url' && !this.table.fieldPos.has(n));
    if (unknown.length > 0)
      throw WmsError.validation(Object.fromEntries(unknown.map((n) => [n, 'Unknown field.'])), 'Invalid fields.');
    const out: Column[] = [];
    this.table.def.fields.forEach((field, pos) => {
      if (wanted.has(field.name)) out.push(this.column(field, pos, out.length > 0));
      if (field.name === 'id' && wanted.has('url')) out.push(this.urlColumn(out.length > 0));
    });
    return out;
  }

  private urlColumn(comma: boolean): Column {
    const prefix = `${comma ? ',' : ''}"url":${JSON.stringify(`${this.entityBase}${this.table.def.name}/`).slice(0, -1)}`;
    return (ref) => `${prefix}${this.table.idOf(ref)}"`;
  }

  private column(field: FieldDef, pos: number, comma: boolean): Column {
    const table = this.table;
    const prefix = `${comma ? ',' : ''}${JSON.stringify(field.name)}:`;
    if (field.kind === 'rel') {
      const rel = field.relation!;
      const target = this.tenant.table(rel.target);
      const urlPrefix = rel.blankUrl ? '' : `${this.entityBase}${rel.target}/`;
      const nullText = `${prefix}null`;
      const cache = new Map<number, string>();
      this.relationCaches.push(cache);
      return (ref) => {
        const id = table.value(ref, pos);
        if (id === null) return nullText;
        if (this.caching) {
          const hit = cache.get(id as number);
          if (hit !== undefined) return hit;
        }
        let key = '';
        if (rel.lookupKeys) key = rel.lookupKeys[(id as number) - 1] ?? '';
        else if (target) {
          const t = target.resolve(id as number);
          if (t !== null) key = target.def.keyOf(t);
        }
        const url = urlPrefix === '' ? '""' : `"${urlPrefix}${id}"`;
        const text = `${prefix}{"id":${id},"key":${quote(key)},"url":${url}}`;
        if (this.caching) cache.set(id as number, text);
        return text;
      };
    }
    if (field.kind === 'set') {
      const set = field.set!;
      const urlPrefix = `${this.entityBase}${set.child}/?${set.parentField}=`;
      const empty = `${prefix}${set.emptyAsList ? '[]' : 'null'}`;
      return (ref) => {
        const count = table.value(ref, pos) as number;
        return count > 0 ? `${prefix}{"result_count":${count},"url":"${urlPrefix}${table.idOf(ref)}"}` : empty;
      };
    }
    return (ref, zone) => prefix + scalar(field, table.value(ref, pos), zone);
  }
}

/** A non-relation value as JSON (relations and sets render as their bare number here). */
function scalar(field: FieldDef, value: Value, zone: string): string {
  if (value === null) return 'null';
  switch (field.kind) {
    case 'ts':
      return `"${formatTimestamp(value as number, zone)}"`;
    case 'text':
    case 'decimal':
    case 'date':
      return quote(value as string);
    default:
      return String(value);
  }
}
