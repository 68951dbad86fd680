import assert from 'node:assert/strict';
import { singerLines } from '../../helpers/rules-target.js';
import {
  BACKENDS,
  openBackend,
  runTarget,
  states,
  systemOf,
  type TargetBackend,
} from '../../helpers/target-backend.js';

/**
 * A full sync cut short (the tap killed with SIGKILL, or stopped, after the opening ACTIVATE_VERSION and some of the
 * rows): the target's input simply ends. The announced version must not be applied then (issue 15): only the
 * closing ACTIVATE_VERSION, sent once every row of the version was sent, retires the older rows. Applied at the end
 * of input, it marked the live rows the tap never got to re-send deleted until the next run.
 */
const STREAM = 'av_cut';
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
  describe(`target-oracle: a full sync cut short applies no ACTIVATE_VERSION (${systemOf(dialect)}; real target process)`, function () {
    this.timeout(60_000);
    let db: TargetBackend;
    let config: Record<string, unknown>;
    before(async function () {
      db = await openBackend(this, dialect, 'avcut');
      config = { ...db.config, add_record_metadata: true, batch_size_rows: 2 };
    });
    after(async () => db?.close());

    const table = async () =>
      (await db.rows(STREAM, 'id')).map((row) => [row.id, row.v, row._sdc_deleted_at === null ? 'live' : 'deleted']);

    it('version 1 complete; version 2 cut after 2 of 3 rows: nothing retired; its resumed end retires only the row gone from the source', async () => {
      const first = await runTarget(
        config,
        singerLines(schema, activate(1), ...[1, 2, 3, 4].map((id) => record(id, 1)), activate(1), state(1)),
      );
      assert.equal(first.exitCode, 0, first.stderr);

      // Row 4 is gone from the source; the tap sends the opening ACTIVATE_VERSION, rows 1 and 2, then dies.
      const cut = await runTarget(config, singerLines(schema, activate(2), record(1, 2), record(2, 2), state(2)));
      assert.equal(cut.exitCode, 0, cut.stderr);
      assert.deepEqual(states(cut), [{ bookmarks: { [STREAM]: { step: 2 } } }]);
      assert.deepEqual(await table(), [
        ['1', 'v2', 'live'],
        ['2', 'v2', 'live'],
        ['3', 'v1', 'live'],
        ['4', 'v1', 'live'],
      ]);
      assert.match(
        cut.stderr,
        /ACTIVATE_VERSION 2 of stream 'av_cut' not applied: the run ended before its closing ACTIVATE_VERSION/,
      );

      // The rerun resumes the version: the rest of its rows, then the closing ACTIVATE_VERSION (no opening one).
      const resumed = await runTarget(config, singerLines(schema, record(3, 2), activate(2), state(3)));
      assert.equal(resumed.exitCode, 0, resumed.stderr);
      assert.deepEqual(await table(), [
        ['1', 'v2', 'live'],
        ['2', 'v2', 'live'],
        ['3', 'v2', 'live'],
        ['4', 'v1', 'deleted'],
      ]);
    });
  });
}
