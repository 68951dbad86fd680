import type { Expr } from './ast.js';
import { decimalText } from './decimal.js';
import type { ColumnType, OraValue } from './types.js';

export type Row = Map<string, OraValue>;

export interface Column {
  name: string;
  type: ColumnType;
  /** GENERATED ALWAYS AS (expr) VIRTUAL: computed on read, never stored. */
  virtual?: Expr;
  comment?: string;
}

export interface Constraint {
  name: string;
  /** P primary key, U unique, C check (the letters of ALL_CONSTRAINTS.CONSTRAINT_TYPE). */
  kind: 'P' | 'U' | 'C';
  columns: string[];
  condition?: { expr: Expr; text: string };
  /** A SYS_Cnnnnnn name Oracle generated (GENERATED = 'GENERATED NAME'). */
  generated: boolean;
}

export interface Index {
  schema: string;
  name: string;
  table: Table;
  unique: boolean;
  /** Plain columns, or expressions for a function-based index. */
  exprs: Expr[];
}

/** What makes a unique key: a constraint's columns or a unique index's expressions, evaluated on a row. */
export interface UniqueKey {
  name: string;
  isPrimary: boolean;
  key(row: Row): string | undefined;
}

/** One version of a table's rows (committed, or a transaction's working copy) with its unique-key maps. */
export class TableData {
  rows = new Map<number, Row>();
  keys = new Map<string, Map<string, number>>();
  nextRowid = 1;

  clone(): TableData {
    const copy = new TableData();
    copy.rows = new Map(this.rows);
    copy.keys = new Map([...this.keys].map(([name, map]) => [name, new Map(map)]));
    copy.nextRowid = this.nextRowid;
    return copy;
  }
}

/** A permanent or global temporary table. Object identity survives renames (sessions hold references). */
export class Table {
  schema: string;
  name: string;
  columns: Column[] = [];
  constraints: Constraint[] = [];
  temporary: 'delete' | 'preserve' | undefined;
  comment: string | undefined;
  /** Committed rows (permanent tables only; a temporary table's rows live in each session). */
  data = new TableData();
  readonly objectId: number;

  constructor(schema: string, name: string, objectId: number) {
    this.schema = schema;
    this.name = name;
    this.objectId = objectId;
  }

  get key(): string {
    return `${this.schema}.${this.name}`;
  }

  column(name: string): Column | undefined {
    return this.columns.find((c) => c.name === name);
  }

  get primaryKey(): Constraint | undefined {
    return this.constraints.find((c) => c.kind === 'P');
  }
}

/** Text identifying a value for equality within a key (NULL has none: Oracle does not index all-NULL keys). */
export function keyText(value: OraValue): string | undefined {
  if (value === null) return undefined;
  switch (value.t) {
    case 'number':
      return `n${decimalText(value.n)}`;
    case 'timestamp':
      return `t${value.micros}`;
    case 'date':
      return `d${value.micros}`;
    case 'boolean':
      return `b${value.b}`;
    default:
      return `s${value.s}`;
  }
}

/** Applies row changes to a TableData and records how to undo them (statement-level rollback). */
export class ChangeLog {
  readonly #undo: (() => void)[] = [];

  insert(data: TableData, row: Row, keys: UniqueKey[], duplicate: (key: UniqueKey) => never): number {
    const rowid = data.nextRowid;
    for (const k of keys) {
      const key = k.key(row);
      if (key !== undefined && data.keys.get(k.name)?.has(key)) duplicate(k);
    }
    data.nextRowid += 1;
    data.rows.set(rowid, row);
    for (const k of keys) this.#index(data, k, row, rowid);
    this.#undo.push(() => {
      data.rows.delete(rowid);
      for (const k of keys) this.#unindex(data, k, row);
    });
    return rowid;
  }

  replace(data: TableData, rowid: number, row: Row, keys: UniqueKey[], duplicate: (key: UniqueKey) => never): void {
    const old = data.rows.get(rowid)!;
    for (const k of keys) {
      const key = k.key(row);
      if (key !== undefined && key !== k.key(old) && data.keys.get(k.name)?.has(key)) duplicate(k);
    }
    for (const k of keys) this.#unindex(data, k, old);
    data.rows.set(rowid, row);
    for (const k of keys) this.#index(data, k, row, rowid);
    this.#undo.push(() => {
      for (const k of keys) this.#unindex(data, k, row);
      data.rows.set(rowid, old);
      for (const k of keys) this.#index(data, k, old, rowid);
    });
  }

  remove(data: TableData, rowid: number, keys: UniqueKey[]): void {
    const old = data.rows.get(rowid)!;
    data.rows.delete(rowid);
    for (const k of keys) this.#unindex(data, k, old);
    this.#undo.push(() => {
      data.rows.set(rowid, old);
      for (const k of keys) this.#index(data, k, old, rowid);
    });
  }

  undo(): void {
    for (const step of this.#undo.reverse()) step();
    this.#undo.length = 0;
  }

  #index(data: TableData, k: UniqueKey, row: Row, rowid: number): void {
    const key = k.key(row);
    if (key === undefined) return;
    let map = data.keys.get(k.name);
    if (!map) data.keys.set(k.name, (map = new Map()));
    map.set(key, rowid);
  }

  #unindex(data: TableData, k: UniqueKey, row: Row): void {
    const key = k.key(row);
    if (key !== undefined) data.keys.get(k.name)?.delete(key);
  }
}
