/** The parsed form of the Oracle SQL subset the rules session models (see parser.ts). */

/** A possibly schema-qualified object name, resolved as Oracle does (unquoted = upper case). */
export interface QName {
  schema?: string;
  name: string;
}

/** A column data type as written in DDL or CAST. */
export interface TypeSpec {
  /** NUMBER, VARCHAR2, NVARCHAR2, CHAR, CLOB, NCLOB, BLOB, DATE, TIMESTAMP, BOOLEAN, JSON, INTEGER, FLOAT, LONG, RAW. */
  name: string;
  precision?: number;
  scale?: number;
  /** VARCHAR2/CHAR/RAW length. */
  length?: number;
  semantics?: 'CHAR' | 'BYTE';
  /** TIMESTAMP fractional seconds precision. */
  fsp?: number;
  timeZone?: 'tz' | 'local';
}

export type Expr =
  | { kind: 'null' }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'bind'; name: string; position: number }
  | { kind: 'column'; qualifier?: string; name: string }
  | { kind: 'star'; qualifier?: string }
  | { kind: 'call'; name: string; args: Expr[]; star?: boolean }
  | { kind: 'cast'; expr: Expr; type: TypeSpec }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'neg'; expr: Expr }
  | { kind: 'isNull'; expr: Expr; not: boolean }
  | { kind: 'isJson'; expr: Expr; not: boolean }
  | { kind: 'in'; expr: Expr; list: Expr[]; not: boolean }
  | { kind: 'like'; expr: Expr; pattern: Expr; not: boolean }
  | { kind: 'exists'; select: Select }
  | { kind: 'subquery'; select: Select };

export interface SelectItem {
  expr: Expr;
  alias?: string;
}

export type FromItem =
  | { kind: 'table'; name: QName; alias?: string }
  | { kind: 'subquery'; select: Select; alias?: string }
  | { kind: 'join'; left: FromItem; right: FromItem; on: Expr; outer: boolean };

export interface Select {
  kind: 'select';
  items: SelectItem[];
  from: FromItem[];
  where?: Expr;
  orderBy: { expr: Expr; desc: boolean }[];
  fetchFirst?: number;
  unionAll?: Select;
  /** SELECT … FOR UPDATE [NOWAIT] (top level only): locks the rows read (the model: the table). */
  forUpdate?: { nowait: boolean };
}

export type ColumnConstraint =
  | { kind: 'check'; expr: Expr; text: string; name?: string }
  | { kind: 'primaryKey'; name?: string }
  | { kind: 'unique'; name?: string }
  | { kind: 'notNull'; name?: string };

export interface ColumnDef {
  name: string;
  type?: TypeSpec;
  defaultExpr?: Expr;
  /** GENERATED ALWAYS AS (expr) VIRTUAL. */
  virtual?: Expr;
  constraints: ColumnConstraint[];
}

export type TableConstraint =
  | { kind: 'primaryKey'; name?: string; columns: string[] }
  | { kind: 'unique'; name?: string; columns: string[] }
  | { kind: 'check'; name?: string; expr: Expr; text: string };

export type AlterAction =
  | { kind: 'addColumns'; columns: ColumnDef[] }
  | { kind: 'addConstraint'; constraint: TableConstraint }
  | { kind: 'modifyColumns'; columns: ColumnDef[] }
  | { kind: 'renameColumn'; from: string; to: string }
  | { kind: 'renameTable'; to: string }
  | { kind: 'dropColumns'; columns: string[] }
  | { kind: 'dropConstraint'; name: string }
  | { kind: 'dropPrimaryKey' };

export interface Assignment {
  column: { qualifier?: string; name: string };
  expr: Expr;
}

export type Statement =
  | {
      kind: 'createTable';
      table: QName;
      columns: ColumnDef[];
      constraints: TableConstraint[];
      temporary?: 'delete' | 'preserve';
      asSelect?: Select;
    }
  | { kind: 'createIndex'; name: QName; table: QName; unique: boolean; exprs: Expr[] }
  | { kind: 'alterTable'; table: QName; actions: AlterAction[] }
  | { kind: 'dropTable'; table: QName }
  | { kind: 'dropIndex'; name: QName }
  | { kind: 'renameObject'; from: string; to: string }
  | { kind: 'truncate'; table: QName }
  | { kind: 'comment'; table: QName; column?: string; text: string }
  | { kind: 'lockTable'; table: QName; mode: string }
  | { kind: 'alterSession'; settings: [string, string][] }
  | { kind: 'commit' }
  | { kind: 'rollback' }
  | { kind: 'insert'; table: QName; columns?: string[]; values?: Expr[]; select?: Select }
  | {
      kind: 'merge';
      target: QName;
      targetAlias?: string;
      source: Extract<FromItem, { kind: 'table' | 'subquery' }>;
      on: Expr;
      update?: { sets: Assignment[]; where?: Expr };
      insert?: { columns?: string[]; values: Expr[]; where?: Expr };
    }
  | { kind: 'update'; table: QName; alias?: string; sets: Assignment[]; where?: Expr }
  | { kind: 'delete'; table: QName; alias?: string; where?: Expr }
  | Select;

/** Statements that Oracle runs as DDL: each commits the open transaction before it runs and after it succeeds. */
export const DDL_KINDS: ReadonlySet<Statement['kind']> = new Set([
  'createTable',
  'createIndex',
  'alterTable',
  'dropTable',
  'dropIndex',
  'renameObject',
  'truncate',
  'comment',
]);
