import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hubDefinitions } from '../../../tools/meltano-hub.js';
import { requireMeltano } from '../../helpers/meltano.js';
import { repoRoot } from '../../helpers/repo-root.js';
import { meltanoVenv, parseYamlWithVenv } from './meltano-project.js';

/**
 * The keys Meltano Hub's plugin-definition schemas allow (`schemas/plugin_definitions/{extractors,loaders}.schema.json`
 * with `additionalProperties: false`) and require (`name`, `namespace`, `variant` from common.schema.json; `quality`).
 */
const COMMON_KEYS = [
  'name',
  'pip_url',
  'variant',
  'namespace',
  'label',
  'description',
  'executable',
  'settings',
  'docs',
  'repo',
  'logo_url',
  'hidden',
  'python',
  'settings_group_validation',
  'commands',
  'capabilities',
  'maintenance_status',
  'quality',
  'domain_url',
  'keywords',
  'requires',
  'definition',
  'next_steps',
  'settings_preamble',
  'usage',
  'prereq',
  'supported_python_versions',
  'log_parser',
];
const ALLOWED: Record<string, string[]> = {
  extractors: [...COMMON_KEYS, 'metadata', 'schema', 'select'],
  loaders: [...COMMON_KEYS, 'dialect', 'target_schema'],
};
const REQUIRED = ['name', 'namespace', 'variant', 'quality'];
/** Hub's base_setting.schema.json: the keys a setting may have. */
const SETTING_KEYS = [
  'name',
  'aliases',
  'label',
  'value',
  'placeholder',
  'kind',
  'description',
  'tooltip',
  'documentation',
  'env',
  'value_processor',
  'value_post_processor',
  'oauth',
  'options',
  'docs',
  'hidden',
  'sensitive',
];

describe('meltano-hub/: the Meltano Hub definitions of tap-oracle-wms and target-oracle @integration', () => {
  it('the committed files are exactly what `npm run meltano:hub` renders (pure)', async () => {
    for (const { file, text } of hubDefinitions())
      assert.equal(
        await readFile(path.join(repoRoot, file), 'utf8'),
        text,
        `${file} is stale: run npm run meltano:hub`,
      );
  });

  it("have the Hub's layout, required keys and no key its schema forbids (read with Meltano's PyYAML)", async function () {
    requireMeltano(this);
    for (const { file } of hubDefinitions()) {
      const [, type, name, variantFile] = file.split('/');
      const definition = (await parseYamlWithVenv(meltanoVenv()!, path.join(repoRoot, file))) as Record<
        string,
        unknown
      >;
      assert.equal(definition.name, name);
      assert.equal(`${String(definition.variant)}.yml`, variantFile);
      for (const key of REQUIRED) assert.ok(key in definition, `${file}: ${key} is required`);
      for (const key of Object.keys(definition))
        assert.ok(ALLOWED[type].includes(key), `${file}: ${key} is not allowed`);
      for (const setting of definition.settings as Record<string, unknown>[])
        for (const key of Object.keys(setting)) assert.ok(SETTING_KEYS.includes(key), `${file}: setting key ${key}`);
    }
  });
});
