import assert from 'node:assert/strict';
import type {
  BindValue,
  ExecuteResult,
  PostgresSession,
} from '../../../target-oracle/dialects/postgres/postgres-session.js';
import { PostgresDialect } from '../../../target-oracle/dialects/postgres/postgres-dialect.js';
import { parseTargetConfig } from '../../../target-oracle/settings.js';
import { designStream } from '../../../target-oracle/stream-sink.js';
import type { TableSpec } from '../../../target-oracle/dialect.js';
import type { SchemaMessage } from '../../../singer/index.js';

/** A session that records what the dialect sends: no table exists, and a COPY fails while `failCopies` says so. */
class RecordingSession implements PostgresSession {
  readonly log: string[] = [];
  failCopies = 0;

  async execute(sql: string, _binds?: BindValue[]): Promise<ExecuteResult> {
    this.log.push(sql.split(' ').slice(0, 3).join(' '));
    if (sql.startsWith('WITH r AS')) return { rows: [{ inserted: 1, total: 2 }] };
    return { rows: [] };
  }

  async copyIn(sql: string, chunks: Iterable<Buffer | string>): Promise<number> {
    this.log.push(sql.split(' ').slice(0, 2).join(' '));
    let rows = 0;
    for (const chunk of chunks) rows += String(chunk).split('\n').length - 1;
    if (this.failCopies > 0) {
      this.failCopies -= 1;
      throw Object.assign(new Error('duplicate key value violates unique constraint "t_pkey"'), { code: '23505' });
    }
    return rows;
  }

  commit = async () => undefined;
  rollback = async () => undefined;
  close = async () => undefined;
}

const config = parseTargetConfig({
  dialect: 'postgres',
  host: 'db',
  user: 'u',
  password: 'p',
  database: 'd',
  default_target_schema: 's',
});

function table(session: PostgresSession): TableSpec {
  const message: SchemaMessage = {
    type: 'SCHEMA',
    stream: 't',
    schema: { type: 'object', properties: { id: { type: 'integer' }, v: { type: ['string', 'null'] } } },
    key_properties: ['id'],
  };
  return designStream(message, 1, config, new PostgresDialect(session)).desired;
}

const rows = [
  ['1', 'a'],
  ['2', 'b'],
];

describe('target postgres dialect: COPY straight into a table this run created', () => {
  it('copies into the new table, and after a key comes back takes the staging upsert for good', async () => {
    const session = new RecordingSession();
    const dialect = new PostgresDialect(session);
    const spec = await dialect.ensureTable(table(session), 'fail');
    session.log.length = 0;

    const first = await dialect.load({ table: spec, mode: 'upsert', rows, deletes: [] });
    assert.deepEqual(first, { inserted: 2, updated: 0, deleted: 0, sanitized: 0 });
    assert.deepEqual(session.log, [
      'SAVEPOINT target_oracle_fresh_copy',
      'COPY "s"."t"',
      'RELEASE SAVEPOINT target_oracle_fresh_copy',
    ]);

    session.log.length = 0;
    session.failCopies = 1;
    const second = await dialect.load({ table: spec, mode: 'upsert', rows, deletes: [] });
    assert.deepEqual(second, { inserted: 1, updated: 1, deleted: 0, sanitized: 0 });
    assert.deepEqual(session.log, [
      'SAVEPOINT target_oracle_fresh_copy',
      'COPY "s"."t"',
      'ROLLBACK TO SAVEPOINT',
      'CREATE TEMP TABLE',
      'COPY "target_oracle_stage_1"',
      'WITH r AS',
    ]);

    session.log.length = 0;
    await dialect.load({ table: spec, mode: 'upsert', rows, deletes: [] });
    assert.deepEqual(session.log, ['CREATE TEMP TABLE', 'COPY "target_oracle_stage_2"', 'WITH r AS']);
  });

  it('never copies straight into a table that was there, nor in history mode', async () => {
    const session = new RecordingSession();
    const dialect = new PostgresDialect(session);
    // Not created by this dialect: the table was there before the run.
    const spec = table(session);
    await dialect.load({ table: spec, mode: 'upsert', rows, deletes: [] });
    assert.deepEqual(session.log, ['CREATE TEMP TABLE', 'COPY "target_oracle_stage_1"', 'WITH r AS']);

    const created = await dialect.ensureTable(table(session), 'fail');
    session.log.length = 0;
    await dialect.load({ table: created, mode: 'history', rows, deletes: [] });
    assert.deepEqual(session.log, ['CREATE TEMP TABLE', 'COPY "target_oracle_stage_2"', 'WITH r AS']);
  });

  it('lets any other COPY failure through, the savepoint left to the batch rollback', async () => {
    const session = new RecordingSession();
    session.copyIn = async () => {
      throw Object.assign(new Error('value too long'), { code: '22001' });
    };
    const dialect = new PostgresDialect(session);
    const spec = await dialect.ensureTable(table(session), 'fail');
    await assert.rejects(dialect.load({ table: spec, mode: 'upsert', rows, deletes: [] }), /COPY of 2 rows: 22001/);
  });
});
