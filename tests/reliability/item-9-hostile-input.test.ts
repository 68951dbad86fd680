import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { catalogEntry } from '../../tap-oracle-wms/discover.js';
import { captureOutputs } from '../helpers/captured-output.js';
import { runBin } from '../helpers/run-bin.js';
import { openBackend, runTarget, writeConfig, type TargetBackend } from '../helpers/target-backend.js';

captureOutputs();

const schema = (stream: string, properties: object, keys: string[]) =>
  JSON.stringify({ type: 'SCHEMA', stream, schema: { type: 'object', properties }, key_properties: keys });
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('reliability: issue 15 item 9, hostile input through the real target (PostgreSQL) and tap', function () {
  this.timeout(60_000);
  let backend: TargetBackend;
  before(async function () {
    backend = await openBackend(this, 'postgres', 'item9');
  });
  after(async () => backend?.close());

  for (const [label, line] of [
    ['a record', `{"type":"RECORD","stream":"deep","record":{"id":2,"v":${nested(8000)}}}`],
    ['a STATE value', `{"type":"STATE","value":{"bookmarks":${nested(8000)}}}`],
  ] as const) {
    it(`8,000 levels of nesting in ${label}: exit 3 naming the line, no stack overflow, nothing after it`, async () => {
      const input = [
        schema('deep', { id: { type: 'integer' }, v: {} }, ['id']),
        '{"type":"RECORD","stream":"deep","record":{"id":1,"v":[1]}}',
        line,
        '{"type":"STATE","value":{"after":true}}',
      ].join('\n');
      const result = await runTarget(backend.config, `${input}\n`);
      assert.equal(result.exitCode, 3, result.stderr);
      assert.match(result.stderr, /^CRITICAL JSON nested deeper than 1000 levels \(line 3\)$/m);
      assert.doesNotMatch(result.stderr, /Maximum call stack/);
      assert.equal(result.stdout, '');
    });
  }

  it('STATE values come out exactly as they came in: 1e400, -0, 1.0, 30-digit numbers, digit strings', async () => {
    // The marker look-alike is what the exact-number marker was: that string came out as the number 123.
    const value =
      '{"bookmarks":{"s":{"replication_key_value":"2024-01-01T00:00:00Z","huge":1e400,"tiny":-2.5E-400,' +
      '"negzero":-0,"one":1.0,"id":123456789012345678901234567890,"digits":"00123","long":"12345678901234567890",' +
      '"marker":"\\u0000\uE000123\\u0000\uE000"}}}';
    const input = [
      schema('st', { id: { type: 'integer' } }, ['id']),
      '{"type":"RECORD","stream":"st","record":{"id":1}}',
      `{"type":"STATE","value":${value}}`,
    ].join('\n');
    const result = await runTarget(backend.config, `${input}\n`);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(result.stdoutLines, [value]);
  });

  it('invalid UTF-8 and lone surrogates: stored as U+FFFD with a warning naming line and count; keys meet as in the database', async () => {
    const input = Buffer.concat([
      Buffer.from(`${schema('utf', { id: { type: 'string' }, v: { type: 'string' } }, ['id'])}\n`),
      Buffer.from('{"type":"RECORD","stream":"utf","record":{"id":"a","v":"x'),
      Buffer.from([0xff, 0xc3, 0x28]),
      Buffer.from('y"}}\n'),
      // The same key as the next line once the database has it: before, two keys here and one upsert target (exit 5).
      Buffer.from('{"type":"RECORD","stream":"utf","record":{"id":"k\\ud800","v":"first"}}\n'),
      Buffer.from('{"type":"RECORD","stream":"utf","record":{"id":"k\uFFFD","v":"second \\udfff\\ud83d\\ude00"}}\n'),
      Buffer.from('{"type":"STATE","value":{"done":1}}\n'),
    ]);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'item9-'));
    try {
      const file = path.join(dir, 'input.singer');
      await writeFile(file, input);
      const result = await runTarget(backend.config, { file });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.match(result.stderr, /^WARNING 2 invalid UTF-8 sequences replaced by U\+FFFD \{"line":2\}$/m);
      assert.match(result.stderr, /^WARNING 1 lone surrogate replaced by U\+FFFD \{"line":3\}$/m);
      assert.match(result.stderr, /^WARNING 1 lone surrogate replaced by U\+FFFD \{"line":4\}$/m);
      assert.deepEqual(result.stdoutLines, ['{"done":1}']);
      const rows = await backend.rows('utf', 'id');
      assert.deepEqual(
        rows.map((row) => [row.id, row.v]),
        [
          ['a', 'x\uFFFD\uFFFD(y'],
          ['k\uFFFD', 'second \uFFFD\u{1F600}'],
        ],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('the tap, given a state whose bookmark is in the future', () => {
    let dir: string;
    let catalog: string;
    const config = (extra: object = {}) =>
      // Port 9 (discard) on loopback: nothing listens, and the refusal comes before any request.
      writeConfig({ base_url: 'http://127.0.0.1:9/env', username: 'u', password: 'future-bookmark-pw', ...extra });
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'item9-tap-'));
      catalog = path.join(dir, 'catalog.json');
      const entry = catalogEntry(
        'order_hdr',
        { fields: { id: { type: 'pk' }, mod_ts: { type: 'datetime' } } },
        [],
        true,
      );
      await writeFile(catalog, JSON.stringify({ streams: [entry] }));
    });
    after(async () => rm(dir, { recursive: true, force: true }));

    for (const bookmark of ['2999-01-01', '2999-01-01T00:00:00Z']) {
      it(`${bookmark}: refused with exit 3 naming the stream and allow_future_bookmarks, before any request`, async () => {
        const state = path.join(dir, 'state.json');
        await writeFile(
          state,
          JSON.stringify({ bookmarks: { order_hdr: { replication_key: 'mod_ts', replication_key_value: bookmark } } }),
        );
        const result = await runBin('tap-oracle-wms', [
          '--config',
          await config(),
          '--catalog',
          catalog,
          '--state',
          state,
        ]);
        assert.equal(result.exitCode, 3, result.stderr);
        assert.match(
          result.stderr,
          new RegExp(
            `^CRITICAL Refused: the state's bookmark for stream 'order_hdr' \\(mod_ts ${bookmark}\\) is later than the start of this run \\(.*\\): .* set allow_future_bookmarks to true to sync from it anyway \\(stream 'order_hdr'\\)$`,
            'm',
          ),
        );
        assert.doesNotMatch(result.stderr, /127\.0\.0\.1:9|ECONNREFUSED/);
        assert.equal(result.stdout, '');
      });
    }
  });
});
