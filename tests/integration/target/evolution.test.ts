import assert from 'node:assert/strict';
import { BACKENDS, systemOf, openBackend, runTarget, type TargetBackend } from '../../helpers/target-backend.js';

const schema = (stream: string, x: object) => ({
  type: 'SCHEMA',
  stream,
  schema: { type: 'object', properties: { id: { type: 'integer' }, x } },
  key_properties: ['id'],
});
const rec = (stream: string, id: number, x: unknown) => ({ type: 'RECORD', stream, record: { id, x } });
const lines = (...messages: object[]) => messages.map((m) => `${JSON.stringify(m)}\n`).join('');

/** Schema evolution paths with the real target process and a real database. */
for (const dialect of BACKENDS) {
  describe(`target-oracle schema evolution (${systemOf(dialect)}; real target process)`, function () {
    this.timeout(60_000);
    let db: TargetBackend;
    before(async function () {
      db = await openBackend(this, dialect, 'ev');
    });
    after(async () => db?.close());

    it('widens string length and integer → number, keeping the data', async () => {
      const r = await runTarget(
        db.config,
        lines(
          schema('widen_s', { type: 'string', maxLength: 5 }),
          rec('widen_s', 1, 'abcde'),
          schema('widen_s', { type: 'string', maxLength: 50 }),
          rec('widen_s', 2, 'a much longer value than five'),
          schema('widen_n', { type: 'integer' }),
          rec('widen_n', 1, 7),
          schema('widen_n', { type: 'number' }),
          rec('widen_n', 2, 7.125),
        ),
      );
      assert.equal(r.exitCode, 0, r.stderr);
      assert.deepEqual(
        (await db.rows('widen_s', 'id')).map((x) => x.x),
        ['abcde', 'a much longer value than five'],
      );
      assert.deepEqual(
        (await db.rows('widen_n', 'id')).map((x) => x.x),
        ['7', '7.125'],
      );
    });

    it('a string column absorbs integers without a type change', async () => {
      const r = await runTarget(
        db.config,
        lines(
          schema('absorb', { type: 'string' }),
          rec('absorb', 1, 'a'),
          schema('absorb', { type: 'integer' }),
          rec('absorb', 2, 12345678901234567890n.toString()),
        ),
      );
      assert.equal(r.exitCode, 3, 'a string value is not an integer');
      const ok = await runTarget(
        db.config,
        lines(schema('absorb', { type: 'integer' }), { type: 'RECORD', stream: 'absorb', record: { id: 3, x: 42 } }),
      );
      assert.equal(ok.exitCode, 0, ok.stderr);
      assert.deepEqual(
        (await db.rows('absorb', 'id')).map((x) => x.x),
        ['a', '42'],
      );
    });

    it('incompatible change (integer → boolean) with policy fail exits 3 and changes nothing', async () => {
      const first = await runTarget(db.config, lines(schema('pol_fail', { type: 'integer' }), rec('pol_fail', 1, 5)));
      assert.equal(first.exitCode, 0, first.stderr);
      const r = await runTarget(db.config, lines(schema('pol_fail', { type: 'boolean' }), rec('pol_fail', 2, true)));
      assert.equal(r.exitCode, 3);
      assert.match(r.stderr, /schema_change_policy is fail/);
      assert.deepEqual(
        (await db.rows('pol_fail', 'id')).map((x) => x.x),
        ['5'],
      );
    });

    it('policy rename_old keeps the old column (renamed) and adds the new one', async () => {
      const config = { ...db.config, schema_change_policy: 'rename_old' };
      assert.equal(
        (await runTarget(config, lines(schema('pol_ren', { type: 'integer' }), rec('pol_ren', 1, 5)))).exitCode,
        0,
      );
      const r = await runTarget(config, lines(schema('pol_ren', { type: 'boolean' }), rec('pol_ren', 2, true)));
      assert.equal(r.exitCode, 0, r.stderr);
      const rows = await db.rows('pol_ren', 'id');
      const old = Object.keys(rows[0]).find((k) => k.startsWith('x__'));
      assert.ok(old, 'renamed column exists');
      assert.deepEqual(
        rows.map((x) => [x[old], x.x]),
        [
          ['5', null],
          [null, dialect === 'postgres' ? 'true' : '1'],
        ],
      );
    });

    it('policy cast_to_string turns the column into text, old values preserved', async () => {
      const config = { ...db.config, schema_change_policy: 'cast_to_string' };
      assert.equal(
        (await runTarget(config, lines(schema('pol_cast', { type: 'integer' }), rec('pol_cast', 1, 5)))).exitCode,
        0,
      );
      const r = await runTarget(config, lines(schema('pol_cast', { type: 'boolean' }), rec('pol_cast', 2, true)));
      assert.equal(r.exitCode, 0, r.stderr);
      assert.deepEqual(
        (await db.rows('pol_cast', 'id')).map((x) => x.x),
        ['5', 'true'],
      );
    });

    it('an identical SCHEMA is ignored (no "Schema changed" log); columns are never dropped', async () => {
      const s = schema('same', { type: 'string' });
      const r = await runTarget(
        db.config,
        lines(
          s,
          rec('same', 1, 'a'),
          s,
          s,
          {
            type: 'SCHEMA',
            stream: 'same',
            schema: { type: 'object', properties: { id: { type: 'integer' } } },
            key_properties: ['id'],
          },
          { type: 'RECORD', stream: 'same', record: { id: 2 } },
        ),
      );
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(
        (r.stderr.match(/Schema changed for stream 'same'/g) ?? []).length,
        1,
        'only the real change is logged',
      );
      assert.deepEqual(
        (await db.rows('same', 'id')).map((x) => x.x),
        ['a', null],
      );
    });
  });
}
