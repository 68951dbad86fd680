import assert from 'node:assert/strict';
import { runBin } from '../../helpers/run-bin.js';
import { openBackend, runTarget, type TargetBackend } from '../../helpers/target-backend.js';

describe('target-oracle CLI (real process)', function () {
  this.timeout(30_000);

  it('unreachable Oracle host: the real node-oracledb Thin driver fails with NJS-503 → clear message, exit 5, no secret', async () => {
    const r = await runTarget(
      {
        dialect: 'oracle',
        host: '127.0.0.1',
        port: 1,
        service_name: 'FREEPDB1',
        user: 'demo',
        password: 'demo-secret-pw',
      },
      '',
    );
    assert.equal(r.exitCode, 5, r.stderr);
    assert.match(r.stderr, /CRITICAL Cannot connect to Oracle at 127\.0\.0\.1:1: NJS-503/);
    assert.doesNotMatch(r.stderr, /demo-secret-pw/);
    assert.deepEqual(r.stdoutLines, []);
  });

  it('unreachable PostgreSQL: exit 5 with a connection message', async () => {
    const r = await runTarget(
      { dialect: 'postgres', host: '127.0.0.1', port: 1, database: 'x', user: 'demo', password: 'demo' },
      '',
    );
    assert.equal(r.exitCode, 5);
    assert.match(r.stderr, /CRITICAL Cannot connect to PostgreSQL at 127\.0\.0\.1:1/);
  });

  it('--about (json, markdown, text) lists every setting with secrets flagged; --version', async () => {
    const json = JSON.parse((await runBin('target-oracle', ['--about', '--format', 'json'])).stdout) as {
      name: string;
      capabilities: string[];
      settings: { properties: Record<string, { secret?: boolean; aliases?: string[] }> };
    };
    assert.equal(json.name, 'target-oracle');
    assert.ok(json.capabilities.includes('activate-version'));
    const p = json.settings.properties;
    assert.equal(p.password.secret, true);
    assert.equal(p.wallet_password.secret, true);
    assert.deepEqual(p.user.aliases, ['username']);
    assert.deepEqual(p.batch_size_rows.aliases, ['batch_size']);
    for (const name of [
      'dialect',
      'service_name',
      'sid',
      'connect_string',
      'protocol',
      'wallet_location',
      'database',
      'default_target_schema',
      'table_prefix',
      'load_method',
      'max_batch_age_seconds',
      'add_record_metadata',
      'hard_delete',
      'validate_records',
      'enable_historical_versioning',
      'historical_versioning_column',
      'schema_change_policy',
      'oracle_merge_strategy',
    ]) {
      assert.ok(p[name], `setting ${name}`);
    }
    assert.match(
      (await runBin('target-oracle', ['--about', '--format', 'markdown'])).stdout,
      /\| password \| string \|/,
    );
    assert.match((await runBin('target-oracle', ['--about'])).stdout, /Name: target-oracle/);
    assert.match((await runBin('target-oracle', ['--version'])).stdout, /^target-oracle v\d+\.\d+\.\d+/);
  });

  it('an invalid setting is a config error (exit 2)', async () => {
    const r = await runTarget({ dialect: 'postgres', host: 'h', user: 'u', load_method: 'truncate-everything' }, '');
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /load_method/);
  });

  describe('configuration from ENV (postgres: real target process, real database)', () => {
    let db: TargetBackend;
    before(async function () {
      db = await openBackend(this, 'postgres', 'env');
    });
    after(async () => db?.close());

    it('--config ENV with aliases (username, batch_size, append_only) and $MELTANO_EXTRACT__LOAD_SCHEMA', async () => {
      const c = db.config;
      const env = {
        TARGET_ORACLE_DIALECT: 'postgres',
        TARGET_ORACLE_HOST: String(c.host),
        TARGET_ORACLE_PORT: String(c.port),
        TARGET_ORACLE_USERNAME: String(c.user),
        TARGET_ORACLE_PASSWORD: String(c.password),
        TARGET_ORACLE_DATABASE: String(c.database),
        TARGET_ORACLE_TABLE_PREFIX: String(c.table_prefix),
        TARGET_ORACLE_BATCH_SIZE: '1',
        TARGET_ORACLE_LOAD_METHOD: 'append_only',
        MELTANO_EXTRACT__LOAD_SCHEMA: String(c.default_target_schema),
      };
      const input = [
        {
          type: 'SCHEMA',
          stream: 'env_stream',
          schema: { properties: { id: { type: 'integer' } } },
          key_properties: ['id'],
        },
        { type: 'RECORD', stream: 'env_stream', record: { id: 1 } },
        { type: 'RECORD', stream: 'env_stream', record: { id: 1 } },
      ]
        .map((m) => JSON.stringify(m))
        .join('\n');
      const r = await runBin('target-oracle', ['--config', 'ENV'], { input, env });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal((await db.rows('env_stream', 'id')).length, 2, 'append-only keeps both records');
      assert.equal((r.stderr.match(/"reason":"batch_size"/g) ?? []).length, 2, 'batch_size 1 flushes per record');
      assert.doesNotMatch(r.stderr, /error|exception/i);
    });
  });
});
