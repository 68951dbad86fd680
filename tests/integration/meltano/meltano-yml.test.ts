import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import type { SettingsSchema } from '../../../singer/index.js';
import { TAP_SETTINGS } from '../../../tap-oracle-wms/settings.js';
import { TARGET_SETTINGS } from '../../../target-oracle/settings.js';
import { JOB_ENTITIES, renderMeltanoYml } from '../../../tools/meltano-yml.js';
import { isSensitive, settingKind } from '../../../tools/meltano-settings.js';
import { requireMeltano } from '../../helpers/meltano.js';
import { runBin } from '../../helpers/run-bin.js';
import { MELTANO_YML, meltanoSchemaFile, meltanoVenv, parseYamlWithVenv } from './meltano-project.js';

interface Setting {
  name: string;
  kind: string;
  value?: unknown;
  sensitive?: boolean;
  description?: string;
  aliases?: string[];
  options?: { value: unknown }[];
}
interface Plugin {
  name: string;
  namespace?: string;
  executable?: string;
  pip_url?: string;
  inherit_from?: string;
  capabilities?: string[];
  settings?: Setting[];
  select?: string[];
  config?: Record<string, unknown>;
  commands?: Record<string, { args: string; description?: string }>;
}
interface Project {
  send_anonymous_usage_stats: boolean;
  project_id: string;
  plugins: { extractors: Plugin[]; loaders: Plugin[]; [type: string]: Plugin[] };
  jobs: { name: string; tasks: string[] }[];
  schedules: { name: string; job: string; interval: string }[];
  environments: { name: string }[];
}

function assertSettingsMatch(settings: Setting[] | undefined, schema: SettingsSchema, plugin: string): void {
  assert.ok(settings, `${plugin} declares settings`);
  assert.deepEqual(
    settings.map((s) => s.name),
    Object.keys(schema.properties),
    `${plugin}: meltano.yml declares exactly the schema's settings, in order`,
  );
  for (const setting of settings) {
    const property = schema.properties[setting.name];
    const where = `${plugin}.${setting.name}`;
    assert.equal(setting.kind, settingKind(property), `${where} kind`);
    assert.equal(setting.sensitive === true, isSensitive(property), `${where} sensitive`);
    assert.equal(setting.description, property.description, `${where} description`);
    assert.deepEqual(setting.value, property.default, `${where} default value`);
    assert.deepEqual(setting.aliases ?? [], property.aliases ?? [], `${where} aliases`);
    assert.deepEqual(
      setting.options?.map((o) => o.value),
      property.enum,
      `${where} options`,
    );
  }
}

