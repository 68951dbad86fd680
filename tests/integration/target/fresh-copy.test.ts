import assert from 'node:assert/strict';
import { singerLines } from '../../helpers/rules-target.js';
import { openBackend, runTarget, states, type TargetBackend } from '../../helpers/target-backend.js';

const schema = {
  type: 'SCHEMA',
  stream: 'fresh',
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: { id: { type: 'integer' }, name: { type: ['string', 'null'], maxLength: 20 } },
  },
  key_properties: ['id'],
};
const rec = (id: number, name: string) => ({ type: 'RECORD', stream: 'fresh', record: { id, name } });

/** rows_inserted and rows_updated of each committed batch, in order, from the target's METRIC lines. */
function batchCounts(stderr: string): { inserted: number; updated: number }[] {
  const counts: { inserted: number; updated: number }[] = [];
  for (const line of stderr.split('\n')) {
    const at = line.indexOf('METRIC: ');
    if (at === -1) continue;
    const metric = JSON.parse(line.slice(at + 8)) as { metric: string; value: number };
    if (metric.metric === 'rows_inserted') counts.push({ inserted: metric.value, updated: 0 });
    if (metric.metric === 'rows_updated') counts[counts.length - 1].updated = metric.value;
  }
  return counts;
}

/**
 * A table the run creates takes its batches by a plain COPY until a key comes back (postgres-dialect.ts `#fresh`):
 * that batch's COPY fails on the primary key, is rolled back to its savepoint and goes through the staging upsert,
 * and so does every later batch. The rows and the counts are those of an upsert throughout.
 */
describe('target-oracle: COPY straight into a table the run created (real PostgreSQL)', function () {
  this.timeout(120_000);
  let backend: TargetBackend;
  before(async function () {
    backend = await openBackend(this, 'postgres', 'fresh');
  });
  after(async () => backend?.close());

  it('inserts, then upserts from the batch that brings a key back, with the counts of an upsert', async () => {
    const input = singerLines(
      schema,
      rec(1, 'a'),
      rec(2, 'b'),
      { type: 'STATE', value: { batch: 1 } },
      // id 1 again: the COPY into the new table fails on its key; this batch is upserted, its NUL removed once.
      rec(3, 'c\u0000'),
      rec(1, 'a2'),
      { type: 'STATE', value: { batch: 2 } },
      rec(4, 'd'),
      rec(2, 'b2'),
      { type: 'STATE', value: { batch: 3 } },
    );
    const result = await runTarget({ ...backend.config, batch_size_rows: 2 }, input);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(states(result), [{ batch: 1 }, { batch: 2 }, { batch: 3 }]);
    const rows = await backend.rows('fresh', 'id');
    assert.deepEqual(
      rows.map((row) => [row.id, row.name]),
      [
        ['1', 'a2'],
        ['2', 'b2'],
        ['3', 'c'],
        ['4', 'd'],
      ],
    );
    assert.deepEqual(batchCounts(result.stderr), [
      { inserted: 2, updated: 0 },
      { inserted: 1, updated: 1 },
      { inserted: 1, updated: 1 },
    ]);
    assert.equal(result.stderr.match(/Removed NUL characters from 1 values of stream 'fresh'/g)?.length, 1);
  });

  it('upserts into a table an earlier run created (rows already there)', async () => {
    const result = await runTarget({ ...backend.config, batch_size_rows: 10 }, singerLines(schema, rec(4, 'd2')));
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(batchCounts(result.stderr), [{ inserted: 0, updated: 1 }]);
    const rows = await backend.rows('fresh', 'id');
    assert.deepEqual(rows.at(-1), { ...rows.at(-1), id: '4', name: 'd2' });
  });
});
