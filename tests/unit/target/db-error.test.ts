import assert from 'node:assert/strict';
import { describeDbError, maskValues } from '../../../target-oracle/db-error.js';

describe('target-oracle/db-error: driver messages without record values', () => {
  const cases: [string, string][] = [
    ['value "9223372036854775808" is out of range for type bigint', 'value "…" is out of range for type bigint'],
    ['invalid input syntax for type integer: "1.5"', 'invalid input syntax for type integer: "…"'],
    ['invalid input syntax for type json: "a"b"c"', 'invalid input syntax for type json: "…"'],
    ['"1e400" is out of range for type double precision', '"…" is out of range for type double precision'],
    ['date/time field value out of range: "2024-02-30"', 'date/time field value out of range: "…"'],
    [
      'null value in column "id" of relation "orders" violates not-null constraint',
      'null value in column "id" of relation "orders" violates not-null constraint',
    ],
    [
      'duplicate key value violates unique constraint "orders_pkey"',
      'duplicate key value violates unique constraint "orders_pkey"',
    ],
    [
      'ORA-12899: value too large for column "S"."T"."C" (actual: 20, maximum: 10)',
      'ORA-12899: value too large for column "S"."T"."C" (actual: 20, maximum: 10)',
    ],
    [
      "ORA-01722: unable to convert string value containing 'K9' to a number",
      "ORA-01722: unable to convert string value containing '…' to a number",
    ],
    [
      'ORA-00001: unique constraint (S.PK) violated on table S.T columns (ID) row with column values (ID:42)',
      'ORA-00001: unique constraint (S.PK) violated on table S.T columns (ID) row with column values (…)',
    ],
    ['ORA-00904: "C": invalid identifier', 'ORA-00904: "C": invalid identifier'],
  ];
  for (const [message, masked] of cases) {
    it(`${message} → ${masked}`, () => assert.equal(maskValues(message), masked));
  }

  it('describeDbError keeps the code and the first line only (PostgreSQL detail quotes the row)', () => {
    const error = Object.assign(new Error('value "123456789012345678901" is out of range for type bigint\nDETAIL: x'), {
      code: '22003',
      detail: 'Key (id)=(123456789012345678901)',
    });
    assert.equal(describeDbError(error), '22003 value "…" is out of range for type bigint');
  });
});
