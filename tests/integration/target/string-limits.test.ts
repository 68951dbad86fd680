import assert from 'node:assert/strict';
import { startRulesTarget, singerLines, type RulesTarget } from '../../helpers/rules-target.js';

const schema = {
  type: 'SCHEMA',
  stream: 'texts',
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      note: { type: ['string', 'null'] },
      code: { type: ['string', 'null'], maxLength: 1500 },
    },
  },
  key_properties: ['id'],
};
const rec = (id: number, note: string | null, code: string | null) => ({
  type: 'RECORD',
  stream: 'texts',
  record: { id, note, code },
});

async function columns(oracle: RulesTarget): Promise<Record<string, string>> {
  const rows = await oracle.query(
    "SELECT column_name, data_type FROM user_tab_columns WHERE table_name = 'TEXTS' ORDER BY column_id",
  );
  return Object.fromEntries(rows.map((r) => [String(r.COLUMN_NAME), String(r.DATA_TYPE)]));
}

async function values(oracle: RulesTarget): Promise<Record<string, unknown>[]> {
  return oracle.query('SELECT TO_CHAR("ID") AS id, "NOTE" AS note, "CODE" AS code FROM "TEXTS" ORDER BY "ID"');
}

/**
 * VARCHAR2 holds at most MAX_STRING_SIZE bytes (4,000 STANDARD, 32,767 EXTENDED) whatever its CHAR length: binds
 * are sized in bytes within that limit, and a value that outgrows its column widens it to CLOB, keeping the rows.
 */
describe('target-oracle string limits (rules session: real target process, Oracle model)', function () {
  this.timeout(180_000);
  let oracle: RulesTarget;
  afterEach(async () => oracle?.close());

  it('STANDARD: strings load within 4,000 bytes, and longer values widen their column to CLOB, run after run', async () => {
    oracle = await startRulesTarget({ maxStringSize: 'STANDARD' });
    const small = await oracle.run(
      singerLines(schema, rec(1, 'é'.repeat(1999), 'abc'), rec(2, null, '€'.repeat(1333))),
    );
    assert.equal(small.exitCode, 0, small.stderr);
    assert.deepEqual(await columns(oracle), { ID: 'NUMBER', NOTE: 'VARCHAR2', CODE: 'VARCHAR2' });

    // 1,500 '€' are 4,500 bytes (CODE, 1500 CHAR) and 5,000 'x' are 5,000 bytes (NOTE): both outgrow VARCHAR2.
    const big = singerLines(schema, rec(3, 'x'.repeat(5000), '€'.repeat(1500)), rec(1, 'after', 'abc'));
    for (const run of [1, 2]) {
      const r = await oracle.run(big);
      assert.equal(r.exitCode, 0, `run ${run}: ${r.stderr}`);
      assert.deepEqual(await columns(oracle), { ID: 'NUMBER', NOTE: 'CLOB', CODE: 'CLOB' }, `run ${run}`);
      assert.deepEqual(await values(oracle), [
        { ID: '1', NOTE: 'after', CODE: 'abc' },
        { ID: '2', NOTE: null, CODE: '€'.repeat(1333) },
        { ID: '3', NOTE: 'x'.repeat(5000), CODE: '€'.repeat(1500) },
      ]);
    }
  });

  it('EXTENDED: VARCHAR2 up to 32,767 bytes, CLOB beyond', async () => {
    oracle = await startRulesTarget({ maxStringSize: 'EXTENDED' });
    const r = await oracle.run(singerLines(schema, rec(1, 'é'.repeat(10000), '€'.repeat(1500))));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(await columns(oracle), { ID: 'NUMBER', NOTE: 'VARCHAR2', CODE: 'VARCHAR2' });
    const longer = await oracle.run(singerLines(schema, rec(2, 'x'.repeat(40000), null)));
    assert.equal(longer.exitCode, 0, longer.stderr);
    assert.deepEqual(await columns(oracle), { ID: 'NUMBER', NOTE: 'CLOB', CODE: 'VARCHAR2' });
    assert.deepEqual(await values(oracle), [
      { ID: '1', NOTE: 'é'.repeat(10000), CODE: '€'.repeat(1500) },
      { ID: '2', NOTE: 'x'.repeat(40000), CODE: null },
    ]);
  });
});