describe('meltano.yml: generated from the settings schemas, valid for Meltano 4.4.1 @integration', () => {
  it('the committed meltano.yml is exactly what `npm run meltano:yml` renders (pure, no Meltano needed)', async () => {
    const committed = await readFile(MELTANO_YML, 'utf8');
    assert.equal(committed, renderMeltanoYml(), 'meltano.yml is stale: run `npm run meltano:yml` and commit it');
  });

  describe('read the way Meltano reads it (PyYAML from the project virtualenv)', () => {
    let venv: string;
    let project: Project;
    before(async function () {
      this.timeout(60_000);
      requireMeltano(this);
      venv = meltanoVenv()!;
      project = (await parseYamlWithVenv(venv, MELTANO_YML)) as Project;
    });

    it("validates against Meltano's own JSON Schema (meltano.schema.json, draft 2020-12, via ajv)", async () => {
      const schemaFile = meltanoSchemaFile(venv);
      assert.ok(schemaFile, `meltano.schema.json not found under ${venv}/lib`);
      const schema = JSON.parse(await readFile(schemaFile, 'utf8')) as object;
      const ajv = new Ajv2020({ allErrors: true, strict: false });
      addFormatsPlugin.default(ajv);
      const validate = ajv.compile(schema);
      const valid = validate(project);
      assert.ok(valid, `meltano.yml is invalid for Meltano:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
      // The schema is strict enough to catch a typo: the same check must reject an unknown plugin key.
      const broken = structuredClone(project);
      (broken.plugins.extractors[0] as unknown as Record<string, unknown>).pip_urll = 'x';
      assert.equal(validate(broken), false, 'an unknown plugin key must fail validation');
    });

    it('declares every tap and target setting with the kind, sensitivity, description, default and options of its JSON Schema', () => {
      assertSettingsMatch(
        project.plugins.extractors.find((p) => p.name === 'tap-oracle-wms')?.settings,
        TAP_SETTINGS,
        'tap-oracle-wms',
      );
      assertSettingsMatch(
        project.plugins.loaders.find((p) => p.name === 'target-oracle')?.settings,
        TARGET_SETTINGS,
        'target-oracle',
      );
    });

    for (const [bin, type] of [
      ['tap-oracle-wms', 'extractors'],
      ['target-oracle', 'loaders'],
    ] as const) {
      it(`${bin}: settings and capabilities agree with what the real executable reports in --about --format json`, async function () {
        this.timeout(30_000);
        const about = await runBin(bin, ['--about', '--format', 'json']);
        assert.equal(about.exitCode, 0, about.stderr);
        const info = JSON.parse(about.stdout) as {
          capabilities: string[];
          settings: { properties: Record<string, { secret?: boolean }> };
        };
        const plugin = project.plugins[type].find((p) => p.name === bin)!;
        assert.deepEqual(
          plugin.settings!.map((s) => s.name),
          Object.keys(info.settings.properties),
        );
        for (const s of plugin.settings!)
          assert.equal(
            s.sensitive === true,
            info.settings.properties[s.name].secret === true,
            `${bin}.${s.name} sensitive`,
          );
        // Meltano's enums are narrower than what the plugins report (e.g. target-schema); none may be invented.
        for (const capability of plugin.capabilities!)
          assert.ok(info.capabilities.includes(capability), `${bin} does not report ${capability}`);
      });
    }

    it('has only custom plugins that Meltano cannot install (no pip_url) and an executable inside the project', () => {
      const all = Object.values(project.plugins).flat();
      assert.ok(all.length >= 2);
      for (const plugin of all) {
        assert.equal(plugin.pip_url, undefined, `${plugin.name} has a pip_url`);
        if (plugin.inherit_from) continue;
        assert.match(plugin.executable ?? '', /^bin\/[a-z-]+\.js$/, `${plugin.name} executable`);
        assert.match(
          plugin.namespace ?? '',
          /^(tap_oracle_wms|target_oracle|wms_pipeline)$/,
          `${plugin.name} namespace`,
        );
      }
      // The one utility is wms-pipeline, for the full → incremental handoff of each entity.
      assert.deepEqual(
        (project.plugins.utilities ?? []).map((p) => [p.name, p.executable]),
        [['wms-pipeline', 'bin/wms-pipeline.js']],
      );
      assert.equal(project.send_anonymous_usage_stats, false);
      assert.match(project.project_id, /^[0-9a-f-]{36}$/);
    });

    it('has select, a full and an incremental job per entity (the latter starting with its handoff task), a weekly full and a frequent incremental schedule, and dev/staging/prod', () => {
      const tap = project.plugins.extractors.find((p) => p.name === 'tap-oracle-wms')!;
      assert.deepEqual(
        tap.select,
        JOB_ENTITIES.map((e) => `${e}.*`),
      );
      const pipeline = project.plugins.utilities?.find((p) => p.name === 'wms-pipeline');
      for (const entity of JOB_ENTITIES) {
        for (const mode of ['full', 'incremental']) {
          const job = project.jobs.find((j) => j.name === `${entity}-${mode}`);
          assert.ok(job, `job ${entity}-${mode}`);
          // The incremental job first takes over the last completed full load (wms-pipeline meltano-handoff).
          assert.deepEqual(
            job.tasks.slice(0, -1),
            mode === 'full' ? [] : [`wms-pipeline:handoff-${entity}`],
            `${job.name} tasks`,
          );
          const [extractor, loader] = job.tasks[job.tasks.length - 1].split(' ');
          assert.equal(loader, 'target-oracle');
          const plugin = project.plugins.extractors.find((p) => p.name === extractor);
          assert.equal(plugin?.inherit_from, 'tap-oracle-wms', `${extractor} inherits the tap`);
          assert.deepEqual(plugin?.select, [`${entity}.*`]);
          assert.equal(plugin?.config?.enable_incremental, mode === 'full' ? false : undefined);
        }
        // The state ids Meltano forms for the two jobs' tasks: <environment>:<extractor>-to-<loader>.
        const stateId = (mode: string) => `$MELTANO_ENVIRONMENT:tap-oracle-wms--${entity}-${mode}-to-target-oracle`;
        assert.equal(
          pipeline?.commands?.[`handoff-${entity}`]?.args,
          `meltano-handoff --stream ${entity} --full-state-id ${stateId('full')} --incremental-state-id ${stateId('incremental')}`,
        );
        const weekly = project.schedules.find((s) => s.job === `${entity}-full`);
        assert.match(weekly?.interval ?? '', /^\d+ \d+ \* \* 0$/, `${entity} full runs weekly`);
        assert.equal(project.schedules.find((s) => s.job === `${entity}-incremental`)?.interval, '*/15 * * * *');
      }
      assert.deepEqual(
        project.environments.map((e) => e.name),
        ['dev', 'staging', 'prod'],
      );
    });
  });
});
