import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import {
  createLogger,
  DatabaseError,
  Metrics,
  type JsonSchema,
  type NumberedMessage,
  type SingerMessage,
} from '../../../singer/index.js';
import { OracleDialect } from '../../../target-oracle/dialects/oracle/oracle-dialect.js';
import { parseTargetConfig } from '../../../target-oracle/settings.js';
import { runTarget, type TargetSummary } from '../../../target-oracle/run-target.js';
import { writeStates, type StateSink } from '../../../target-oracle/state-writer.js';
import { RecordingSession, type SessionEvent } from '../../helpers/recording-session.js';

/** Hands messages to the target one per batch and counts how many it has pulled; can stall before one. */
class Feed implements AsyncIterable<NumberedMessage[]> {
  pulled = 0;
  readonly #messages: SingerMessage[];
  readonly #stallAt: number | undefined;
  readonly #stall = gate();

  constructor(messages: SingerMessage[], stallAt?: number) {
    this.#messages = messages;
    this.#stallAt = stallAt;
  }

  resume(): void {
    this.#stall.open();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<NumberedMessage[]> {
    for (let i = 0; i < this.#messages.length; i += 1) {
      if (i === this.#stallAt) await this.#stall.promise;
      this.pulled = i + 1;
      yield [{ message: this.#messages[i], line: i + 1 }];
    }
  }
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5000) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

const PROPERTIES: Record<string, JsonSchema> = {
  id: { type: 'integer' },
  status: { type: ['string', 'null'], maxLength: 20 },
};
const SCHEMA: SingerMessage = {
  type: 'SCHEMA',
  stream: 'allocation',
  schema: { properties: PROPERTIES },
  key_properties: ['id'],
};
const rec = (id: number, extra: Record<string, unknown> = {}): SingerMessage => ({
  type: 'RECORD',
  stream: 'allocation',
  record: { id, status: 'PICKED', ...extra },
});
const state = (name: string): SingerMessage => ({ type: 'STATE', value: { at: name } });

function start(
  session: RecordingSession,
  feed: Feed,
  signal?: AbortSignal,
  states: StateSink = session.states,
): Promise<TargetSummary> {
  const out = new Writable({ write: (_chunk, _e, done) => done() });
  const logger = createLogger({ name: 'target-oracle', env: {}, out });
  const config = parseTargetConfig({
    dialect: 'oracle',
    host: 'db',
    service_name: 'FREEPDB1',
    user: 'demo',
    password: 'demo',
    batch_size_rows: 2,
  });
  return writeStates(
    runTarget({
      config,
      dialect: new OracleDialect(config, session),
      messages: feed,
      logger,
      metrics: new Metrics(logger),
      signal,
    }),
    states,
  );
}

/** Holds the n-th call of a kind (1-based) until the returned gate opens. */
function holdNth(session: RecordingSession, kind: SessionEvent['kind'], n: number): () => void {
  const held = gate();
  let seen = 0;
  const previous = session.hold;
  session.hold = (event) => {
    if (event.kind === kind && (seen += 1) === n) return held.promise;
    return previous?.(event);
  };
  return held.open;
}

const states = (session: RecordingSession): unknown[] =>
  session.events.filter((e) => e.kind === 'state').map((e) => (e as { value: unknown }).value);
const mergedIds = (session: RecordingSession): unknown[][] =>
  session.events.filter((e) => e.kind === 'executeMany').map((e) => (e as { rows: unknown[][] }).rows.map((r) => r[0]));
/** commit / executeMany / state / rollback in order (the schema's CREATE TABLE commit is the first commit). */
const flow = (session: RecordingSession): string[] =>
  session
    .kinds()
    .filter((k) => /^(commit|state|rollback|executeMany)/.test(k))
    .map((k) => k.split(':')[0]);

describe('runTarget flush overlap: reading goes on while a flush runs (recording session with held calls, no database)', () => {
  it('keeps reading the next batch during a slow COMMIT, then stops reading when that batch is full (one flushing + one filling)', async () => {
    const session = new RecordingSession();
    const releaseFirst = holdNth(session, 'commit', 2);
    const releaseSecond = holdNth(session, 'commit', 3);
    // Batches of 2: [1,2] flushes after message 4; [3,4] is full at message 7; message 8 (r5) must wait.
    const feed = new Feed([SCHEMA, rec(1), state('a'), rec(2), rec(3), state('b'), rec(4), rec(5), state('c')]);
    const run = start(session, feed);

    await until(() => feed.pulled === 7, 'the second batch is read while the first COMMIT is held');
    await sleep(50);
    assert.equal(feed.pulled, 7, 'no record beyond the full second batch is read while the first flush runs');
    assert.deepEqual(states(session), [], 'no state before its COMMIT');
    assert.deepEqual(mergedIds(session), [['1', '2']], 'the second batch waits for the first flush');

    releaseFirst();
    await until(() => states(session).length === 1, 'the first batch commits');
    await until(() => feed.pulled === 9, 'reading resumes once the second flush has started');
    await sleep(20);
    assert.deepEqual(
      states(session),
      [{ at: 'a' }],
      "after COMMIT 1, only the state seen before batch 1's last record; b waits for batch 2",
    );

    releaseSecond();
    await run;
    assert.deepEqual(states(session), [{ at: 'a' }, { at: 'b' }, { at: 'c' }]);
    assert.deepEqual(mergedIds(session), [['1', '2'], ['3', '4'], ['5']]);
    assert.deepEqual(flow(session), [
      'commit',
      'executeMany',
      'commit',
      'state',
      'executeMany',
      'commit',
      'state',
      'executeMany',
      'commit',
      'state',
    ]);
  });

  it('a STATE arriving with nothing buffered during a flush is written right after that COMMIT, before the next batch loads', async () => {
    const session = new RecordingSession();
    const release = holdNth(session, 'commit', 2);
    const feed = new Feed([SCHEMA, rec(1), rec(2), state('after-2'), rec(3)]);
    const run = start(session, feed);
    await until(() => feed.pulled === 5, 'all read');
    await sleep(20);
    assert.deepEqual(states(session), []);
    release();
    await run;
    assert.deepEqual(states(session), [{ at: 'after-2' }], 'written once, never repeated by the last flush');
    assert.deepEqual(flow(session), ['commit', 'executeMany', 'commit', 'state', 'executeMany', 'commit']);
  });

  it('a failure in flush N while batch N+1 is buffered: rollback, nothing of N or N+1 committed, no state after the last good commit', async () => {
    const session = new RecordingSession();
    let merges = 0;
    session.failOn = (e) => e.kind === 'executeMany' && (merges += 1) === 2;
    const release = holdNth(session, 'executeMany', 2);
    const feed = new Feed([
      SCHEMA,
      rec(1),
      rec(2),
      state('s1'),
      rec(3),
      rec(4),
      state('s2'),
      rec(5),
      state('s3'),
      rec(6),
      rec(7),
    ]);
    const run = start(session, feed);
    const outcome = run.then(
      () => undefined,
      (e: unknown) => e,
    );
    await until(() => feed.pulled === 10, 'batch N+1 is buffered (full) while flush N is held');
    release();
    const error = await outcome;
    assert.ok(error instanceof DatabaseError, String(error));
    assert.equal(error.exitCode, 5);
    assert.match(error.message, /chunk 1\/1: ORA-00001.*rolled back/);
    assert.equal(feed.pulled, 10, 'reading stopped at the failure');
    assert.deepEqual(states(session), [{ at: 's1' }]);
    assert.deepEqual(
      mergedIds(session),
      [
        ['1', '2'],
        ['3', '4'],
      ],
      'batch N+1 never reached the database',
    );
    assert.deepEqual(
      flow(session),
      ['commit', 'executeMany', 'commit', 'state', 'executeMany', 'rollback'],
      'no COMMIT of N, nothing after the rollback',
    );
  });

  it('a flush failure while stdin is idle ends the run at once (does not wait for the next line)', async () => {
    const session = new RecordingSession();
    let merges = 0;
    session.failOn = (e) => e.kind === 'executeMany' && (merges += 1) === 1;
    const feed = new Feed([SCHEMA, rec(1), rec(2), state('s1'), rec(3)], 4);
    try {
      await assert.rejects(start(session, feed), (e: Error & { exitCode?: number }) => e.exitCode === 5);
      assert.deepEqual(states(session), []);
      assert.deepEqual(flow(session), ['commit', 'executeMany', 'rollback']);
    } finally {
      feed.resume();
    }
  });

  it('a background COMMIT releases its state while stdin is idle (not at the next line)', async () => {
    const session = new RecordingSession();
    const feed = new Feed([SCHEMA, rec(1), state('s1'), rec(2), rec(3)], 4);
    const run = start(session, feed);
    try {
      await until(() => states(session).length === 1, 'the state of the committed batch is written');
      assert.equal(feed.pulled, 4, 'still waiting for the next line');
      assert.deepEqual(flow(session), ['commit', 'executeMany', 'commit', 'state']);
    } finally {
      feed.resume();
    }
    await run;
    assert.deepEqual(states(session), [{ at: 's1' }]);
  });

  it('a state write failing after a background COMMIT ends the run with that error; nothing more is loaded', async () => {
    const session = new RecordingSession();
    const broken: StateSink = {
      writeValue: () => Promise.reject(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })),
    };
    const feed = new Feed([SCHEMA, rec(1), state('s1'), rec(2), rec(3), rec(4), rec(5)]);
    await assert.rejects(start(session, feed, undefined, broken), /EPIPE/);
    assert.deepEqual(mergedIds(session), [['1', '2']]);
  });

  it('a changed SCHEMA waits for the running flush before its DDL; later records load in the new shape', async () => {
    const session = new RecordingSession();
    // The table exists with the first shape (so the second SCHEMA is an ALTER).
    session.answer = (sql) =>
      sql.includes('all_tab_columns')
        ? [
            { COLUMN_NAME: 'ID', DATA_TYPE: 'NUMBER', DATA_PRECISION: 38, DATA_SCALE: 0 },
            { COLUMN_NAME: 'STATUS', DATA_TYPE: 'VARCHAR2', CHAR_LENGTH: 20 },
          ]
        : sql.includes('all_constraints')
          ? [{ CONSTRAINT_NAME: 'SYS_C001', COLUMN_NAME: 'ID' }]
          : [];
    const release = holdNth(session, 'commit', 2);
    const changed: SingerMessage = {
      ...SCHEMA,
      schema: { properties: { ...PROPERTIES, note: { type: ['string', 'null'] } } },
    };
    const feed = new Feed([SCHEMA, rec(1), rec(2), changed, rec(3, { note: 'n3' })]);
    const run = start(session, feed);
    await until(() => feed.pulled === 4, 'the changed SCHEMA is read while the flush is held');
    await sleep(20);
    const ddl = () => session.events.filter((e) => e.kind === 'execute' && e.sql.startsWith('ALTER'));
    assert.equal(ddl().length, 0, 'no DDL while a flush is running');
    assert.equal(feed.pulled, 4, 'the SCHEMA waits: the record after it is not read yet');
    release();
    await run;
    const alter = session.events.findIndex((e) => e.kind === 'execute' && e.sql.startsWith('ALTER'));
    assert.match((session.events[alter] as { sql: string }).sql, /ADD \("NOTE" VARCHAR2\(4000 CHAR\)\)/);
    const commits = session.events.flatMap((e, i) => (e.kind === 'commit' ? [i] : []));
    assert.ok(alter > commits[1], 'the ALTER comes after the COMMIT of the rows in the old shape');
    const merges = session.events.filter((e) => e.kind === 'executeMany') as { sql: string; rows: unknown[][] }[];
    assert.doesNotMatch(merges[0].sql, /"NOTE"/);
    assert.match(merges[1].sql, /"NOTE"/);
    assert.deepEqual(merges[1].rows, [['3', 'PICKED', 'n3']]);
  });

  it('SIGTERM during a flush with the next batch buffered: stops reading, commits both, writes the last state', async () => {
    const session = new RecordingSession();
    const release = holdNth(session, 'commit', 2);
    const feed = new Feed([SCHEMA, rec(1), rec(2), state('s1'), rec(3), state('s2'), rec(4), rec(5)], 6);
    const abort = new AbortController();
    const run = start(session, feed, abort.signal);
    await until(() => feed.pulled === 6, 'the next batch is partly buffered');
    abort.abort('SIGTERM');
    await sleep(20);
    release();
    const summary = await run;
    feed.resume();
    assert.equal(summary.interrupted, true);
    assert.equal(feed.pulled, 6, 'nothing read after the signal');
    assert.deepEqual(mergedIds(session), [['1', '2'], ['3']]);
    assert.deepEqual(states(session), [{ at: 's1' }, { at: 's2' }]);
    assert.deepEqual(flow(session), ['commit', 'executeMany', 'commit', 'state', 'executeMany', 'commit', 'state']);
  });

  it('bad input in batch N+1 while flush N runs: flush N still commits and emits its state, then exit 3', async () => {
    const session = new RecordingSession();
    const release = holdNth(session, 'commit', 2);
    const feed = new Feed([
      SCHEMA,
      rec(1),
      state('s1'),
      rec(2),
      rec(3),
      { type: 'RECORD', stream: 'allocation', record: { status: 'no key' } },
    ]);
    const run = start(session, feed);
    const outcome = run.then(
      () => undefined,
      (e: unknown) => e,
    );
    await until(() => feed.pulled === 6, 'the bad record is read');
    release();
    const error = (await outcome) as Error & { exitCode?: number };
    assert.equal(error.exitCode, 3, String(error));
    assert.match(error.message, /missing a key property \(line 6/);
    assert.deepEqual(states(session), [{ at: 's1' }]);
    assert.deepEqual(mergedIds(session), [['1', '2']]);
  });
});
