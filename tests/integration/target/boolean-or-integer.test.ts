import assert from 'node:assert/strict';
import { startRulesTarget, singerLines, type RulesTarget } from '../../helpers/rules-target.js';

const schema = (flag: object) => ({
  type: 'SCHEMA',
  stream: 'flags',
  schema: {
    type: 'object',
    properties: { id: { type: 'integer' }, digit: { type: 'integer', minimum: 0, maximum: 9 }, flag },
  },
  key_properties: ['id'],
});
const rec = (id: number, digit: number, flag: unknown) => ({
  type: 'RECORD',
  stream: 'flags',
  record: { id, digit, flag },
});

/**
 * A one-digit integer and a boolean are both NUMBER(1) in Oracle (with the default oracle_boolean_type): the table
 * must say which is which, so that a later run reads the same types back.
 */
describe('target-oracle booleans and one-digit integers (rules session: real target process, Oracle model)', function () {
  this.timeout(120_000);
  let oracle: RulesTarget;
  beforeEach(async () => {
    oracle = await startRulesTarget();
  });
  afterEach(async () => oracle?.close());

  it('two runs over the same table: the integer stays an integer and the boolean a boolean', async () => {
    const first = await oracle.run(singerLines(schema({ type: 'boolean' }), rec(1, 7, true), rec(2, 0, false)));
    assert.equal(first.exitCode, 0, first.stderr);
    const second = await oracle.run(singerLines(schema({ type: 'boolean' }), rec(3, 9, true), rec(1, 5, false)));
    assert.equal(second.exitCode, 0, second.stderr);
    const rows = await oracle.query(
      'SELECT TO_CHAR("ID") AS id, TO_CHAR("DIGIT") AS digit, TO_CHAR("FLAG") AS flag FROM "FLAGS" ORDER BY "ID"',
    );
    assert.deepEqual(rows, [
      { ID: '1', DIGIT: '5', FLAG: '0' },
      { ID: '2', DIGIT: '0', FLAG: '0' },
      { ID: '3', DIGIT: '9', FLAG: '1' },
    ]);
  });

  it('the boolean column refuses other numbers, and a schema making it an integer is an incompatible change', async () => {
    const first = await oracle.run(singerLines(schema({ type: 'boolean' }), rec(1, 7, true)));
    assert.equal(first.exitCode, 0, first.stderr);
    await assert.rejects(oracle.query('UPDATE "FLAGS" SET "FLAG" = 5'), /ORA-02290/);
    const changed = await oracle.run(singerLines(schema({ type: 'integer', minimum: 0, maximum: 9 }), rec(2, 1, 5)));
    assert.equal(changed.exitCode, 3, changed.stderr);
    assert.match(changed.stderr, /FLAG of table FLAGS is boolean but the new schema makes it integer/);
  });

  it('a one-digit integer column never becomes a boolean: a boolean schema for it is an incompatible change', async () => {
    const first = await oracle.run(singerLines(schema({ type: 'integer', minimum: 0, maximum: 9 }), rec(1, 7, 5)));
    assert.equal(first.exitCode, 0, first.stderr);
    const again = await oracle.run(singerLines(schema({ type: 'integer', minimum: 0, maximum: 9 }), rec(2, 3, 8)));
    assert.equal(again.exitCode, 0, again.stderr);
    const changed = await oracle.run(singerLines(schema({ type: 'boolean' }), rec(3, 1, true)));
    assert.equal(changed.exitCode, 3, changed.stderr);
    assert.match(changed.stderr, /FLAG of table FLAGS is integer but the new schema makes it boolean/);
  });
});
