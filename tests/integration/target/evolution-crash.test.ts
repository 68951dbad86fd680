import assert from 'node:assert/strict';
import type { BackendEvent } from '../../helpers/oracle-rules/index.js';
import { startRulesTarget, singerLines, type RulesTarget } from '../../helpers/rules-target.js';

const DDL = /^\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE|COMMENT)\b/i;
const config = { schema_change_policy: 'cast_to_string', oracle_merge_strategy: 'staging' };

const schema = (version: 1 | 2) => ({
  type: 'SCHEMA',
  stream: 'evo',
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      k2: { type: 'integer' },
      s: { type: ['string', 'null'], maxLength: version === 1 ? 5 : 50 },
      n: version === 1 ? { type: ['integer', 'null'] } : { type: ['boolean', 'null'] },
      ...(version === 2 ? { extra: { type: ['string', 'null'], maxLength: 10 } } : {}),
    },
  },
  key_properties: version === 1 ? ['id'] : ['id', 'k2'],
});
const first = singerLines(
  schema(1),
  { type: 'RECORD', stream: 'evo', record: { id: 1, k2: 1, s: 'abcde', n: 42 } },
  { type: 'RECORD', stream: 'evo', record: { id: 2, k2: 1, s: null, n: 7 } },
);
/** Widen s (MODIFY), n integer → boolean as text (column rebuild), add a column, key (id) → (id, k2), new stage. */
const second = singerLines(
  schema(2),
  { type: 'RECORD', stream: 'evo', record: { id: 1, k2: 2, s: 'a longer value', n: true, extra: 'x' } },
  { type: 'RECORD', stream: 'evo', record: { id: 2, k2: 1, s: 'updated', n: false, extra: null } },
  { type: 'STATE', value: { done: true } },
);

async function snapshot(oracle: RulesTarget): Promise<unknown> {
  const columns = await oracle.query(
    "SELECT column_name, data_type, char_length FROM user_tab_columns WHERE table_name = 'EVO' ORDER BY column_name",
  );
  const key = await oracle.query(
    'SELECT cc.column_name FROM user_constraints c JOIN user_cons_columns cc ON cc.constraint_name = c.constraint_name ' +
      "WHERE c.constraint_type = 'P' AND c.table_name = 'EVO' ORDER BY cc.position",
  );
  const select = columns.map((c) => `TO_CHAR("${String(c.COLUMN_NAME)}") AS "${String(c.COLUMN_NAME)}"`).join(', ');
  const rows = await oracle.query(`SELECT ${select} FROM "EVO" ORDER BY "ID", "K2"`);
  return { columns, key, rows };
}

/**
 * Oracle commits each DDL statement by itself, so a crash can stop a schema evolution between any two. Whatever
 * step it stopped after, the next run must finish the evolution and load exactly what a run without the crash
 * loads.
 */
describe('target-oracle schema evolution resumes after a crash after any DDL (rules session: real target process, Oracle model)', function () {
  this.timeout(600_000);

  it('a crash after each DDL statement of an evolution: the next run completes with exact data', async () => {
    const clean = await startRulesTarget();
    let expected: unknown;
    try {
      assert.equal((await clean.run(first, config)).exitCode, 0);
      const r = await clean.run(second, config);
      assert.equal(r.exitCode, 0, r.stderr);
      expected = await snapshot(clean);
    } finally {
      await clean.close();
    }

    let crashes = 0;
    for (let n = 1; n < 30; n += 1) {
      const oracle = await startRulesTarget();
      try {
        assert.equal((await oracle.run(first, config)).exitCode, 0);
        let ddl = 0;
        let crashed = false;
        oracle.backend.loseConnectionAfter((event: BackendEvent) => {
          if (event.kind !== 'execute' || !DDL.test(event.sql ?? '')) return false;
          ddl += 1;
          crashed = ddl === n;
          return crashed;
        });
        const interrupted = await oracle.run(second, config);
        if (!crashed) {
          assert.equal(interrupted.exitCode, 0, interrupted.stderr);
          break;
        }
        crashes += 1;
        assert.equal(interrupted.exitCode, 5, `crash after DDL ${n}: ${interrupted.stderr}`);
        oracle.backend.hooks.length = 0;
        const resumed = await oracle.run(second, config);
        assert.equal(resumed.exitCode, 0, `after a crash after DDL ${n}: ${resumed.stderr}`);
        assert.deepEqual(resumed.states, [{ done: true }]);
        assert.deepEqual(await snapshot(oracle), expected, `after a crash after DDL ${n}`);
      } finally {
        await oracle.close();
      }
    }
    assert.ok(crashes >= 8, `the evolution has at least 8 DDL statements (crashed after ${crashes})`);
  });
});
