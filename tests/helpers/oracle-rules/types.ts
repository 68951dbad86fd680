import type { TypeSpec } from './ast.js';
import type { Decimal } from './decimal.js';
import { OracleError } from './oracle-error.js';

/**
 * A value inside the rules database. Strings keep whether they arrived as a LONG bind (a STRING bind over the
 * server's maximum string size, which Thin sends as LONG) because Oracle only accepts those in a few places.
 */
export type OraValue =
  | null
  | { t: 'number'; n: Decimal }
  | { t: 'string'; s: string; long?: boolean }
  | { t: 'clob'; s: string }
  | { t: 'timestamp'; micros: bigint; offsetMinutes?: number }
  | { t: 'date'; micros: bigint }
  | { t: 'boolean'; b: boolean }
  | { t: 'json'; s: string };

/** A column's type as the dictionary shows it. */
export interface ColumnType {
  base:
    | 'NUMBER'
    | 'FLOAT'
    | 'VARCHAR2'
    | 'NVARCHAR2'
    | 'CHAR'
    | 'CLOB'
    | 'NCLOB'
    | 'BLOB'
    | 'DATE'
    | 'TIMESTAMP'
    | 'TIMESTAMP WITH TIME ZONE'
    | 'TIMESTAMP WITH LOCAL TIME ZONE'
    | 'BOOLEAN'
    | 'JSON'
    | 'LONG'
    | 'RAW';
  precision?: number;
  scale?: number;
  /** Characters (CHAR semantics) or bytes (BYTE) for VARCHAR2/NVARCHAR2/CHAR/RAW. */
  length?: number;
  semantics?: 'CHAR' | 'BYTE';
  fsp?: number;
}

export interface TypeLimits {
  /** 4000 (MAX_STRING_SIZE = STANDARD) or 32767 (EXTENDED). */
  maxStringBytes: number;
  /** Major release: BOOLEAN columns need 23, JSON columns 21. */
  version: number;
}

/**
 * Resolves a declared type, refusing what Oracle refuses: VARCHAR2 longer than the maximum string size
 * (ORA-00910: 4000 bytes under MAX_STRING_SIZE = STANDARD, 32767 under EXTENDED), NUMBER precision outside 1..38
 * (ORA-01727), fractional seconds outside 0..9 (ORA-30088), BOOLEAN before 23ai and JSON before 21c (ORA-00902).
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/Data-Types.html
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/refrn/MAX_STRING_SIZE.html
 */
export function resolveType(spec: TypeSpec, limits: TypeLimits): ColumnType {
  switch (spec.name) {
    case 'NUMBER':
      if (spec.precision !== undefined && (spec.precision < 1 || spec.precision > 38))
        throw new OracleError('ORA-01727', 'numeric precision specifier is out of range (1 to 38)');
      if (spec.scale !== undefined && (spec.scale < -84 || spec.scale > 127))
        throw new OracleError('ORA-01728', 'numeric scale specifier is out of range (-84 to 127)');
      return {
        base: 'NUMBER',
        precision: spec.precision,
        scale: spec.precision === undefined ? undefined : (spec.scale ?? 0),
      };
    case 'INTEGER':
      return { base: 'NUMBER', scale: 0 };
    case 'FLOAT':
      return { base: 'FLOAT', precision: 126 };
    case 'VARCHAR2':
    case 'NVARCHAR2':
    case 'CHAR':
    case 'NCHAR':
    case 'RAW': {
      const base = spec.name === 'NCHAR' ? 'CHAR' : spec.name;
      const length = spec.length ?? 1;
      const semantics = base === 'RAW' ? 'BYTE' : base === 'NVARCHAR2' ? 'CHAR' : (spec.semantics ?? 'BYTE');
      const max =
        base === 'CHAR' ? 2000 : base === 'RAW' ? Math.min(limits.maxStringBytes, 32767) : limits.maxStringBytes;
      // CHAR semantics still cap the column at the maximum size in bytes; the declared length is checked in chars.
      if (length < 1 || length > max)
        throw new OracleError(
          'ORA-00910',
          `specified length too long for its datatype (${spec.name}(${length}), maximum ${max})`,
        );
      return { base, length, semantics };
    }
    case 'TIMESTAMP': {
      const fsp = spec.fsp ?? 6;
      if (fsp < 0 || fsp > 9) throw new OracleError('ORA-30088', 'datetime/interval precision is out of range');
      const base =
        spec.timeZone === 'tz'
          ? 'TIMESTAMP WITH TIME ZONE'
          : spec.timeZone === 'local'
            ? 'TIMESTAMP WITH LOCAL TIME ZONE'
            : 'TIMESTAMP';
      return { base, fsp };
    }
    case 'BOOLEAN':
      if (limits.version < 23) throw new OracleError('ORA-00902', 'invalid datatype (BOOLEAN columns need 23ai)');
      return { base: 'BOOLEAN' };
    case 'JSON':
      if (limits.version < 21) throw new OracleError('ORA-00902', 'invalid datatype (JSON columns need 21c)');
      return { base: 'JSON' };
    case 'CLOB':
    case 'NCLOB':
    case 'BLOB':
    case 'DATE':
    case 'LONG':
      return { base: spec.name };
    default:
      throw new OracleError('ORA-00902', `invalid datatype ${spec.name}`);
  }
}

export function isLob(type: ColumnType): boolean {
  return type.base === 'CLOB' || type.base === 'NCLOB' || type.base === 'BLOB';
}

export function isCharacter(type: ColumnType): boolean {
  return type.base === 'VARCHAR2' || type.base === 'NVARCHAR2' || type.base === 'CHAR';
}

/** DATA_TYPE of ALL_TAB_COLUMNS: timestamps carry their precision in the name. */
export function dataTypeName(type: ColumnType): string {
  if (type.base.startsWith('TIMESTAMP')) return type.base.replace('TIMESTAMP', `TIMESTAMP(${type.fsp ?? 6})`);
  return type.base;
}

/** DATA_LENGTH in bytes (VARCHAR2 with CHAR semantics: 4 bytes per character in AL32UTF8, capped at the max). */
export function dataLength(type: ColumnType, limits: TypeLimits): number {
  if (isCharacter(type) || type.base === 'RAW') {
    const chars = type.length ?? 1;
    return type.semantics === 'CHAR' ? Math.min(chars * 4, type.base === 'CHAR' ? 2000 : limits.maxStringBytes) : chars;
  }
  switch (type.base) {
    case 'NUMBER':
    case 'FLOAT':
      return 22;
    case 'DATE':
      return 7;
    case 'TIMESTAMP':
      return 11;
    case 'TIMESTAMP WITH TIME ZONE':
      return 13;
    case 'BOOLEAN':
      return 1;
    default:
      return 4000;
  }
}
