import { OracleError, RuleViolation } from './oracle-error.js';
import { real, realTypes, type DbType } from './real-driver.js';
import type { ColumnType } from './types.js';
import type { WireQuery, WireValue } from './wire.js';

/** Column metadata as node-oracledb reports it (what a fetchTypeHandler receives). */
export interface Metadata {
  name: string;
  dbType: DbType;
  dbTypeName: string;
  fetchType?: DbType;
  nullable: boolean;
  precision?: number;
  scale?: number;
}

export interface FetchOptions {
  outFormat?: number;
  fetchTypeHandler?: (meta: Metadata) => { type?: DbType; converter?: (v: unknown) => unknown } | undefined;
  fetchInfo?: Record<string, { type: DbType }>;
}

export interface FetchSettings {
  outFormat: number;
  fetchAsString: DbType[];
}

function dbTypeOf(type: ColumnType | null, sample: WireValue | undefined): DbType {
  const base = type?.base;
  switch (base) {
    case 'NUMBER':
    case 'FLOAT':
      return real.DB_TYPE_NUMBER;
    case 'VARCHAR2':
      return real.DB_TYPE_VARCHAR;
    case 'NVARCHAR2':
      return real.DB_TYPE_NVARCHAR;
    case 'CHAR':
      return real.DB_TYPE_CHAR;
    case 'CLOB':
      return real.DB_TYPE_CLOB;
    case 'NCLOB':
      return real.DB_TYPE_NCLOB;
    case 'BLOB':
      return real.DB_TYPE_BLOB;
    case 'LONG':
      return real.DB_TYPE_LONG;
    case 'DATE':
      return real.DB_TYPE_DATE;
    case 'TIMESTAMP':
      return real.DB_TYPE_TIMESTAMP;
    case 'TIMESTAMP WITH TIME ZONE':
      return real.DB_TYPE_TIMESTAMP_TZ;
    case 'TIMESTAMP WITH LOCAL TIME ZONE':
      return real.DB_TYPE_TIMESTAMP_LTZ;
    case 'BOOLEAN':
      return real.DB_TYPE_BOOLEAN;
    case 'JSON':
      return real.DB_TYPE_JSON;
    case 'RAW':
      return real.DB_TYPE_RAW;
    default:
      break;
  }
  // An expression's type: from its values (the rules session keeps no expression types).
  switch (sample?.[0]) {
    case 'n':
      return real.DB_TYPE_NUMBER;
    case 'c':
      return real.DB_TYPE_CLOB;
    case 'j':
      return real.DB_TYPE_JSON;
    case 'b':
      return real.DB_TYPE_BOOLEAN;
    case 'd':
      return real.DB_TYPE_DATE;
    case 't':
      return sample[2] === null ? real.DB_TYPE_TIMESTAMP : real.DB_TYPE_TIMESTAMP_TZ;
    default:
      return real.DB_TYPE_VARCHAR;
  }
}

