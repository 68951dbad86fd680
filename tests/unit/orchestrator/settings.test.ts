import assert from 'node:assert/strict';
import { ConfigError } from '../../../singer/index.js';
import { tapConfigFor, targetConfigFor, type RunRequest } from '../../../orchestrator/plugin-configs.js';
import { renderSummary } from '../../../orchestrator/run-report.js';
import { pipelineSecrets } from '../../../orchestrator/pipeline-secrets.js';
import { loadPipelineSettings, resolvePipelineSettings } from '../../../orchestrator/settings.js';

const request = (mode: 'full' | 'incremental'): RunRequest => ({
  job: mode,
  mode,
  companyCode: 'ACME',
  facilityCode: 'DC01',
  maxRetries: 0,
  runTimeoutSeconds: 60,
});

describe('orchestrator settings and plugin configs (in-process)', () => {
  it('reads WMS_PIPELINE_<SETTING> variables, cast by type, defaults applied', async () => {
    const settings = await loadPipelineSettings(['ENV'], {
      WMS_PIPELINE_WMS_BASE_URL: 'https://wms.example.test/env',
      WMS_PIPELINE_MAX_RETRIES: '5',
      WMS_PIPELINE_ALERT_EMAIL_TO: 'a@example.test,b@example.test',
      WMS_PIPELINE_JOBS: '[{"name":"nightly","mode":"full","schedule":"0 2 * * *"}]',
      WMS_PIPELINE_TAP_CONFIG: '{"page_size": 500}',
    });
    assert.equal(settings.wms_base_url, 'https://wms.example.test/env');
    assert.equal(settings.max_retries, 5);
    assert.deepEqual(settings.alert_email_to, ['a@example.test', 'b@example.test']);
    assert.equal(settings.jobs[0].name, 'nightly');
    assert.deepEqual(settings.tap_config, { page_size: 500 });
    assert.equal(settings.runner, 'direct');
    assert.equal(settings.serve_host, '127.0.0.1');
  });

  it('rejects bad settings with every problem, and duplicate job names', () => {
    assert.throws(
      () => resolvePipelineSettings({ jobs: [{ name: 'bad name!', mode: 'x' }] }),
      (e: unknown) => e instanceof ConfigError && e.problems.length >= 2,
    );
    assert.throws(
      () =>
        resolvePipelineSettings({
          jobs: [
            { name: 'a', mode: 'full' },
            { name: 'a', mode: 'incremental' },
          ],
        }),
      /defined twice/,
    );
  });

  it('collects secrets: own secret settings, webhook header credentials, pass-through tap/target secrets, Basic credential', () => {
    const settings = resolvePipelineSettings({
      wms_username: 'demo',
      wms_password: 'pw-1',
      target_password: 'pw-2',
      alert_webhook_headers: { Authorization: 'Bearer tok-3' },
      tap_config: { oauth_client_secret: 'cs-4' },
      target_config: { wallet_password: 'wp-5' },
    });
    const secrets = pipelineSecrets(settings);
    for (const secret of [
      'pw-1',
      'pw-2',
      'Bearer tok-3',
      'tok-3',
      'cs-4',
      'wp-5',
      Buffer.from('demo:pw-1').toString('base64'),
    ])
      assert.ok(secrets.includes(secret), secret);
  });

  it('full sync: no incremental mode, ACTIVATE_VERSION per settings, full-sync target settings; incremental: the other way', () => {
    const settings = resolvePipelineSettings({
      wms_base_url: 'https://wms.example.test/env',
      entities: ['order_hdr'],
      tap_config: { page_size: 500, company_code: 'ignored' },
      target_dialect: 'postgres',
      target_host: 'db',
      target_config: { batch_size_rows: 1000 },
      full_sync_target_config: { hard_delete: true },
      incremental_target_config: { load_method: 'upsert' },
    });
    const full = tapConfigFor(settings, request('full'));
    assert.deepEqual(
      [
        full.base_url,
        full.company_code,
        full.facility_code,
        full.enable_incremental,
        full.emit_activate_version,
        full.page_size,
        full.entities,
      ],
      ['https://wms.example.test/env', 'ACME', 'DC01', false, true, 500, ['order_hdr']],
    );
    const incremental = tapConfigFor(settings, request('incremental'));
    assert.equal(incremental.enable_incremental, true);
    assert.equal(incremental.emit_activate_version, undefined);
    // full_sync_delete_mode soft (default) adds the metadata columns; full_sync_target_config wins over it.
    assert.deepEqual(targetConfigFor(settings, request('full')), {
      dialect: 'postgres',
      host: 'db',
      run_lock_key: 'wms-pipeline:full:ACME:DC01',
      batch_size_rows: 1000,
      add_record_metadata: true,
      hard_delete: true,
    });
    // Incremental keeps the metadata columns (so a revived row is undeleted) but never deletes.
    assert.deepEqual(targetConfigFor(settings, request('incremental')), {
      dialect: 'postgres',
      host: 'db',
      run_lock_key: 'wms-pipeline:incremental:ACME:DC01',
      batch_size_rows: 1000,
      add_record_metadata: true,
      load_method: 'upsert',
    });
  });

  it('full_sync_delete_mode: soft (default) / hard / none → tap emit_activate_version and target add_record_metadata, hard_delete', () => {
    const base = { wms_base_url: 'https://wms.example.test/env', target_dialect: 'postgres' };
    const configs = (mode?: string): unknown[] => {
      const settings = resolvePipelineSettings(mode === undefined ? base : { ...base, full_sync_delete_mode: mode });
      const target = targetConfigFor(settings, request('full'));
      return [
        tapConfigFor(settings, request('full')).emit_activate_version,
        target.add_record_metadata,
        target.hard_delete,
      ];
    };
    assert.deepEqual(configs(), [true, true, false]);
    assert.deepEqual(configs('soft'), [true, true, false]);
    assert.deepEqual(configs('hard'), [true, true, true]);
    assert.deepEqual(configs('none'), [false, undefined, undefined]);
    assert.throws(() => resolvePipelineSettings({ ...base, full_sync_delete_mode: 'purge' }), /full_sync_delete_mode/);
    // Incremental syncs keep the metadata columns but never delete (they cannot see deletions); none adds nothing.
    const incremental = (mode: string): unknown[] => {
      const target = targetConfigFor(
        resolvePipelineSettings({ ...base, full_sync_delete_mode: mode }),
        request('incremental'),
      );
      return [target.add_record_metadata, target.hard_delete];
    };
    assert.deepEqual(incremental('hard'), [true, undefined]);
    assert.deepEqual(incremental('none'), [undefined, undefined]);
  });

  it('renders the terminal summary with rows read and rows committed apart, rows/s and duration per stream', () => {
    const text = renderSummary({
      success: false,
      error: 'tap-oracle-wms exited with code 4 (source): boom',
      data: {
        runId: 'r',
        job: 'nightly',
        mode: 'full',
        runner: 'direct',
        companyCode: 'ACME',
        facilityCode: 'DC01',
        startedAt: '2026-01-01T00:00:00Z',
        finishedAt: '2026-01-01T00:01:05Z',
        recordsProcessed: 3000,
        recordsRead: 3500,
        recordsByStream: {
          order_hdr: { rows: 1000, rowsRead: 1000, durationSeconds: 10, rowsPerSecond: 100 },
          allocation: { rows: 2000, rowsRead: 2500, durationSeconds: 65, rowsPerSecond: 30.8 },
        },
        errorsCount: 1,
        durationSeconds: 65,
        attempts: [
          { attempt: 1, success: false, durationSeconds: 30 },
          { attempt: 2, success: false, durationSeconds: 35 },
        ],
        metrics: {},
        alerts: [{ title: 'x', status: 'sent' }],
        exitCode: 4,
      },
    });
    assert.match(
      text,
      /^wms-pipeline full sync 'nightly' for ACME\/DC01: FAILED in 1m05s after 2 attempts\n {2}error: tap-oracle-wms exited with code 4/,
    );
    assert.match(text, /^ {2}stream +read +committed +rows\/s +duration$/m);
    assert.match(text, /^ {2}allocation +2,500 +2,000 +30\.8 +1m05s$/m);
    assert.match(text, /^ {2}order_hdr +1,000 +1,000 +100\.0 +10\.0 s$/m);
    assert.match(text, /^ {2}total +3,500 +3,000 +46\.2 +1m05s$/m);
    // A failed run's rows that were read but never committed are not loaded, and the summary says so.
    assert.match(text, /^ {2}500 rows read were not committed \(not loaded; the next run reads them again\)$/m);
    assert.doesNotMatch(text, /loaded(?!;)/);
    assert.match(text, /alert 'x': sent/);
  });
});
