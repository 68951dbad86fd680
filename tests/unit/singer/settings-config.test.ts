// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { PIPELINE_SETTINGS, type PipelineSettings } from '../../../orchestrator/settings.js';
import { validateConfig } from '../../../singer/config.js';
import { defineSettings, type SettingsConfig, type SettingsSchema } from '../../../singer/settings-schema.js';
import { TAP_SETTINGS, type TapConfig } from '../../../tap-oracle-wms/settings.js';
import { TARGET_SETTINGS, type TargetSettings } from '../../../target-oracle/settings.js';

/** Compile-time equality: `expectType<Equal<A, B>>(true)` does not compile unless A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(value: T): T {
  return value;
}

const EXAMPLE = defineSettings({
  type: 'object',
  properties: {
    url: { type: 'string' },
    mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
    bytes: { type: 'integer', enum: [30, 128], default: 128 },
    size: { type: 'integer', default: 10 },
    names: { type: 'array', items: { type: 'string' }, default: [] },
    optional_list: { type: 'array', items: { type: 'integer' } },
    headers: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
    range: { type: 'object', properties: { lt: { type: ['integer', 'string'] } }, required: ['lt'] },
    nullable: { type: ['string', 'null'] },
    flag: { type: 'boolean', default: false },
  },
  required: ['url'],
});

describe('settings types derived from the settings schema', () => {
  it('a required or defaulted setting is always present; enums become unions; the others are optional', () => {
    type Config = SettingsConfig<typeof EXAMPLE>;
    expectType<
      Equal<
        Config,
        {
          url: string;
          mode: 'a' | 'b';
          bytes: 30 | 128;
          size: number;
          names: string[];
          optional_list?: number[];
          headers: Record<string, string>;
          range?: { lt: number | string };
          nullable?: string | null;
          flag: boolean;
        }
      >
    >(true);
    // validateConfig returns the derived type: no cast between the schema and the code that reads it.
    const { config } = validateConfig({ url: 'x' }, EXAMPLE);
    expectType<Equal<typeof config, Readonly<Config>>>(true);
    assert.deepEqual({ ...config }, { url: 'x', mode: 'a', bytes: 128, size: 10, names: [], headers: {}, flag: false });
  });

  it('the plugins’ config types follow their schemas', () => {
    expectType<Equal<TapConfig['page_mode'], 'sequenced' | 'paged'>>(true);
    expectType<Equal<TapConfig['auth_method'], 'basic' | 'oauth2_password' | 'oauth2_client_credentials'>>(true);
    expectType<Equal<TapConfig['base_url'], string>>(true);
    expectType<Equal<TapConfig['start_date'], string | undefined>>(true);
    expectType<Equal<TargetSettings['oracle_max_identifier_bytes'], 30 | 128>>(true);
    expectType<Equal<TargetSettings['port'], number | undefined>>(true);
    expectType<Equal<PipelineSettings['jobs'][number]['mode'], 'full' | 'incremental'>>(true);
    expectType<Equal<PipelineSettings['alert_email_to'], string[]>>(true);
  });

  // The types say a setting with a default is never undefined after validation: what ajv's useDefaults must deliver.
  for (const [name, schema, minimal] of [
    ['tap-oracle-wms', TAP_SETTINGS, { base_url: 'https://wms.example/env', username: 'u', password: 'p' }],
    ['target-oracle', TARGET_SETTINGS, {}],
    ['wms-pipeline', PIPELINE_SETTINGS, {}],
  ] as [string, SettingsSchema, Record<string, unknown>][]) {
    it(`${name}: every setting with a default is present after validation, with that default`, () => {
      const { config } = validateConfig(structuredClone(minimal), schema);
      const defaulted = Object.entries(schema.properties).filter(([, setting]) => 'default' in setting);
      assert.ok(defaulted.length > 5);
      for (const [setting, { default: value }] of defaulted)
        assert.deepEqual(config[setting], value, `${name}: ${setting}`);
    });
  }
});
