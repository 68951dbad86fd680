import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import {
  createLogger,
  DatabaseError,
  ExactNumber,
  Metrics,
  type NumberedMessage,
  type SingerMessage,
} from '../../../singer/index.js';
import { OracleDialect } from '../../../target-oracle/dialects/oracle/oracle-dialect.js';
import { parseTargetConfig, type TargetConfig } from '../../../target-oracle/settings.js';
import { runTarget } from '../../../target-oracle/run-target.js';
import { writeStates } from '../../../target-oracle/state-writer.js';
import { RecordingSession } from '../../helpers/recording-session.js';

function config(overrides: Record<string, unknown> = {}): TargetConfig {
  return parseTargetConfig({
    dialect: 'oracle',
    host: 'db',
    service_name: 'FREEPDB1',
    user: 'demo',
    password: 'demo',
    default_target_schema: 'wms',
    table_prefix: 'WMS_',
    ...overrides,
  });
}

function logSink(): { lines: string[]; out: Writable } {
  const lines: string[] = [];
  const out = new Writable({ write: (chunk, _e, done) => (lines.push(...String(chunk).trim().split('\n')), done()) });
  return { lines, out };
}

/** One message per batch: every await point of the run is exercised. */
async function* numbered(messages: SingerMessage[]): AsyncGenerator<NumberedMessage[]> {
  let line = 0;
  for (const message of messages) yield [{ message, line: (line += 1) }];
}

const SCHEMA: SingerMessage = {
  type: 'SCHEMA',
  stream: 'allocation',
  schema: {
    properties: {
      id: { type: 'integer' },
      alloc_qty: { type: ['number', 'null'] },
      status: { type: ['string', 'null'], maxLength: 20 },
      mod_ts: { type: ['string', 'null'], format: 'date-time' },
      is_picked: { type: ['boolean', 'null'] },
    },
  },
  key_properties: ['id'],
};
const rec = (id: number | ExactNumber, extra: Record<string, unknown> = {}): SingerMessage => ({
  type: 'RECORD',
  stream: 'allocation',
  record: {
    id,
    alloc_qty: new ExactNumber('12345678901234567890.123456'),
    status: 'PICKED',
    mod_ts: '2024-03-10T01:59:59.1234567-05:00',
    is_picked: true,
    ...extra,
  },
});

async function run(session: RecordingSession, messages: SingerMessage[], overrides: Record<string, unknown> = {}) {
  const { lines, out } = logSink();
  const logger = createLogger({ name: 'target-oracle', env: {}, out });
  const cfg = config(overrides);
  const promise = writeStates(
    runTarget({
      config: cfg,
      dialect: new OracleDialect(cfg, session),
      messages: numbered(messages),
      logger,
      metrics: new Metrics(logger),
    }),
    session.states,
  );
  return { promise, lines };
}

