import type { Index, Table } from './catalog.js';
import type { DbSession } from './db-session.js';
import { fromInteger } from './decimal.js';
import { OracleError } from './oracle-error.js';
import type { Source } from './query.js';
import { dataLength, dataTypeName, isCharacter, type ColumnType, type OraValue, type TypeLimits } from './types.js';

export interface DictionaryHost {
  tables: Iterable<Table>;
  indexes: Iterable<Index>;
  users: readonly string[];
  limits: TypeLimits;
  maxStringSize: 'STANDARD' | 'EXTENDED';
  /** V$PARAMETER needs SELECT_CATALOG_ROLE; a plain schema owner gets ORA-00942. */
  catalogAccess: boolean;
}

const V: ColumnType = { base: 'VARCHAR2', length: 128, semantics: 'BYTE' };
const N: ColumnType = { base: 'NUMBER' };
const LONG: ColumnType = { base: 'LONG' };

const s = (value: string | undefined): OraValue =>
  value === undefined || value === '' ? null : { t: 'string', s: value };
const n = (value: number | undefined): OraValue =>
  value === undefined ? null : { t: 'number', n: fromInteger(value) };

interface View {
  columns: [string, ColumnType][];
  rows: (host: DictionaryHost, session: DbSession) => Record<string, OraValue>[];
}

function permanentAndTemporary(host: DictionaryHost): Table[] {
  return [...host.tables];
}

/**
 * The dictionary views the target and the tests read (ALL_/USER_ TABLES, TAB_COLUMNS, CONSTRAINTS, CONS_COLUMNS,
 * TAB_COMMENTS, COL_COMMENTS, INDEXES, USERS; NLS_SESSION_PARAMETERS; V$PARAMETER; DUAL), with the columns and
 * encodings the Database Reference documents (DATA_TYPE 'TIMESTAMP(6) WITH TIME ZONE', CHAR_USED 'C'/'B', …).
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/refrn/ALL_TAB_COLUMNS.html
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/refrn/ALL_CONSTRAINTS.html
 */
