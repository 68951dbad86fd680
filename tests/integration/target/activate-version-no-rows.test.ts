import assert from 'node:assert/strict';
import { singerLines } from '../../helpers/rules-target.js';
import { BACKENDS, openBackend, runTarget, systemOf, type TargetBackend } from '../../helpers/target-backend.js';

/**
 * A run with no rows between the ACTIVATE_VERSION messages of a version (issue 15): the rerun of a full sync whose
 * rows were all loaded before the tap was killed, or a full sync of a source with no rows left. The tap announces the
 * version and closes it in every run; the second message of the version in a run closes it even with no rows
 * between. Before, only a message after rows counted as closing: the version was never applied and rows gone from
 * the source stayed live. A lone opening message still retires nothing.
 */
const STREAM = 'av_norows';
const schema = {
  type: 'SCHEMA',
  stream: STREAM,
  schema: { type: 'object', properties: { id: { type: 'integer' }, v: { type: ['string', 'null'] } } },
  key_properties: ['id'],
};
const activate = (version: number) => ({ type: 'ACTIVATE_VERSION', stream: STREAM, version });
const record = (id: number, version: number) => ({
  type: 'RECORD',
  stream: STREAM,
  record: { id, v: `v${version}` },
  version,
});
const state = (n: number) => ({ type: 'STATE', value: { bookmarks: { [STREAM]: { step: n } } } });

for (const dialect of BACKENDS) {
  describe(`target-oracle: ACTIVATE_VERSION with no rows between opening and closing (${systemOf(dialect)}; real target process)`, function () {
    this.timeout(60_000);
    let db: TargetBackend;
    let config: Record<string, unknown>;
    before(async function () {
      db = await openBackend(this, dialect, 'avnorows');
      config = { ...db.config, add_record_metadata: true, batch_size_rows: 2 };
    });
    after(async () => db?.close());

    const table = async () =>
      (await db.rows(STREAM, 'id')).map((row) => [row.id, row.v, row._sdc_deleted_at === null ? 'live' : 'deleted']);
    const run = async (...messages: object[]) => {
      const result = await runTarget(config, singerLines(schema, ...messages));
      assert.equal(result.exitCode, 0, result.stderr);
      return result;
    };

    it('a resumed full sync whose rows were all loaded before the kill closes its version: the row gone from the source is retired', async () => {
      await run(activate(1), ...[1, 2, 3].map((id) => record(id, 1)), activate(1), state(1));
      // Version 2: row 3 is gone from the source; rows 1 and 2 loaded, then the tap is killed before closing.
      await run(activate(2), record(1, 2), record(2, 2), state(2));
      assert.deepEqual(await table(), [
        ['1', 'v2', 'live'],
        ['2', 'v2', 'live'],
        ['3', 'v1', 'live'],
      ]);
      // The resumed run has nothing left to read: the version announced and closed, nothing between.
      const resumed = await run(activate(2), activate(2), state(3));
      assert.match(resumed.stderr, /Activated version 2 of stream 'av_norows': 1 older rows marked deleted/);
      assert.deepEqual(await table(), [
        ['1', 'v2', 'live'],
        ['2', 'v2', 'live'],
        ['3', 'v1', 'deleted'],
      ]);
    });

    it('a full sync of a source with no rows left retires every row; a lone opening message retires nothing', async () => {
      await run(activate(3), ...[1, 2].map((id) => record(id, 3)), activate(3), state(4));
      // The tap dies right after announcing version 4: nothing is retired.
      const opened = await run(activate(4), state(5));
      assert.doesNotMatch(opened.stderr, /Activated version 4/);
      assert.deepEqual(
        (await table()).filter((row) => row[2] === 'live').map((row) => row[0]),
        ['1', '2'],
      );
      await run(activate(5), activate(5), state(6));
      assert.deepEqual(
        (await table()).filter((row) => row[2] === 'live'),
        [],
      );
    });
  });
}
