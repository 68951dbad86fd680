import assert from 'node:assert/strict';
import { oracleNativeType } from '../../../target-oracle/dialects/oracle/oracle-sql.js';
import { pgNativeType } from '../../../target-oracle/dialects/postgres/postgres-sql.js';
import { parseNativeType } from '../../../target-oracle/native-type.js';

describe('target-oracle/native-type: x-sql-datatype accepts type names with numeric parameters only', () => {
  it('parses words and numeric parameter lists into a shape and rebuilt DDL text', () => {
    assert.deepEqual(parseNativeType(' number( 12 , 2 ) '), { shape: 'NUMBER(n,n)', sql: 'NUMBER(12,2)' });
    assert.deepEqual(parseNativeType('timestamp(6)  with time zone'), {
      shape: 'TIMESTAMP(n) WITH TIME ZONE',
      sql: 'TIMESTAMP(6) WITH TIME ZONE',
    });
    assert.deepEqual(parseNativeType('varchar2(30 char)'), { shape: 'VARCHAR2(n CHAR)', sql: 'VARCHAR2(30 CHAR)' });
    assert.deepEqual(parseNativeType('NUMBER(5,-2)'), { shape: 'NUMBER(n,n)', sql: 'NUMBER(5,-2)' });
  });

  const hostile = [
    'TEXT, INJECTED INTEGER',
    'INTEGER CHECK (pg_terminate_backend(pg_backend_pid()) IS NOT NULL)',
    'text /* comment */',
    'text -- comment',
    'varchar(10); DROP TABLE x',
    '"char"',
    'NUMBER(1)(2)',
    'NUMBER(5)X',
    'numeric(1e3)',
    'numeric(1,2,3)',
    'int\ninteger',
    'integer DEFAULT 1',
    'integer NOT NULL',
    'integer PRIMARY KEY',
    'text COLLATE "C"',
    '',
    '(10)',
    'x'.repeat(100),
  ];
  for (const text of hostile) {
    it(`refuses ${JSON.stringify(text)} in both dialects`, () => {
      assert.equal(oracleNativeType(text), undefined);
      assert.equal(pgNativeType(text), undefined);
    });
  }

  it('each dialect accepts its own types, rebuilt from the parsed parts', () => {
    assert.equal(oracleNativeType('nvarchar2(10)'), 'NVARCHAR2(10)');
    assert.equal(oracleNativeType('interval day(3) to second(6)'), 'INTERVAL DAY(3) TO SECOND(6)');
    assert.equal(oracleNativeType('timestamp with local time zone'), 'TIMESTAMP WITH LOCAL TIME ZONE');
    assert.equal(pgNativeType('NUMERIC(38, 0)'), 'numeric(38,0)');
    assert.equal(pgNativeType('double precision'), 'double precision');
    assert.equal(pgNativeType('timestamp(3) without time zone'), 'timestamp(3) without time zone');
  });

  it('a type of the other dialect, or a parameter the type does not take, is refused', () => {
    assert.equal(pgNativeType('nvarchar2(10)'), undefined);
    assert.equal(pgNativeType('varchar(30 char)'), undefined);
    assert.equal(oracleNativeType('jsonb'), undefined);
    assert.equal(oracleNativeType('CLOB(10)'), undefined);
    assert.equal(oracleNativeType('NVARCHAR2(10 CHAR)'), undefined);
  });
});