const VIEWS: Record<string, View> = {
  DUAL: { columns: [['DUMMY', { base: 'VARCHAR2', length: 1 }]], rows: () => [{ DUMMY: s('X') }] },
  ALL_USERS: { columns: [['USERNAME', V]], rows: (h) => h.users.map((u) => ({ USERNAME: s(u) })) },
  ALL_TABLES: {
    columns: [
      ['OWNER', V],
      ['TABLE_NAME', V],
      ['TEMPORARY', V],
      ['DURATION', V],
    ],
    rows: (h) =>
      permanentAndTemporary(h).map((t) => ({
        OWNER: s(t.schema),
        TABLE_NAME: s(t.name),
        TEMPORARY: s(t.temporary ? 'Y' : 'N'),
        DURATION: s(
          t.temporary === 'delete' ? 'SYS$TRANSACTION' : t.temporary === 'preserve' ? 'SYS$SESSION' : undefined,
        ),
      })),
  },
  ALL_TAB_COLUMNS: {
    columns: [
      ['OWNER', V],
      ['TABLE_NAME', V],
      ['COLUMN_NAME', V],
      ['DATA_TYPE', V],
      ['DATA_LENGTH', N],
      ['DATA_PRECISION', N],
      ['DATA_SCALE', N],
      ['CHAR_LENGTH', N],
      ['CHAR_USED', V],
      ['NULLABLE', V],
      ['COLUMN_ID', N],
      ['VIRTUAL_COLUMN', V],
    ],
    rows: (h) =>
      permanentAndTemporary(h).flatMap((t) =>
        t.columns.map((c, i) => ({
          OWNER: s(t.schema),
          TABLE_NAME: s(t.name),
          COLUMN_NAME: s(c.name),
          DATA_TYPE: s(dataTypeName(c.type)),
          DATA_LENGTH: n(dataLength(c.type, h.limits)),
          DATA_PRECISION: n(c.type.base === 'NUMBER' || c.type.base === 'FLOAT' ? c.type.precision : undefined),
          DATA_SCALE: n(
            c.type.base === 'NUMBER' ? c.type.scale : c.type.base.startsWith('TIMESTAMP') ? c.type.fsp : undefined,
          ),
          CHAR_LENGTH: n(isCharacter(c.type) ? c.type.length : 0),
          CHAR_USED: s(isCharacter(c.type) ? (c.type.semantics === 'CHAR' ? 'C' : 'B') : undefined),
          NULLABLE: s(t.constraints.some((k) => k.kind === 'P' && k.columns.includes(c.name)) ? 'N' : 'Y'),
          COLUMN_ID: n(i + 1),
          VIRTUAL_COLUMN: s(c.virtual ? 'YES' : 'NO'),
        })),
      ),
  },
  ALL_CONSTRAINTS: {
    columns: [
      ['OWNER', V],
      ['CONSTRAINT_NAME', V],
      ['CONSTRAINT_TYPE', V],
      ['TABLE_NAME', V],
      ['SEARCH_CONDITION', LONG],
      ['SEARCH_CONDITION_VC', { base: 'VARCHAR2', length: 4000, semantics: 'BYTE' }],
      ['STATUS', V],
      ['GENERATED', V],
    ],
    rows: (h) =>
      permanentAndTemporary(h).flatMap((t) =>
        t.constraints.map((k) => ({
          OWNER: s(t.schema),
          CONSTRAINT_NAME: s(k.name),
          CONSTRAINT_TYPE: s(k.kind),
          TABLE_NAME: s(t.name),
          SEARCH_CONDITION: k.condition ? ({ t: 'clob', s: k.condition.text } as const) : null,
          SEARCH_CONDITION_VC: s(k.condition?.text),
          STATUS: s('ENABLED'),
          GENERATED: s(k.generated ? 'GENERATED NAME' : 'USER NAME'),
        })),
      ),
  },
  ALL_CONS_COLUMNS: {
    columns: [
      ['OWNER', V],
      ['CONSTRAINT_NAME', V],
      ['TABLE_NAME', V],
      ['COLUMN_NAME', V],
      ['POSITION', N],
    ],
    rows: (h) =>
      permanentAndTemporary(h).flatMap((t) =>
        t.constraints.flatMap((k) =>
          k.columns.map((c, i) => ({
            OWNER: s(t.schema),
            CONSTRAINT_NAME: s(k.name),
            TABLE_NAME: s(t.name),
            COLUMN_NAME: s(c),
            POSITION: n(k.kind === 'C' ? undefined : i + 1),
          })),
        ),
      ),
  },
  ALL_TAB_COMMENTS: {
    columns: [
      ['OWNER', V],
      ['TABLE_NAME', V],
      ['TABLE_TYPE', V],
      ['COMMENTS', { base: 'VARCHAR2', length: 4000 }],
    ],
    rows: (h) =>
      permanentAndTemporary(h).map((t) => ({
        OWNER: s(t.schema),
        TABLE_NAME: s(t.name),
        TABLE_TYPE: s('TABLE'),
        COMMENTS: s(t.comment),
      })),
  },
  ALL_COL_COMMENTS: {
    columns: [
      ['OWNER', V],
      ['TABLE_NAME', V],
      ['COLUMN_NAME', V],
      ['COMMENTS', { base: 'VARCHAR2', length: 4000 }],
    ],
    rows: (h) =>
      permanentAndTemporary(h).flatMap((t) =>
        t.columns.map((c) => ({
          OWNER: s(t.schema),
          TABLE_NAME: s(t.name),
          COLUMN_NAME: s(c.name),
          COMMENTS: s(c.comment),
        })),
      ),
  },
  ALL_INDEXES: {
    columns: [
      ['OWNER', V],
      ['INDEX_NAME', V],
      ['TABLE_OWNER', V],
      ['TABLE_NAME', V],
      ['UNIQUENESS', V],
    ],
    rows: (h) =>
      [...h.indexes].map((i) => ({
        OWNER: s(i.schema),
        INDEX_NAME: s(i.name),
        TABLE_OWNER: s(i.table.schema),
        TABLE_NAME: s(i.table.name),
        UNIQUENESS: s(i.unique ? 'UNIQUE' : 'NONUNIQUE'),
      })),
  },
  NLS_SESSION_PARAMETERS: {
    columns: [
      ['PARAMETER', V],
      ['VALUE', V],
    ],
    rows: (_h, session) => [
      { PARAMETER: s('NLS_NUMERIC_CHARACTERS'), VALUE: s(session.nls.numericCharacters) },
      { PARAMETER: s('TIME_ZONE'), VALUE: s(session.nls.timeZone) },
    ],
  },
  V$PARAMETER: {
    columns: [
      ['NAME', V],
      ['VALUE', V],
    ],
    rows: (h) => {
      if (!h.catalogAccess) throw new OracleError('ORA-00942', 'table or view does not exist');
      return [{ NAME: s('max_string_size'), VALUE: s(h.maxStringSize) }];
    },
  },
};

/** A dictionary view as a row source; USER_* views are the ALL_* rows of the session's own schema without OWNER. */
export function dictionaryView(
  name: string,
  alias: string | undefined,
  host: DictionaryHost,
  session: DbSession,
): Source | undefined {
  const user = name.startsWith('USER_') ? `ALL_${name.slice(5)}` : undefined;
  const view = VIEWS[user ?? name];
  if (!view) return undefined;
  let rows = view.rows(host, session);
  let columns = view.columns;
  if (user) {
    rows = rows.filter((r) => r.OWNER !== null && (r.OWNER as { s: string }).s === session.user);
    columns = columns.filter(([c]) => c !== 'OWNER');
  }
  return {
    alias: alias ?? name,
    columns: columns.map(([c]) => c),
    types: columns.map(([, t]) => t),
    rows: rows.map((r) => new Map(Object.entries(r))),
  };
}
