import assert from 'node:assert/strict';
import { handoffJobs, initialLoadProblems, initialLoadRequest } from '../../../orchestrator/initial-load.js';
import { pipelineSecrets } from '../../../orchestrator/pipeline-secrets.js';
import { commandConfigProblems } from '../../../orchestrator/plugin-config-check.js';
import { tapConfigFor } from '../../../orchestrator/plugin-configs.js';
import { resolvePipelineSettings } from '../../../orchestrator/settings.js';
import { ConfigError } from '../../../singer/index.js';

const base = {
  wms_base_url: 'https://wms.example.test/env',
  wms_username: 'api-user',
  wms_password: 'fake-wms-password-0001',
  target_dialect: 'postgres',
  target_host: 'db.example.test',
  target_user: 'loader',
  target_password: 'fake-db-password-0001',
  target_database: 'wms',
};
const extract = {
  data_extract: { store: 's3', bucket: 'exports', region: 'eu-frankfurt-1', prefix: 'run-1/' },
  data_extract_access_key_id: 'AKIAFAKEFAKEFAKE0001',
  data_extract_secret_access_key: 'fake-secret-not-real-0001',
};

describe('wms-pipeline initial-load: its request, refusals and handoff targets (in-process)', () => {
  it('data_extract and its keys reach the initial-load tap config only, with the entity, full mode and its own state', () => {
    const settings = resolvePipelineSettings({ ...base, ...extract, entities: ['order_hdr', 'allocation'] });
    const request = initialLoadRequest(settings, 'order_hdr', '*', '*');
    assert.equal(request.job, 'initial-load-order_hdr');
    assert.equal(request.mode, 'full');
    assert.equal(request.resume, true);
    const tap = tapConfigFor(settings, request);
    assert.deepEqual(tap.entities, ['order_hdr']);
    assert.deepEqual(tap.exclude_entities, []);
    assert.deepEqual(tap.data_extract, settings.data_extract);
    assert.equal(settings.data_extract?.bucket, 'exports');
    assert.equal(tap.data_extract_secret_access_key, extract.data_extract_secret_access_key);
    assert.equal(tap.enable_incremental, false);
    assert.equal(tap.emit_activate_version, true);
    for (const mode of ['full', 'incremental'] as const) {
      const other = tapConfigFor(settings, {
        job: mode,
        mode,
        companyCode: '*',
        facilityCode: '*',
        maxRetries: 0,
        runTimeoutSeconds: 60,
      });
      assert.equal(other.data_extract, undefined, mode);
      assert.equal(other.data_extract_access_key_id, undefined, mode);
    }
    const rest = initialLoadRequest(resolvePipelineSettings(base), 'order_hdr', 'ACME', 'DC01');
    assert.equal(tapConfigFor(resolvePipelineSettings(base), rest).data_extract, undefined);
  });

  it('the Data Extract keys are secrets of the pipeline (scrubbed from logs, reports and errors)', () => {
    const secrets = pipelineSecrets(resolvePipelineSettings({ ...base, ...extract }));
    assert.ok(secrets.includes(extract.data_extract_secret_access_key));
    assert.ok(secrets.includes(extract.data_extract_access_key_id));
  });

  it('refuses data_extract with a company or facility other than *, and runner meltano; REST takes any scope', () => {
    const settings = resolvePipelineSettings({ ...base, ...extract });
    assert.deepEqual(initialLoadProblems(settings, '*', '*'), []);
    const [problem] = initialLoadProblems(settings, 'ACME', '*');
    assert.match(problem, /loads the whole tenant .* not ACME\/\*: run it with --company '\*' --facility '\*'/);
    assert.match(initialLoadProblems(settings, '*', 'DC01')[0], /not \*\/DC01/);
    assert.deepEqual(initialLoadProblems(resolvePipelineSettings(base), 'ACME', 'DC01'), []);
    assert.match(
      initialLoadProblems(resolvePipelineSettings({ ...base, runner: 'meltano' }), '*', '*')[0],
      /runner meltano, run the entity's Meltano job `<entity>-full`/,
    );
    // Said alone, by the pipeline's names: not also the tap's 'data_extract' cannot be combined with 'company_code'.
    assert.deepEqual(
      commandConfigProblems(settings, 'initial-load', { company: 'ACME', facility: '*', entity: 'order_hdr' }),
      [problem],
    );
    // The pipeline's own schema holds the tap's data_extract rules: refused with the settings, by their names.
    assert.throws(
      () => resolvePipelineSettings({ ...base, data_extract: { store: 's3' } }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.join('\n') === "'data_extract.bucket' is required\n'data_extract.region' is required",
    );
  });

  it('hands over to the ad-hoc incremental state and the incremental jobs of the same scope that select the entity', () => {
    const settings = resolvePipelineSettings({
      ...base,
      company_code: 'ACME',
      facility_code: 'DC01',
      jobs: [
        { name: 'all-incremental', mode: 'incremental' },
        { name: 'hdr-glob', mode: 'incremental', entities: ['order_*'] },
        { name: 'hdr-excluded', mode: 'incremental', tap_config: { exclude_entities: ['order_hdr'] } },
        { name: 'dtl-only', mode: 'incremental', entities: ['order_dtl'] },
        { name: 'other-facility', mode: 'incremental', facility_code: 'DC02' },
        { name: 'nightly-full', mode: 'full' },
      ],
    });
    assert.deepEqual(handoffJobs(settings, 'order_hdr', 'ACME', 'DC01'), [
      'incremental',
      'all-incremental',
      'hdr-glob',
    ]);
    assert.deepEqual(handoffJobs(settings, 'order_hdr', 'ACME', 'DC02'), ['incremental', 'other-facility']);
  });
});
