import assert from 'node:assert/strict';
import { openBackend, runTarget, type TargetBackend } from '../helpers/target-backend.js';
import { captureOutputs } from '../helpers/captured-output.js';

captureOutputs();

/**
 * A table created by someone else (or an older version) with PostgreSQL integer, smallint and numeric(5,0) columns,
 * kept as they are by the target: a value beyond the column's real range must be refused before the database (exit
 * 3 naming line, stream and field, never the value), not checked against the 64-bit range only and refused by
 * PostgreSQL mid-flush (exit 5, retried forever). validate_records is off, as nothing else bounds the values then.
 */
const STREAM = 'exint';
const properties = {
  id: { type: 'integer' },
  q: { type: 'integer', minimum: 0, maximum: 999999999 },
  sm: { type: 'integer', minimum: 0, maximum: 9999 },
  n: { type: 'integer', minimum: 0, maximum: 99999 },
};

function singer(records: object[]): string {
  return `${[
    { type: 'SCHEMA', stream: STREAM, schema: { type: 'object', properties }, key_properties: ['id'] },
    ...records.map((record) => ({ type: 'RECORD', stream: STREAM, record })),
    { type: 'STATE', value: { bookmarks: { [STREAM]: { done: true } } } },
  ]
    .map((message) => JSON.stringify(message))
    .join('\n')}\n`;
}

describe('reliability: existing PostgreSQL integer, smallint and numeric(5,0) columns get their own range checked (real target, postgres: real PostgreSQL)', function () {
  this.timeout(60_000);
  let backend: TargetBackend;
  let config: Record<string, unknown>;
  before(async function () {
    backend = await openBackend(this, 'postgres', 'exint');
    config = { ...backend.config, validate_records: false };
    await backend.query(
      `CREATE TABLE ${backend.table(STREAM)} (id bigint PRIMARY KEY, q integer, sm smallint, n numeric(5,0))`,
    );
  });
  after(async () => backend?.close());

  it('the bounds of each column load exactly', async () => {
    const result = await runTarget(
      config,
      singer([
        { id: 1, q: 2147483647, sm: 32767, n: 99999 },
        { id: 2, q: -2147483648, sm: -32768, n: -99999 },
      ]),
    );
    assert.equal(result.exitCode, 0, result.stderr);
    const rows = await backend.rows(STREAM, 'id');
    assert.deepEqual(
      rows.map((r) => [r.id, r.q, r.sm, r.n]),
      [
        ['1', '2147483647', '32767', '99999'],
        ['2', '-2147483648', '-32768', '-99999'],
      ],
    );
  });

  for (const [field, value, range] of [
    ['q', 2147483648, '32-bit'],
    ['q', -2147483649, '32-bit'],
    ['sm', 32768, '16-bit'],
    ['sm', -32769, '16-bit'],
    ['n', 100000, '5 digits'],
    ['n', -100000, '5 digits'],
  ] as const) {
    it(`${field} = ${value}: exit 3 naming line, stream and field (${range}), never the value; nothing loaded`, async () => {
      const result = await runTarget(
        config,
        singer([
          { id: 3, q: 1, sm: 1, n: 1 },
          { id: 4, [field]: value },
        ]),
      );
      assert.equal(result.exitCode, 3, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`not an integer the column holds \\(${range}\\) \\(line 3, stream '${STREAM}', field '${field}'\\)`),
      );
      assert.ok(!result.stderr.includes(String(value)), 'the value is not printed');
      assert.equal(result.stdout, '', 'no STATE after a refused record');
      assert.deepEqual(
        (await backend.rows(STREAM, 'id')).map((r) => r.id),
        ['1', '2'],
      );
    });
  }
});
