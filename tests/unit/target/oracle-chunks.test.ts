// node:assert, not chai: chai 6 ships no types.
import assert from 'node:assert/strict';
import { CLOB_BIND_BYTES, sizedChunks } from '../../../target-oracle/dialects/oracle/oracle-chunks.js';

/** Pure function: how CLOB-bearing rows are cut into executeMany calls with STRING binds sized by their values. */
describe('oracle executeMany chunks with value-sized STRING binds (pure, no database)', () => {
  it('each STRING bind gets the byte length of its longest value in the call (multi-byte counted in bytes, at least 1)', () => {
    const chunks = sizedChunks(
      [
        ['1', 'ab', null],
        ['22', 'é'.repeat(3), null],
      ],
      [{ type: 'string' }, { type: 'string' }, { type: 'string' }],
      100,
      1 << 20,
    );
    assert.deepEqual(chunks, [
      {
        rows: [
          ['1', 'ab', null],
          ['22', 'ééé', null],
        ],
        bindDefs: [
          { type: 'string', maxSize: 2 },
          { type: 'string', maxSize: 6 },
          { type: 'string', maxSize: 1 },
        ],
      },
    ]);
  });

  it('cuts at maxRows and when rows × Σ maxSize would pass the budget; sizes are per call; a row over the budget goes alone', () => {
    const big = 'x'.repeat(600);
    const rows = [['a'], ['b'], ['c'], [big], ['d'], ['x'.repeat(2000)], ['e']];
    const chunks = sizedChunks(rows, [{ type: 'string' }], 2, 1000);
    assert.deepEqual(
      chunks.map((c) => [c.rows.length, c.bindDefs[0].maxSize]),
      [
        [2, 1], // a b: maxRows
        [1, 1], // c: c + big would reserve 2 × 600 > 1000
        [1, 600], // big: big + d would too
        [1, 1], // d
        [1, 2000], // over the budget on its own
        [1, 1], // e
      ],
    );
    assert.deepEqual(
      chunks.flatMap((c) => c.rows),
      rows,
      'every row once, in order',
    );
  });

  it('CLOB binds (JSON-typed columns) stay CLOB and count as a fixed size for the budget', () => {
    const chunks = sizedChunks(
      [
        ['1', '{}'],
        ['2', '{}'],
        ['3', '{}'],
      ],
      [{ type: 'string' }, { type: 'clob' }],
      100,
      2 * (CLOB_BIND_BYTES + 1),
    );
    assert.deepEqual(
      chunks.map((c) => c.rows.length),
      [2, 1],
    );
    assert.deepEqual(chunks[0].bindDefs, [{ type: 'string', maxSize: 1 }, { type: 'clob' }]);
  });

  it('no rows, no calls', () => {
    assert.deepEqual(sizedChunks([], [{ type: 'string' }], 10, 100), []);
  });
});
