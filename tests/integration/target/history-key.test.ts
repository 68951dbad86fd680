import assert from 'node:assert/strict';
import { startRulesTarget, singerLines, type RulesTarget } from '../../helpers/rules-target.js';
import { openBackend, runTarget, type TargetBackend } from '../../helpers/target-backend.js';

const schema = {
  type: 'SCHEMA',
  stream: 'hist',
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      mod_ts: { type: 'string', format: 'date-time' },
      name: { type: ['string', 'null'], maxLength: 100 },
    },
  },
  key_properties: ['id'],
};
const rec = (id: number, modTs: string, name: string) => ({
  type: 'RECORD',
  stream: 'hist',
  record: { id, mod_ts: modTs, name },
});
/** Two versions of id 1; the third record is the first version's instant written with another offset. */
const input = singerLines(
  schema,
  rec(1, '2024-03-01T10:00:00.123456+00:00', 'first'),
  rec(1, '2024-03-02T10:00:00.000000Z', 'second'),
  { type: 'STATE', value: { bookmark: 1 } },
  rec(1, '2024-03-01T12:00:00.123456+02:00', 'same instant'),
  rec(2, '2024-03-01T10:00:00Z', 'other id'),
);
const expected = [
  { id: '1', mod_ts: '2024-03-01T10:00:00.123456Z' },
  { id: '1', mod_ts: '2024-03-02T10:00:00.000000Z' },
  { id: '2', mod_ts: '2024-03-01T10:00:00.000000Z' },
];
const history = { enable_historical_versioning: true, batch_size_rows: 2 };

/** History mode keys rows by (id, mod_ts) as an instant: a version sent twice, with any offset, is one row. */
describe('target-oracle history mode key (rules session: real target process, Oracle model)', function () {
  this.timeout(120_000);
  let oracle: RulesTarget;
  beforeEach(async () => {
    oracle = await startRulesTarget();
  });
  afterEach(async () => oracle?.close());

  it('creates the table (no TIMESTAMP WITH TIME ZONE in the primary key) and keeps one row per instant, twice', async () => {
    for (const run of [1, 2]) {
      const r = await oracle.run(input, history);
      assert.equal(r.exitCode, 0, `run ${run}: ${r.stderr}`);
      assert.deepEqual(r.states, [{ bookmark: 1 }]);
      const rows = await oracle.query(
        `SELECT TO_CHAR("ID") AS id, TO_CHAR(SYS_EXTRACT_UTC("MOD_TS"), 'YYYY-MM-DD"T"HH24:MI:SS.FF6"Z"') AS mod_ts ` +
          'FROM "HIST" ORDER BY "ID", "MOD_TS"',
      );
      assert.deepEqual(
        rows.map((row) => ({ id: row.ID, mod_ts: row.MOD_TS })),
        expected,
        `run ${run}`,
      );
    }
    // The original offset is kept in the TIMESTAMP WITH TIME ZONE column.
    const first = await oracle.query(
      `SELECT TO_CHAR("MOD_TS", 'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM') AS ts FROM "HIST" WHERE "NAME" = 'first'`,
    );
    assert.deepEqual(first, [{ TS: '2024-03-01T10:00:00.123456+00:00' }]);
    const key = await oracle.query(
      'SELECT cc.column_name FROM user_constraints c JOIN user_cons_columns cc ' +
        "ON cc.constraint_name = c.constraint_name WHERE c.constraint_type = 'P' AND c.table_name = 'HIST' " +
        'ORDER BY cc.position',
    );
    assert.equal(key.length, 2);
    assert.equal(key[0].COLUMN_NAME, 'ID');
  });

  it('staging merge strategy: the same instant with two offsets in one batch is one row', async () => {
    const r = await oracle.run(input, { ...history, batch_size_rows: 100, oracle_merge_strategy: 'staging' });
    assert.equal(r.exitCode, 0, r.stderr);
    const rows = await oracle.query('SELECT COUNT(*) AS n FROM "HIST"');
    assert.equal(Number(rows[0].N), 3);
  });
});

describe('target-oracle history mode key (postgres: real target process, real database)', function () {
  this.timeout(120_000);
  let db: TargetBackend;
  before(async function () {
    db = await openBackend(this, 'postgres', 'hk');
  });
  after(async () => db?.close());

  it('one row per instant, whatever the offset, in one batch and across runs', async () => {
    for (const batch of [2, 100]) {
      const r = await runTarget({ ...db.config, ...history, batch_size_rows: batch }, input);
      assert.equal(r.exitCode, 0, r.stderr);
      const rows = await db.rows('hist', 'id');
      assert.deepEqual(
        rows
          .map((row) => ({ id: row.id, mod_ts: row.mod_ts }))
          .sort((a, b) => `${a.id} ${a.mod_ts}`.localeCompare(`${b.id} ${b.mod_ts}`)),
        expected,
      );
    }
  });
});
