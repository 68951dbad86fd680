// node:assert, not chai: chai 6 ships no types.
import assert from 'node:assert/strict';
import {
  BACKENDS,
  systemOf,
  fixture,
  openBackend,
  runTarget,
  states,
  type TargetBackend,
} from '../../helpers/target-backend.js';

/**
 * Real bin/target-oracle.js fed real Singer files, checked by reading the tables back. Runs against the private
 * PostgreSQL server (postgres dialect) and, for the oracle dialect, against the Oracle rules session (a model of
 * Oracle's documented rules, not a database) or, when TEST_ORACLE_TARGET_* are set, a live Oracle Database.
 */
for (const dialect of BACKENDS) {
  describe(`target-oracle fixtures (${systemOf(dialect)}; real target process)`, function () {
    this.timeout(60_000);
    let db: TargetBackend;
    before(async function () {
      db = await openBackend(this, dialect, 'fx');
    });
    after(async () => db?.close());

    const load = (name: string, extra: Record<string, unknown> = {}) =>
      runTarget({ ...db.config, ...extra }, { file: fixture(name) });
    const noErrorWords = (stderr: string) =>
      assert.doesNotMatch(stderr, /error|exception/i, 'a successful run logs no "error"/"exception"');

    it('record_before_schema fails with a protocol error (exit 3) naming the line', async () => {
      const r = await load('record_before_schema');
      assert.equal(r.exitCode, 3);
      assert.match(r.stderr, /CRITICAL RECORD before its SCHEMA \(line 1, stream 'test_rbs'\)/);
      assert.deepEqual(r.stdoutLines, []);
    });

    it('duplicate_records: in-batch dedupe by key, last wins; STATE after commit', async () => {
      const r = await load('duplicate_records');
      assert.equal(r.exitCode, 0, r.stderr);
      noErrorWords(r.stderr);
      const rows = await db.rows('test_duplicate_records', 'id');
      assert.deepEqual(
        rows.map((x) => [x.id, x.metric]),
        [
          ['1', '100'],
          ['2', '20'],
        ],
      );
      assert.deepEqual(states(r), [{ bookmarks: { test_duplicate_records: { replication_key_value: 5 } } }]);
      assert.match(r.stderr, /"metric":"rows_inserted","value":2/);
    });

    it('multiple_state_messages: each committed flush releases the latest state before it, never {} or a repeat', async () => {
      const r = await load('multiple_state_messages', { batch_size_rows: 3 });
      assert.equal(r.exitCode, 0, r.stderr);
      // Input: S{0,0} a1 b1 S{1,1} a2 b2 a3 S{3,2} b3 b4 S{3,4} a4 b5 b6 S{4,6} a5 a6 S{6,6}.
      // S{0,0} and S{3,2} arrive with nothing buffered (released at once); a3 and b5 fill a buffer (flush, release
      // the latest state seen); the end of input flushes the rest.
      assert.deepEqual(states(r), [
        { test_multiple_state_a: 0, test_multiple_state_b: 0 },
        { test_multiple_state_a: 1, test_multiple_state_b: 1 },
        { test_multiple_state_a: 3, test_multiple_state_b: 2 },
        { test_multiple_state_a: 3, test_multiple_state_b: 4 },
        { test_multiple_state_a: 6, test_multiple_state_b: 6 },
      ]);
      assert.equal((await db.rows('test_multiple_state_a', 'id')).length, 6);
      assert.equal((await db.rows('test_multiple_state_b', 'id')).length, 6);
    });

    it('schema_updates: columns added as SCHEMAs grow; earlier rows get NULLs', async () => {
      const r = await load('schema_updates');
      assert.equal(r.exitCode, 0, r.stderr);
      const rows = await db.rows('test_schema_updates', 'a1');
      assert.equal(rows.length, 6);
      assert.deepEqual(
        [rows[0].a1, rows[0].a2, rows[0].a3, rows[0].a4, rows[0].a5, rows[0].a6],
        ['101', 'string1', null, null, null, null],
      );
      assert.deepEqual(JSON.parse(rows[4].a4!), { id: 3, value: 33 });
      assert.deepEqual(JSON.parse(rows[4].a5!), ['orange']);
      assert.equal(rows[5].a6, '341');
    });

    it('pk_updates: key_properties inside schema; a key change moves the primary key and upserts by the new key', async () => {
      const r = await load('pk_updates');
      assert.equal(r.exitCode, 0, r.stderr);
      const rows = await db.rows('example_stream', 'email');
      assert.deepEqual(
        rows.map((x) => [x.email, x.id, x.name]),
        [
          ['a@x.io', '3', 'A2'],
          ['b@x.io', '2', 'B'],
          ['c@x.io', '4', 'C'],
        ],
      );
    });

    it('record_missing_key_property fails (exit 3) naming the field, not the values', async () => {
      const r = await load('record_missing_key_property');
      assert.equal(r.exitCode, 3);
      assert.match(r.stderr, /missing a key property \(line 2, stream 'test_rmkp', field 'id'\)/);
      assert.doesNotMatch(r.stderr, /8214/);
    });

    it('record_missing_required_property fails validation (exit 3); invalid_schema is rejected (exit 3)', async () => {
      const a = await load('record_missing_required_property');
      assert.equal(a.exitCode, 3);
      assert.match(a.stderr, /does not match the schema.*field 'id'/);
      const b = await load('invalid_schema');
      assert.equal(b.exitCode, 3);
      assert.match(b.stderr, /missing 'properties'/);
    });

    it('special_chars_in_attributes: stream and field names are conformed', async () => {
      const r = await load('special_chars_in_attributes');
      assert.equal(r.exitCode, 0, r.stderr);
      const rows = await db.rows('test_SpecialChars_in_attributes', '_id');
      assert.equal(rows[0]._id, 'a1b2c3d4');
      assert.deepEqual(JSON.parse(rows[0].d!), { 'agent:type': 'desktop', 'agent:os:version': '10' });
    });

    it('no_primary_keys: append, every record kept, twice over two runs', async () => {
      for (let i = 0; i < 2; i += 1) assert.equal((await load('no_primary_keys')).exitCode, 0);
      assert.equal((await db.rows('test_no_pk', 'id')).length, 8);
    });

    it('camelcase: names are case-folded, quoted', async () => {
      const r = await load('camelcase');
      assert.equal(r.exitCode, 0, r.stderr);
      assert.deepEqual(
        (await db.rows('TestCamelcase', 'Id')).map((x) => x.clientname),
        ['Gitter Windows Desktop App', 'Gitter iOS App'],
      );
    });

    it('encoded_string_data: unicode, quotes, escapes and emoji exact; NUL handled per dialect', async () => {
      const r = await load('encoded_string_data');
      assert.equal(r.exitCode, 0, r.stderr);
      const rows = await db.rows('test_strings', 'id');
      assert.equal(rows.length, 11);
      assert.equal(rows[1].info, 'Ελληνικά');
      assert.equal(rows[6].info, 'back\\slash \\/ \n new line\ttab\r');
      assert.equal(rows[9].info, 'emoji 😀🎉 👩‍👩‍👧');
      if (dialect === 'postgres') {
        assert.equal(rows[7].info, 'NULinside');
        assert.equal(rows[10].info, '');
        assert.match(r.stderr, /WARNING Removed NUL characters from \d+ values of stream 'test_strings'/);
      } else {
        assert.equal(rows[7].info, 'NUL\u0000inside');
        assert.equal(rows[10].info, null, "Oracle stores '' as NULL");
      }
      const arrays = await db.rows('test_strings_in_arrays', 'id');
      assert.equal((JSON.parse(arrays[0].strings!) as string[])[9], 'emoji 😀🎉 👩‍👩‍👧');
    });

    it('optional_attributes: missing values are NULL', async () => {
      assert.equal((await load('optional_attributes')).exitCode, 0);
      assert.deepEqual(
        (await db.rows('test_optional_attributes', 'id')).map((x) => x.optional),
        ['This is optional', null, 'Also optional', null],
      );
    });

    it('schema_no_properties and array_data: objects without properties and arrays load as JSON', async () => {
      assert.equal((await load('schema_no_properties')).exitCode, 0);
      // Sorted here: Oracle cannot ORDER BY a CLOB (ORA-00932).
      const objects = await db.rows('test_object_schema_no_properties');
      assert.deepEqual(
        objects.map((x) => JSON.parse(x.object_store!) as { id: number }).sort((a, b) => a.id - b.id),
        [
          { id: 1, metric: 1 },
          { id: 2, metric: 2 },
        ],
      );
      const r = await load('array_data');
      assert.equal(r.exitCode, 0);
      assert.deepEqual(JSON.parse((await db.rows('test_carts', 'id'))[3].fruits!), [
        'orange',
        'banana',
        'apple',
        'pear',
      ]);
      assert.deepEqual(states(r), [{ test_carts: 4 }]);
    });

    it('large numerics and 64-bit ids are exact (never through a double)', async () => {
      const r = await load('large_numerics');
      assert.equal(r.exitCode, 0, r.stderr);
      const rows = await db.rows('test_large_numerics', 'id');
      assert.deepEqual(
        rows.map((x) => [x.id, x.big_int, x.dec]),
        [
          ['34639314995', '-9223372036854775808', '-0.000000000000000000000001'],
          ['9007199254740993', '9007199254740993', '99999999999999999999999999.99'],
          ['9223372036854775807', '99999999999999999', '12345678901234567890.123456'],
        ],
      );
      assert.equal(rows[0].qty, '123456.789012');
      assert.equal(Number(rows[1].qty), 1e-7);
    });

    it('microsecond timestamps with offsets are exact as instants (DST edges, +14:00, nanoseconds cut)', async () => {
      const r = await load('timestamps_with_offsets');
      assert.equal(r.exitCode, 0, r.stderr);
      const rows = await db.rows('test_timestamps', 'id');
      assert.deepEqual(
        rows.map((x) => x.ts),
        [
          '2024-03-10T06:59:59.999999Z',
          '2024-03-10T07:00:00.000001Z',
          '2024-06-30T09:59:59.123456Z',
          '2024-01-01T00:00:00.000000Z',
          '2023-12-31T18:30:00.123456Z',
          null,
        ],
      );
      assert.deepEqual(
        rows.slice(0, 3).map((x) => x.d),
        ['2024-03-10', '2024-02-29', null],
      );
    });

    it('hostile identifiers: quoted and conformed, the injection is stored as data, nothing is executed', async () => {
      await db.query(`CREATE TABLE ${db.table('canary')} (id INTEGER)`);
      const r = await load('hostile_identifiers');
      assert.equal(r.exitCode, 0, r.stderr);
      assert.ok(await db.tableExists('canary'), 'canary table survived');
      const rows = await db.rows('users__ DROP TABLE canary; --', 'id__ DROP TABLE canary; --');
      assert.equal(rows.length, 1);
      const row = rows[0];
      assert.equal(row.select, "'); DROP TABLE canary; --");
      assert.equal(row['1st_col'], 'c1');
      assert.equal(row._leading, 'l');
      const long = Object.entries(row).filter(([k]) => k.startsWith('a_really_long'));
      assert.equal(long.length, 2, 'two long names shortened to distinct columns');
      assert.deepEqual(long.map(([, v]) => v).sort(), ['L1', 'L2']);
      for (const [k] of long) assert.ok(Buffer.byteLength(k) <= (dialect === 'postgres' ? 63 : 128));
    });

    it('overwrite replaces the table contents once per run', async () => {
      assert.equal((await load('overwrite_1', { load_method: 'overwrite' })).exitCode, 0);
      const r = await load('overwrite_2', { load_method: 'overwrite', batch_size_rows: 1 });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.deepEqual(
        (await db.rows('test_overwrite', 'id')).map((x) => [x.id, x.v]),
        [
          ['3', 'second'],
          ['4', 'second'],
        ],
      );
    });

    it('history mode: key (id, mod_ts), new versions added, duplicates ignored, never updated', async () => {
      const r = await load('history_mode', { enable_historical_versioning: true, batch_size_rows: 3 });
      assert.equal(r.exitCode, 0, r.stderr);
      const rows = await db.rows('test_history', 'status');
      assert.deepEqual(rows.map((x) => [x.id, x.mod_ts, x.status]).sort(), [
        ['1', '2024-01-01T00:00:00.000000Z', 'new'],
        ['1', '2024-01-02T00:00:00.000000Z', 'picked'],
        ['2', '2024-01-01T00:00:00.000000Z', 'new'],
      ]);
    });

    for (const hard of [false, true]) {
      it(`activate_version (${hard ? 'hard' : 'soft'} delete): older versions removed after the new rows, never mid-run`, async () => {
        const settings = {
          add_record_metadata: true,
          hard_delete: hard,
          table_prefix: `${String(db.config.table_prefix)}${hard ? 'h' : 's'}`,
        };
        assert.equal((await load('activate_version_1', settings)).exitCode, 0);
        const r = await load('activate_version_2', settings);
        assert.equal(r.exitCode, 0, r.stderr);
        const stream = `${hard ? 'h' : 's'}test_activate`;
        const rows = await db.rows(stream, 'id');
        if (hard) {
          assert.deepEqual(
            rows.map((x) => [x.id, x.v]),
            [
              ['2', 'v2'],
              ['3', 'v2'],
              ['4', 'v2'],
            ],
          );
        } else {
          assert.deepEqual(
            rows.map((x) => [x.id, x.v, x._sdc_deleted_at !== null]),
            [
              ['1', 'v1', true],
              ['2', 'v2', false],
              ['3', 'v2', false],
              ['4', 'v2', false],
            ],
          );
        }
        assert.deepEqual(states(r), [{ av: 2 }]);
        assert.match(r.stderr, /ACTIVATE_VERSION 2 of stream 'test_activate' deferred until its rows are loaded/);
      });
    }
  });
}
