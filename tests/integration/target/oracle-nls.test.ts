import assert from 'node:assert/strict';
import { startRulesTarget, singerLines, type RulesTarget } from '../../helpers/rules-target.js';

const SCHEMA = {
  type: 'SCHEMA',
  stream: 'qty',
  key_properties: ['id'],
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      alloc_qty: { type: ['number', 'null'] },
      mod_ts: { type: ['string', 'null'], format: 'date-time' },
      notes: { type: ['object', 'null'] },
    },
  },
};
/** Decimal literals as the tap writes them (exact, never through a double) and Oracle's TO_CHAR(n, 'TM9') of each. */
const VALUES: [string, string][] = [
  ['12.5', '12.5'],
  ['-0.001', '-.001'],
  ['12345678901234567890.123456', '12345678901234567890.123456'],
  ['7', '7'],
  ['1e-7', '.0000001'],
];
const value = (id: number) => VALUES[id % VALUES.length];
const rec = (id: number) =>
  `{"type":"RECORD","stream":"qty","record":{"id":${id},"alloc_qty":${value(id)[0]},` +
  `"mod_ts":"2024-03-10T06:59:59.${String(id).padStart(6, '0')}Z","notes":${id % 2 === 0 ? `{"id":${id}}` : 'null'}}}\n`;
/** Three flushes of three rows (batch_size_rows 3), run twice: several statements of every kind per strategy. */
const INPUT =
  singerLines(SCHEMA) +
  Array.from({ length: 9 }, (_, i) => rec(i + 1)).join('') +
  singerLines({ type: 'STATE', value: { done: 9 } });

const STRATEGIES: Record<string, Record<string, unknown>> = {
  'upsert (row-wise MERGE)': { oracle_merge_strategy: 'executemany' },
  'upsert (staging table + MERGE)': { oracle_merge_strategy: 'staging' },
  'append-only': { load_method: 'append-only' },
};

/**
 * Defect 1 (NLS): node-oracledb Thin sends no NLS settings and ignores NLS_* environment variables; a string
 * sessionCallback names a PL/SQL procedure Thin never runs. On a database whose territory writes decimals with ','
 * (here NLS_NUMERIC_CHARACTERS ',.', like GERMANY), TO_NUMBER('12.5') fails with ORA-01722 unless the session set
 * its own NLS first. The target runs ALTER SESSION on every connection it opens, before anything else.
 * https://node-oracledb.readthedocs.io/en/latest/user_guide/globalization.html
 */
describe('target-oracle NLS on a ","-decimal territory (rules session: real target process, Oracle model)', function () {
  this.timeout(120_000);
  let oracle: RulesTarget | undefined;
  afterEach(async () => oracle?.close());

  for (const [name, settings] of Object.entries(STRATEGIES)) {
    it(`${name}: decimals exact as Oracle would convert them (ORA-01722 without the session's NLS)`, async () => {
      // strictNls false: the model fails only where Oracle itself would (TO_NUMBER('12.5') under ',.' is ORA-01722).
      oracle = await startRulesTarget({ numericCharacters: ',.', strictNls: false });
      for (const run of [1, 2]) {
        const r = await oracle.run(INPUT, { batch_size_rows: 3, ...settings });
        assert.equal(r.exitCode, 0, `run ${run}: ${r.stderr}`);
        assert.deepEqual(r.states, [{ done: 9 }]);
      }
      const rows = await oracle.query(
        'SELECT TO_CHAR("ID") AS id, TO_CHAR("ALLOC_QTY", \'TM9\') AS qty FROM "QTY" ORDER BY "ID"',
      );
      const expected = Array.from({ length: 9 }, (_, i) => ({ ID: String(i + 1), QTY: value(i + 1)[1] }));
      // The reader's session uses '.' as its decimal character too; append-only keeps both runs' rows.
      assert.deepEqual(rows, settings.load_method === 'append-only' ? expected.flatMap((row) => [row, row]) : expected);
    });
  }

  it('every connection the target opens sets its NLS before its first other statement (rule enforced)', async () => {
    // strictNls: any conversion in a session that has not pinned NLS_NUMERIC_CHARACTERS/TIME_ZONE is refused.
    oracle = await startRulesTarget({ numericCharacters: ',.', strictNls: true });
    for (const [i, settings] of Object.values(STRATEGIES).entries()) {
      const r = await oracle.run(INPUT, { batch_size_rows: 3, table_prefix: `S${i}_`, ...settings });
      assert.equal(r.exitCode, 0, r.stderr);
    }
    const { connections, events } = oracle.backend;
    assert.ok(connections.length >= 3, `one connection per run at least (saw ${connections.length})`);
    for (const { session } of connections) {
      const first = events.find((e) => e.session === session);
      if (!first) continue; // opened and closed without a statement
      assert.equal(first.kind, 'execute', `session ${session}`);
      assert.match(
        first.sql!,
        /^ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '\.,' TIME_ZONE = '\+00:00'$/,
        `session ${session} began with something else`,
      );
    }
  });
});
