import { createRequire } from 'node:module';

// The installed node-oracledb, loaded with require: its constants and type maps are the ones the fake driver must
// agree with, and require is never redirected by the resolve hook that swaps `oracledb` for the fake in targets.
const require = createRequire(import.meta.url);

export interface DbType {
  name: string;
  num: number;
  columnTypeName: string;
}

export interface RealOracledb {
  [key: string]: unknown;
  STRING: DbType;
  NUMBER: DbType;
  DB_TYPE_VARCHAR: DbType;
  DB_TYPE_NVARCHAR: DbType;
  DB_TYPE_CHAR: DbType;
  DB_TYPE_CLOB: DbType;
  DB_TYPE_NCLOB: DbType;
  DB_TYPE_BLOB: DbType;
  DB_TYPE_LONG: DbType;
  DB_TYPE_LONG_NVARCHAR: DbType;
  DB_TYPE_NUMBER: DbType;
  DB_TYPE_DATE: DbType;
  DB_TYPE_TIMESTAMP: DbType;
  DB_TYPE_TIMESTAMP_TZ: DbType;
  DB_TYPE_TIMESTAMP_LTZ: DbType;
  DB_TYPE_BOOLEAN: DbType;
  DB_TYPE_JSON: DbType;
  DB_TYPE_RAW: DbType;
  OUT_FORMAT_ARRAY: number;
  OUT_FORMAT_OBJECT: number;
}

export const real = require('oracledb') as RealOracledb;

/** `lib/types.js`: which fetch conversions Thin supports (NJS-119 otherwise) and the default fetch types. */
export const realTypes = require('oracledb/lib/types.js') as {
  DB_TYPE_CONVERSION_MAP: Map<DbType, Map<DbType, DbType>>;
  DB_TYPE_FETCH_TYPE_MAP: Map<DbType, DbType>;
};