describe('runTarget with the oracle dialect over a recording session (no database: checks calls, binds and ordering)', () => {
  it('creates the table on SCHEMA, MERGEs with exact string binds and tight bindDefs, commits, then emits STATE', async () => {
    const session = new RecordingSession();
    const { promise } = await run(session, [
      SCHEMA,
      rec(new ExactNumber('9223372036854775807')),
      { type: 'STATE', value: { b: 1 } },
      rec(2, { is_picked: false, status: null }),
    ]);
    await promise;
    assert.deepEqual(session.kinds(), [
      'execute:SELECT CAST(NULL',
      'execute:SELECT column_name,',
      'execute:CREATE TABLE',
      'commit',
      'execute:SELECT COUNT(*)',
      'executeMany:MERGE INTO',
      'commit',
      'state',
    ]);
    const create = session.events[2] as { sql: string };
    assert.match(
      create.sql,
      /^CREATE TABLE "WMS"\."WMS_ALLOCATION" \("ID" NUMBER\(38\), "ALLOC_QTY" NUMBER, "STATUS" VARCHAR2\(20 CHAR\), "MOD_TS" TIMESTAMP\(6\) WITH TIME ZONE, "IS_PICKED" NUMBER\(1\)/,
    );
    const merge = session.events[5] as { rows: unknown[][]; options: { bindDefs: unknown[]; dmlRowCounts: boolean } };
    assert.deepEqual(merge.rows, [
      ['9223372036854775807', '12345678901234567890.123456', 'PICKED', '2024-03-10T01:59:59.123456-05:00', '1'],
      ['2', '12345678901234567890.123456', null, '2024-03-10T01:59:59.123456-05:00', '0'],
    ]);
    assert.deepEqual(merge.options.bindDefs, [
      { type: 'string', maxSize: 130 },
      { type: 'string', maxSize: 130 },
      { type: 'string', maxSize: 80 },
      { type: 'string', maxSize: 32 },
      { type: 'string', maxSize: 5 },
    ]);
    assert.equal(merge.options.dmlRowCounts, true);
    assert.deepEqual(session.events.at(-1), { kind: 'state', value: { b: 1 } });
  });

  it('chunks executeMany by oracle_chunk_rows and deduplicates keys in the batch (last wins)', async () => {
    const session = new RecordingSession();
    const { promise } = await run(
      session,
      [SCHEMA, rec(1), rec(2), rec(3), rec(1, { status: 'LAST' }), rec(4), rec(5)],
      { oracle_chunk_rows: 2 },
    );
    await promise;
    const merges = session.events.filter((e) => e.kind === 'executeMany') as { rows: unknown[][] }[];
    assert.deepEqual(
      merges.map((m) => m.rows.length),
      [2, 2, 1],
    );
    assert.deepEqual(
      merges.flatMap((m) => m.rows.map((r) => [r[0], r[2]])),
      [
        ['1', 'LAST'],
        ['2', 'PICKED'],
        ['3', 'PICKED'],
        ['4', 'PICKED'],
        ['5', 'PICKED'],
      ],
    );
  });

  it('caps the chunk by bind memory (CLOB binds) so DPI-1015 cannot occur', () => {
    const dialect = new OracleDialect(config(), new RecordingSession());
    assert.equal(dialect.chunkRows([{ type: 'string', maxSize: 130 }]), 5000);
    assert.equal(dialect.chunkRows([{ type: 'clob' }, { type: 'clob' }]), 512);
    assert.equal(dialect.chunkRows([{ type: 'string', maxSize: 32767 }, ...Array(40).fill({ type: 'clob' })]), 25);
  });

  it('no STATE before COMMIT: a full buffer flushes, commits, and only then releases the state seen before it', async () => {
    const session = new RecordingSession();
    const { promise } = await run(
      session,
      [SCHEMA, rec(1), { type: 'STATE', value: { s: 1 } }, rec(2), { type: 'STATE', value: { s: 2 } }, rec(3)],
      { batch_size_rows: 2 },
    );
    await promise;
    const order = session.kinds().filter((k) => k === 'commit' || k === 'state' || k.startsWith('executeMany'));
    // {s:2} arrives when rows 1 and 2 are committed and nothing is buffered: it is released at once, before row 3.
    assert.deepEqual(order, [
      'commit',
      'executeMany:MERGE INTO',
      'commit',
      'state',
      'state',
      'executeMany:MERGE INTO',
      'commit',
    ]);
    assert.deepEqual(
      session.events.filter((e) => e.kind === 'state').map((e) => (e as { value: unknown }).value),
      [{ s: 1 }, { s: 2 }],
    );
  });

  it('failure ⇒ rollback, no STATE, DatabaseError naming stream, table and chunk (never values)', async () => {
    const session = new RecordingSession();
    let merges = 0;
    session.failOn = (e) => e.kind === 'executeMany' && (merges += 1) === 2;
    const { promise } = await run(
      session,
      [
        SCHEMA,
        rec(1),
        rec(2),
        { type: 'STATE', value: { s: 1 } },
        rec(3, { status: 'SECRET-VALUE' }),
        { type: 'STATE', value: { s: 2 } },
      ],
      {
        batch_size_rows: 2,
      },
    );
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof DatabaseError);
    assert.equal(error.exitCode, 5);
    assert.match(
      error.message,
      /Database failure loading stream 'allocation' into table "WMS"\."WMS_ALLOCATION", chunk 1\/1: ORA-00001/,
    );
    assert.doesNotMatch(error.message, /SECRET-VALUE/);
    const afterFailure = session.kinds().slice(session.kinds().lastIndexOf('rollback'));
    assert.deepEqual(afterFailure, ['rollback'], 'nothing after the rollback');
    assert.deepEqual(
      session.events.filter((e) => e.kind === 'state').map((e) => (e as { value: unknown }).value),
      [{ s: 1 }],
      'state of the committed batch only',
    );
  });

  it('validation: RECORD before SCHEMA, missing key, schema violation → ProtocolError (exit 3) with line and field', async () => {
    const cases: [SingerMessage[], RegExp][] = [
      [[rec(1)], /RECORD before its SCHEMA \(line 1, stream 'allocation'\)/],
      [
        [SCHEMA, { type: 'RECORD', stream: 'allocation', record: { status: 'x' } }],
        /missing a key property \(line 2, stream 'allocation', field 'id'\)/,
      ],
      [
        [SCHEMA, rec(1, { is_picked: 'yes' })],
        /does not match the schema: must be boolean,null \(line 2, stream 'allocation', field 'is_picked'\)/,
      ],
      [
        [SCHEMA, rec(1, { mod_ts: 'yesterday' })],
        /not an ISO 8601 date-time \(line 2, stream 'allocation', field 'mod_ts'\)/,
      ],
    ];
    for (const [messages, pattern] of cases) {
      const session = new RecordingSession();
      const { promise } = await run(session, messages);
      await assert.rejects(promise, (e: Error & { exitCode?: number }) => pattern.test(e.message) && e.exitCode === 3);
      assert.equal(session.events.filter((e) => e.kind === 'state').length, 0);
    }
  });

  it('ExactNumber values validate as numbers without being converted; unknown fields warn once', async () => {
    const session = new RecordingSession();
    const { promise, lines } = await run(session, [
      SCHEMA,
      rec(new ExactNumber('12345678901234567890'), { extra: 1 }),
      rec(2, { extra: 2 }),
    ]);
    await promise;
    const merge = session.events.find((e) => e.kind === 'executeMany') as { rows: unknown[][] };
    assert.equal(merge.rows[0][0], '12345678901234567890');
    assert.equal(lines.filter((l) => l.includes("No schema for record field 'extra'")).length, 1);
  });

  it('an existing table evolves: missing column added, VARCHAR2 widened, no CREATE', async () => {
    const session = new RecordingSession();
    session.answer = (sql) =>
      sql.includes('all_tab_columns')
        ? [
            { COLUMN_NAME: 'ID', DATA_TYPE: 'NUMBER', DATA_PRECISION: 38, DATA_SCALE: 0 },
            { COLUMN_NAME: 'ALLOC_QTY', DATA_TYPE: 'NUMBER', DATA_PRECISION: null, DATA_SCALE: null },
            { COLUMN_NAME: 'STATUS', DATA_TYPE: 'VARCHAR2', CHAR_LENGTH: 10 },
            { COLUMN_NAME: 'MOD_TS', DATA_TYPE: 'TIMESTAMP(6) WITH TIME ZONE' },
          ]
        : sql.includes('all_constraints')
          ? [{ CONSTRAINT_NAME: 'SYS_C001', COLUMN_NAME: 'ID' }]
          : [];
    const { promise } = await run(session, [SCHEMA]);
    await promise;
    const ddl = session.events
      .filter((e) => e.kind === 'execute' && !e.sql.startsWith('SELECT'))
      .map((e) => (e as { sql: string }).sql);
    assert.deepEqual(ddl, [
      'ALTER TABLE "WMS"."WMS_ALLOCATION" MODIFY ("STATUS" VARCHAR2(20 CHAR))',
      'ALTER TABLE "WMS"."WMS_ALLOCATION" ADD ("IS_PICKED" NUMBER(1) CHECK ("IS_PICKED" IN (0, 1)))',
    ]);
  });
});
