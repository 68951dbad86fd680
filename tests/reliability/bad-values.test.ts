import assert from 'node:assert/strict';
import { BACKENDS, openBackend, runTarget, systemOf, type TargetBackend } from '../helpers/target-backend.js';
import { captureOutputs } from '../helpers/captured-output.js';

captureOutputs();

/** Singer lines for one stream; records as raw JSON text so exact spellings (1.0000…) reach the target as sent. */
function singer(stream: string, properties: object, keys: string[], records: string[], history = false): string {
  const lines = [
    JSON.stringify({ type: 'SCHEMA', stream, schema: { type: 'object', properties }, key_properties: keys }),
    ...records.map((record) => `{"type":"RECORD","stream":"${stream}","record":${record}}`),
    JSON.stringify({ type: 'STATE', value: { bookmarks: { [stream]: { done: true, history } } } }),
  ];
  return `${lines.join('\n')}\n`;
}

for (const dialect of BACKENDS) {
  describe(`reliability: values the database would refuse are refused first (real target, ${systemOf(dialect)})`, function () {
    this.timeout(60_000);
    let backend: TargetBackend;
    before(async function () {
      backend = await openBackend(this, dialect, 'badval');
    });
    after(async () => backend?.close());

    it('composite keys ("x\\u0001y","z") and ("x","y\\u0001z") are two rows, not one silently lost', async () => {
      const input = singer(
        'ck',
        { a: { type: 'string' }, b: { type: 'string' }, v: { type: 'integer' } },
        ['a', 'b'],
        [JSON.stringify({ a: 'x\u0001y', b: 'z', v: 1 }), JSON.stringify({ a: 'x', b: 'y\u0001z', v: 2 })],
      );
      const result = await runTarget(backend.config, input);
      assert.equal(result.exitCode, 0, result.stderr);
      const rows = await backend.rows('ck', 'v');
      assert.deepEqual(
        rows.map((r) => [r.a, r.b, r.v]),
        [
          ['x\u0001y', 'z', '1'],
          ['x', 'y\u0001z', '2'],
        ],
      );
    });

    for (const [label, properties, record, field, expected] of [
      [
        'an invalid date (2024-02-30) in a date-time column',
        { id: { type: 'integer' }, at: { type: 'string', format: 'date-time' } },
        '{"id":2,"at":"2024-02-30T10:00:00Z"}',
        'at',
        /ISO 8601 date-time/,
      ],
      [
        'an invalid date (2023-02-29) in a date column',
        { id: { type: 'integer' }, day: { type: 'string', format: 'date' } },
        '{"id":2,"day":"2023-02-29"}',
        'day',
        /ISO 8601 date/,
      ],
      [
        'a key that would equal another once PostgreSQL drops its NUL character',
        { id: { type: 'string' } },
        '{"id":"k\\u0000"}',
        'id',
        /NUL character/,
      ],
    ] as const) {
      it(`${label}: exit 3 naming line, stream and field (never the value), nothing of the batch loaded`, async () => {
        const stream = `bad_${field}`;
        const keys = ['id'];
        const first = field === 'id' ? '{"id":"k"}' : '{"id":1}';
        const input = singer(stream, properties, keys, [first, record]);
        const result = await runTarget(backend.config, input);
        assert.equal(result.exitCode, 3, result.stderr);
        assert.match(result.stderr, expected);
        assert.match(result.stderr, new RegExp(`line 3, stream '${stream}', field '${field}'`));
        assert.doesNotMatch(result.stderr, /2024-02-30|2023-02-29|k\\u0000/);
        assert.equal(result.stdout, '', 'no STATE after a refused record');
      });
    }

    it('decided: an integer written 1.0000000000000000 is accepted as exactly 1 (and 5e2 as 500)', async () => {
      const input = singer(
        'intspell',
        { id: { type: 'integer' }, n: { type: 'integer' } },
        ['id'],
        ['{"id":1.0000000000000000,"n":5e2}', '{"id":2,"n":-0.0}'],
      );
      const result = await runTarget(backend.config, input);
      assert.equal(result.exitCode, 0, result.stderr);
      const rows = await backend.rows('intspell', 'id');
      assert.deepEqual(
        rows.map((r) => [r.id, r.n]),
        [
          ['1', '500'],
          ['2', '0'],
        ],
      );
    });

    it('decided: one instant written with two offsets is one key (the last row wins), in one batch and across two runs', async () => {
      const properties = {
        id: { type: 'integer' },
        mod_ts: { type: 'string', format: 'date-time' },
        v: { type: 'string' },
      };
      const input = singer(
        'inst',
        properties,
        ['id', 'mod_ts'],
        [
          '{"id":1,"mod_ts":"2024-03-10T01:00:00.000001+00:00","v":"utc"}',
          '{"id":1,"mod_ts":"2024-03-09T22:00:00.000001-03:00","v":"sao paulo"}',
          '{"id":2,"mod_ts":"2024-03-10T01:00:00.000001+00:00","v":"other id"}',
        ],
      );
      const first = await runTarget(backend.config, input);
      assert.equal(first.exitCode, 0, first.stderr);
      const again = await runTarget(
        backend.config,
        singer(
          'inst',
          properties,
          ['id', 'mod_ts'],
          ['{"id":1,"mod_ts":"2024-03-10T02:00:00.000001+01:00","v":"paris"}'],
        ),
      );
      assert.equal(again.exitCode, 0, again.stderr);
      const rows = await backend.rows('inst', 'id');
      assert.deepEqual(
        rows.map((r) => [r.id, r.v]),
        [
          ['1', 'paris'],
          ['2', 'other id'],
        ],
      );
    });
  });
}