/** A CLOB fetched with the default type: a Lob to read, as Thin returns it. */
export class FakeLob {
  readonly type = real.DB_TYPE_CLOB;
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  get length(): number {
    return this.#text.length;
  }
  getData(): Promise<string> {
    return Promise.resolve(this.#text);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const STRING_TYPES = () => [
  real.DB_TYPE_VARCHAR,
  real.DB_TYPE_NVARCHAR,
  real.DB_TYPE_CHAR,
  real.DB_TYPE_LONG,
  real.DB_TYPE_LONG_NVARCHAR,
];

function convert(value: WireValue, fetchType: DbType, nls: WireQuery['nls']): unknown {
  if (value === null) return null;
  const [tag] = value;
  if (STRING_TYPES().includes(fetchType)) {
    if (tag === 't' || tag === 'd') {
      // The server converts with the session's NLS_*_FORMAT; the rules session models explicit formats only.
      const parameter =
        tag === 'd' ? 'NLS_DATE_FORMAT' : value[2] === null ? 'NLS_TIMESTAMP_FORMAT' : 'NLS_TIMESTAMP_TZ_FORMAT';
      if (!nls.set.includes(parameter))
        throw new RuleViolation('NLS-NOT-SET', `a datetime fetched as text before ALTER SESSION SET ${parameter}`);
      throw new OracleError('ORA-01821', 'datetime fetched as text is not modelled: convert with TO_CHAR and a format');
    }
    // Thin decodes NUMBER to text itself: '.' always, no leading zero ('.5').
    return String(value[1]);
  }
  switch (tag) {
    case 'n':
      return Number(value[1]);
    case 'c':
      return fetchType === real.DB_TYPE_CLOB || fetchType === real.DB_TYPE_NCLOB ? new FakeLob(value[1]) : value[1];
    case 'j':
      return JSON.parse(value[1]) as unknown;
    case 'b':
      return value[1];
    case 't': {
      const ms = Number(BigInt(value[1]) / 1000n);
      if (value[2] !== null) return new Date(ms);
      const utc = new Date(ms);
      // A TIMESTAMP without zone comes back as a Date in the client's local time zone.
      return new Date(
        utc.getUTCFullYear(),
        utc.getUTCMonth(),
        utc.getUTCDate(),
        utc.getUTCHours(),
        utc.getUTCMinutes(),
        utc.getUTCSeconds(),
        utc.getUTCMilliseconds(),
      );
    }
    case 'd': {
      const utc = new Date(Number(BigInt(value[1]) / 1000n));
      return new Date(
        utc.getUTCFullYear(),
        utc.getUTCMonth(),
        utc.getUTCDate(),
        utc.getUTCHours(),
        utc.getUTCMinutes(),
        utc.getUTCSeconds(),
      );
    }
    default:
      return value[1];
  }
}

/**
 * Rows of a query as node-oracledb returns them: fetch types from fetchTypeHandler, fetchInfo, fetchAsString or the
 * defaults (NUMBER → number, dates → Date, CLOB → Lob), conversions checked against the driver's own map (NJS-119),
 * in ARRAY or OBJECT format.
 * https://node-oracledb.readthedocs.io/en/latest/user_guide/sql_execution.html#query-result-type-mapping
 */
export function fetchRows(
  query: WireQuery,
  options: FetchOptions,
  settings: FetchSettings,
): { rows: unknown[]; metaData: Metadata[] } {
  const metaData: Metadata[] = query.columns.map((name, i) => {
    const sample = query.rows.find((r) => r[i] !== null)?.[i] ?? undefined;
    const dbType = dbTypeOf(query.types[i], sample);
    const type = query.types[i];
    return {
      name,
      dbType,
      dbTypeName: dbType.columnTypeName,
      nullable: true,
      ...(type?.precision !== undefined ? { precision: type.precision } : {}),
      ...(type?.scale !== undefined ? { scale: type.scale } : {}),
    };
  });
  const converters: ((v: unknown) => unknown)[] = [];
  for (const meta of metaData) {
    let fetchType: DbType | undefined;
    let converter: ((v: unknown) => unknown) | undefined;
    const handled = options.fetchTypeHandler?.(meta);
    if (handled !== undefined) {
      fetchType = handled.type;
      converter = handled.converter;
    }
    fetchType ??= options.fetchInfo?.[meta.name]?.type;
    fetchType ??= settings.fetchAsString.includes(meta.dbType)
      ? real.DB_TYPE_VARCHAR
      : realTypes.DB_TYPE_FETCH_TYPE_MAP.get(meta.dbType);
    if (fetchType !== meta.dbType) {
      const actual = realTypes.DB_TYPE_CONVERSION_MAP.get(meta.dbType)?.get(fetchType!);
      if (!actual)
        throw new OracleError(
          'NJS-119',
          `conversion from type ${meta.dbType.name} to type ${fetchType!.name} is not supported`,
        );
      fetchType = actual;
    }
    meta.fetchType = fetchType;
    converters.push(converter ?? ((v) => v));
  }
  const rows = query.rows.map((row) => {
    const values = row.map((v, i) => converters[i](convert(v, metaData[i].fetchType!, query.nls)));
    if ((options.outFormat ?? settings.outFormat) !== real.OUT_FORMAT_OBJECT) return values;
    return Object.fromEntries(metaData.map((m, i) => [m.name, values[i]]));
  });
  return { rows, metaData };
}
