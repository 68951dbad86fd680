import assert from 'node:assert/strict';
import { Checkpoint } from '../../../target-oracle/checkpoint.js';
import { planEvolution } from '../../../target-oracle/evolution.js';
import { logicalType } from '../../../target-oracle/logical-type.js';
import { conformColumnNames, conformIdentifier } from '../../../target-oracle/names.js';
import { StreamBuffer } from '../../../target-oracle/stream-buffer.js';
import { canonicalTimestamp, instantKey, integerRange, toCell, type Cell } from '../../../target-oracle/values.js';
import { CopyTextEncoder } from '../../../target-oracle/dialects/postgres/copy-text.js';
import * as pgsql from '../../../target-oracle/dialects/postgres/postgres-sql.js';
import type { TableSpec } from '../../../target-oracle/dialect.js';
import { ExactNumber, type JsonSchema } from '../../../singer/index.js';

const ORACLE = { case: 'upper' as const, maxBytes: 128 };

describe('target core (pure units, no database)', () => {
  describe('names', () => {
    it('conforms hostile names: quotes, ;, --, unicode, leading digits/underscores, reserved words kept (quoted later)', () => {
      assert.equal(conformIdentifier('id"; DROP TABLE x; --', ORACLE), 'ID___DROP_TABLE_X____');
      assert.equal(conformIdentifier('clientName', ORACLE), 'CLIENTNAME');
      assert.equal(conformIdentifier('Ünïcödé ☃', { case: 'lower', maxBytes: 63 }), 'ünïcödé__');
      assert.equal(conformIdentifier('1st', ORACLE), '1ST');
      assert.equal(conformIdentifier('_sdc_extracted_at', ORACLE), '_SDC_EXTRACTED_AT');
      assert.equal(conformIdentifier('select', ORACLE), 'SELECT');
    });

    it('shortens over-long names to the byte limit with a hash suffix, never splitting a character', () => {
      const long = 'destination_check_for_pallet_move_auto_pack_flg';
      const short = conformIdentifier(long, { case: 'upper', maxBytes: 30 });
      assert.equal(Buffer.byteLength(short), 30);
      assert.match(short, /^DESTINATION_CHECK_FOR_[0-9A-F]{8}$/);
      const unicode = conformIdentifier('é'.repeat(40), { case: 'upper', maxBytes: 30 });
      assert.ok(Buffer.byteLength(unicode) <= 30);
      assert.doesNotMatch(unicode, /\uFFFD/);
    });

    it('resolves clashes deterministically (order-independent): the exact name keeps it, others get a hash', () => {
      const a = conformColumnNames(['clientName', 'CLIENTNAME', 'client-name'], ORACLE, 's');
      const b = conformColumnNames(['client-name', 'CLIENTNAME', 'clientName'], ORACLE, 's');
      assert.equal(a.get('CLIENTNAME'), 'CLIENTNAME');
      assert.deepEqual([...a].sort(), [...b].sort());
      assert.equal(new Set(a.values()).size, 3);
    });
  });

  describe('type mapping (JSON Schema → logical → dialect)', () => {
    const cases: [JsonSchema, string, string][] = [
      [{ type: 'integer' }, 'NUMBER(38)', 'bigint'],
      [{ type: 'integer', minimum: 0, maximum: 99999 }, 'NUMBER(5)', 'bigint'],
      [{ type: ['number', 'null'] }, 'NUMBER', 'numeric'],
      [{ type: 'string', maxLength: 30 }, 'VARCHAR2(30 CHAR)', 'varchar(30)'],
      [{ type: 'string', maxLength: 10000 }, 'CLOB', 'varchar(10000)'],
      [{ type: 'string', format: 'date-time' }, 'TIMESTAMP(6) WITH TIME ZONE', 'timestamptz'],
      [
        { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
        'TIMESTAMP(6) WITH TIME ZONE',
        'timestamptz',
      ],
      [{ type: 'string', format: 'date' }, 'DATE', 'date'],
      [{ type: 'boolean' }, 'NUMBER(1)', 'boolean'],
      [{ type: 'object' }, 'CLOB', 'jsonb'],
      [{ type: 'array', items: { type: 'string' } }, 'CLOB', 'jsonb'],
      // The tap's `_set` fields: an object, [] or null on real tenants.
      [{ type: ['object', 'array', 'null'] }, 'CLOB', 'jsonb'],
      [{ type: ['string', 'integer'] }, 'CLOB', 'text'],
      // The Meltano SDK's exact decimals (use_singer_decimal): text in a number column, never a text column.
      [{ type: ['string', 'null'], format: 'x-singer.decimal' }, 'NUMBER', 'numeric'],
      [{ type: 'string', format: 'x-singer.decimal', precision: 20, scale: 3 }, 'NUMBER(20,3)', 'numeric(20,3)'],
      [{ type: 'string', format: 'x-singer.decimal', precision: 12 }, 'NUMBER(12,0)', 'numeric(12,0)'],
      [{ type: 'string', format: 'x-singer.decimal', precision: 'wide' }, 'NUMBER', 'numeric'],
    ];
    for (const [schema, oracle, postgres] of cases) {
      it(`${JSON.stringify(schema)} → ${oracle} | ${postgres}`, async () => {
        const { oracleType } = await import('../../../target-oracle/dialects/oracle/oracle-sql.js');
        assert.equal(oracleType(logicalType(schema), { booleanType: 'number', jsonType: 'clob' }), oracle);
        assert.equal(pgsql.pgType(logicalType(schema)), postgres);
      });
    }
  });

  describe('values', () => {
    it('timestamps keep instant and offset exactly, microseconds, no Date round trip', () => {
      assert.equal(canonicalTimestamp('2024-03-10T01:59:59.1234567-05:00'), '2024-03-10T01:59:59.123456-05:00');
      assert.equal(canonicalTimestamp('2024-03-10 01:59:59Z'), '2024-03-10T01:59:59.000000+00:00');
      assert.equal(canonicalTimestamp('2024-03-10T01:59:59+0530'), '2024-03-10T01:59:59.000000+05:30');
      assert.equal(canonicalTimestamp('2024-13-10T01:59:59Z'), undefined);
      assert.equal(canonicalTimestamp('yesterday'), undefined);
      assert.equal(canonicalTimestamp('2024-02-30'), undefined);
      assert.equal(canonicalTimestamp('2000-02-29 12:00Z'), '2000-02-29T12:00:00.000000+00:00');
    });

    it('already-canonical timestamps pass as they are, with the same range checks as the general parse', () => {
      assert.equal(canonicalTimestamp('2024-06-30T23:59:59.123456+14:00'), '2024-06-30T23:59:59.123456+14:00');
      assert.equal(canonicalTimestamp('2024-06-30T23:59:59.123456+15:59'), '2024-06-30T23:59:59.123456+15:59');
      assert.equal(canonicalTimestamp('2024-02-29T00:00:00.000000-00:00'), '2024-02-29T00:00:00.000000-00:00');
      for (const bad of [
        '2024-02-30T00:00:00.000000+00:00',
        '2023-02-29T00:00:00.000000+00:00',
        '2100-02-29T00:00:00.000000+00:00',
        '2024-04-31T00:00:00.000000+00:00',
        '0000-01-01T00:00:00.000000+00:00',
        '2024-00-10T00:00:00.000000+00:00',
        '2024-01-32T00:00:00.000000+00:00',
        '2024-01-10T24:00:00.000000+00:00',
        '2024-01-10T00:60:00.000000+00:00',
        '2024-01-10T00:00:60.000000+00:00',
        '2024-01-10T00:00:00.000000+16:00',
        '2024-01-10T00:00:00.000000+01:60',
      ]) {
        assert.equal(canonicalTimestamp(bad), undefined, bad);
      }
    });

    it('knows the last day of every month, leap years by the Gregorian rule', () => {
      const last = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
      for (const [year, leap] of [
        ['2023', false],
        ['2024', true],
        ['1900', false],
        ['2000', true],
        ['0004', true],
      ] as const) {
        for (let month = 1; month <= 12; month += 1) {
          const days = month === 2 && leap ? 29 : last[month - 1];
          const at = (day: number) =>
            `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T00:00:00.000000+00:00`;
          assert.equal(canonicalTimestamp(at(days)), at(days));
          if (days < 31) assert.equal(canonicalTimestamp(at(days + 1)), undefined, at(days + 1));
        }
      }
    });

    it('a safe integer goes through without text checks only where the column holds every safe integer', () => {
      const safe = new ExactNumber(String(Number.MAX_SAFE_INTEGER));
      const digits = (n: number) => integerRange('oracle', { kind: 'integer', digits: n });
      assert.equal(toCell(Number.MAX_SAFE_INTEGER, { kind: 'integer', digits: 16 }, digits(16)), safe.text);
      assert.equal(toCell(-Number.MAX_SAFE_INTEGER, { kind: 'integer', digits: 16 }, digits(16)), `-${safe.text}`);
      for (const value of [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER])
        assert.throws(() => toCell(value, { kind: 'integer', digits: 15 }, digits(15)), /15 digits/);
    });

    it('numbers stay exact text; integers must be whole', () => {
      assert.equal(
        toCell(new ExactNumber('123456789012345678901234.5'), { kind: 'decimal' }),
        '123456789012345678901234.5',
      );
      assert.equal(toCell(0.1, { kind: 'decimal' }), '0.1');
      assert.equal(
        toCell('12345678901234567.891', logicalType({ type: 'string', format: 'x-singer.decimal' })),
        '12345678901234567.891',
      );
      assert.throws(() => toCell('NaN', logicalType({ type: 'string', format: 'x-singer.decimal' })), /a number/);
      assert.equal(toCell(new ExactNumber('9223372036854775807'), { kind: 'integer' }), '9223372036854775807');
      assert.throws(() => toCell(1.5, { kind: 'integer' }), /an integer/);
      // Decided: a whole number written with a fraction or exponent is that integer, loaded as its exact digits.
      assert.equal(toCell(new ExactNumber('1.0000000000000000'), { kind: 'integer' }), '1');
      assert.equal(toCell(new ExactNumber('-12.50e1'), { kind: 'integer' }), '-125');
      assert.equal(toCell(new ExactNumber('1e21'), { kind: 'integer' }), '1000000000000000000000');
      assert.throws(() => toCell(new ExactNumber('1.0000000000000001'), { kind: 'integer' }), /an integer/);
      assert.throws(() => toCell(new ExactNumber('1e400000'), { kind: 'integer' }), /an integer/);
      assert.throws(() => toCell({ kind: 'date' }, { kind: 'date' }), /date/);
    });

    it('refuses an integer beyond its column before the database: bigint in PostgreSQL, NUMBER(n) in Oracle', () => {
      const cell = (text: string, dialect: 'postgres' | 'oracle', type: { kind: 'integer'; digits?: number }) =>
        toCell(new ExactNumber(text), type, integerRange(dialect, type));
      const int = { kind: 'integer' as const };
      for (const text of ['9223372036854775808', '-9223372036854775809', '1e400', '-1e400', '1'.repeat(30)])
        assert.throws(() => cell(text, 'postgres', int), /an integer the column holds \(64-bit\)/, text);
      assert.equal(cell('9223372036854775807', 'postgres', int), '9223372036854775807');
      assert.equal(cell('-9223372036854775808', 'postgres', int), '-9223372036854775808');
      assert.equal(cell('92233720368547758070e-1', 'postgres', int), '9223372036854775807');
      // numeric(20) and Oracle NUMBER(38) hold more than 64 bits, up to their digits.
      assert.equal(cell('1'.repeat(20), 'postgres', { kind: 'integer', digits: 20 }), '1'.repeat(20));
      assert.throws(() => cell('1'.repeat(21), 'postgres', { kind: 'integer', digits: 20 }), /20 digits/);
      assert.equal(cell('9'.repeat(38), 'oracle', int), '9'.repeat(38));
      assert.equal(cell(`-${'9'.repeat(38)}`, 'oracle', int), `-${'9'.repeat(38)}`);
      for (const text of ['1e38', '-1e38', '1e400', '1'.repeat(39)])
        assert.throws(() => cell(text, 'oracle', int), /38 digits/, text);
      assert.throws(
        () => toCell(1000, { kind: 'integer', digits: 3 }, integerRange('oracle', { kind: 'integer', digits: 3 })),
        /3 digits/,
      );
      assert.equal(
        toCell(999, { kind: 'integer', digits: 3 }, integerRange('oracle', { kind: 'integer', digits: 3 })),
        '999',
      );
      assert.equal(integerRange('postgres', { kind: 'string' }), undefined);
      assert.throws(() => toCell('2024-02-30', { kind: 'date' }), /an ISO 8601 date/);
      assert.equal(
        toCell({ a: new ExactNumber('12345678901234567890') }, { kind: 'json' }),
        '{"a":12345678901234567890}',
      );
      assert.equal(toCell(42, { kind: 'string' }), '42');
    });
  });

  describe('StreamBuffer', () => {
    const table: TableSpec = {
      stream: 's',
      name: 'T',
      keyColumns: ['ID'],
      columns: [
        { property: 'id', name: 'ID', type: { kind: 'integer' } },
        { property: 'v', name: 'V', type: { kind: 'string' } },
      ],
    };
    it('a timestamp key compares as an instant: the same instant with two offsets is one key', () => {
      const history: TableSpec = {
        stream: 's',
        name: 'T',
        keyColumns: ['ID', 'TS'],
        columns: [
          { property: 'id', name: 'ID', type: { kind: 'integer' } },
          { property: 'ts', name: 'TS', type: { kind: 'timestamp' } },
        ],
      };
      const b = new StreamBuffer(history);
      b.add(['1', '2024-03-01T10:00:00.123456+00:00'], 1);
      b.add(['1', '2024-03-01T12:00:00.123456+02:00'], 2);
      b.add(['1', '2024-03-01T05:30:00.123456-04:30'], 3);
      b.add(['1', '2024-03-01T10:00:00.123457+00:00'], 4);
      assert.deepEqual(b.take().rows, [
        ['1', '2024-03-01T05:30:00.123456-04:30'],
        ['1', '2024-03-01T10:00:00.123457+00:00'],
      ]);
      assert.equal(instantKey('0001-01-01T00:30:00.000001+01:00'), '0000-12-31T23:30:00.000001Z');
      assert.equal(instantKey('2024-12-31T23:59:59.999999-15:00'), '2025-01-01T14:59:59.999999Z');
    });

    it('dedupes by key (last wins), deletes override earlier rows, tracks the oldest arrival', () => {
      const b = new StreamBuffer(table);
      b.add(['1', 'a'], 100);
      b.add(['2', 'b'], 200);
      b.add(['1', 'c'], 300);
      b.add(['2', null], 400, true);
      assert.equal(b.size, 2);
      assert.equal(b.oldestAt, 100);
      const taken = b.take();
      assert.deepEqual(taken.rows, [['1', 'c']]);
      assert.deepEqual(taken.deletes, [['2', null]]);
      assert.equal(taken.received, 4);
      assert.equal(b.size, 0);
      assert.equal(b.oldestAt, undefined);
    });
    it('keeps every record when not deduplicating (append-only)', () => {
      const b = new StreamBuffer(table, false);
      b.add(['1', 'a'], 1);
      b.add(['1', 'a'], 2);
      assert.equal(b.take().rows.length, 2);
    });
  });

  describe('Checkpoint', () => {
    it('releases the latest state once; never {} or null; never a repeat', () => {
      const c = new Checkpoint();
      assert.equal(c.release(c.latest), undefined);
      c.saw({});
      assert.equal(c.release(c.latest), undefined);
      c.saw({ a: 1 });
      c.saw({ a: 2 });
      assert.deepEqual(c.release(c.latest), { a: 2 });
      assert.equal(c.release(c.latest), undefined);
      c.saw({ a: 2 });
      assert.equal(c.release(c.latest), undefined);
      c.saw(null);
      assert.equal(c.release(c.latest), undefined);
    });
    it('a state taken with a batch stays what that batch releases, whatever arrives while it is flushing', () => {
      const c = new Checkpoint();
      c.saw({ a: 1 });
      const covered = c.latest;
      c.saw({ a: 2 });
      assert.deepEqual(c.release(covered), { a: 1 });
      assert.deepEqual(c.release(c.latest), { a: 2 });
    });
  });

  describe('schema evolution planner', () => {
    const desired: TableSpec = {
      stream: 's',
      name: 'T',
      keyColumns: ['ID'],
      columns: [
        { property: 'id', name: 'ID', type: { kind: 'integer' } },
        { property: 'x', name: 'X', type: { kind: 'boolean' } },
      ],
    };
    it('adds missing columns, widens, and applies the policy to incompatible changes (never drops)', () => {
      const existing = new Map([
        ['ID', { kind: 'integer' as const }],
        ['X', { kind: 'integer' as const }],
        ['OLD', { kind: 'string' as const }],
      ]);
      assert.throws(() => planEvolution(existing, desired, 'fail', ORACLE), /schema_change_policy is fail/);
      const renamed = planEvolution(existing, desired, 'rename_old', ORACLE, new Date('2024-01-02T03:04:05Z'));
      assert.deepEqual(
        renamed.actions.map((a) => a.kind),
        ['rename', 'add'],
      );
      assert.deepEqual(renamed.actions[0], { kind: 'rename', from: 'X', to: 'X__20240102030405' });
      const cast = planEvolution(existing, desired, 'cast_to_string', ORACLE);
      assert.deepEqual(cast.table.columns[1].type, { kind: 'string' });
      const widened = planEvolution(
        new Map([['ID', { kind: 'integer' as const, digits: 5 }]]),
        { ...desired, columns: desired.columns.slice(0, 1) },
        'fail',
        ORACLE,
      );
      assert.deepEqual(widened.actions, [
        { kind: 'retype', column: desired.columns[0], from: { kind: 'integer', digits: 5 } },
      ]);
    });
  });

  describe('postgres COPY text and SQL', () => {
    const copyText = (encoder: CopyTextEncoder, rows: Cell[][], chunkBytes?: number): string[] =>
      [...encoder.chunks(rows, chunkBytes)].map((piece) => piece.toString('utf8'));

    it('escapes COPY text and strips NUL (counted) from text and JSON values', () => {
      const e = new CopyTextEncoder(['string', 'json']);
      assert.deepEqual(
        copyText(e, [
          ['a\tb\\c\nd\u0000', '{"k":"x\\u0000y","q":"\\\\u0000"}'],
          [null, null],
        ]),
        ['a\\tb\\\\c\\nd\t{"k":"xy","q":"\\\\\\\\u0000"}\n\\N\t\\N\n'],
      );
      assert.equal(e.sanitized, 2);
    });
    it('COPY pieces end at row boundaries, hold multi-byte text whole, and one row longer than a piece', () => {
      const e = new CopyTextEncoder(['integer', 'string']);
      const rows: Cell[][] = [
        ['1', 'é€😀'],
        ['2', 'x'.repeat(40)],
        ['3', null],
      ];
      const pieces = copyText(e, rows, 16);
      assert.ok(pieces.length > 1, 'a 16-byte piece cannot hold these rows');
      for (const piece of pieces) assert.ok(piece.endsWith('\n'), 'each piece ends with a whole row');
      const whole = `1\té€😀\n2\t${'x'.repeat(40)}\n3\t\\N\n`;
      assert.equal(pieces.join(''), whole);
      assert.deepEqual(copyText(e, rows), [whole]);
    });
    it('upsert SQL: ON CONFLICT on keys, keys never in SET, counts inserted via xmax', () => {
      const t: TableSpec = {
        stream: 's',
        schema: 'wms',
        name: 'alloc',
        keyColumns: ['id'],
        columns: [
          { property: 'id', name: 'id', type: { kind: 'integer' } },
          { property: 'v', name: 'v', type: { kind: 'string' } },
        ],
      };
      assert.equal(
        pgsql.upsertFromStageSql('stg', t, false),
        'WITH r AS (INSERT INTO "wms"."alloc" AS tgt ("id", "v") SELECT "id", "v" FROM "stg" ON CONFLICT ("id") DO UPDATE SET "v" = EXCLUDED."v" RETURNING (xmax = 0) AS inserted) SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*)::int AS total FROM r',
      );
      assert.match(pgsql.upsertFromStageSql('stg', t, true), /ON CONFLICT \("id"\) DO NOTHING/);
    });
  });
});
