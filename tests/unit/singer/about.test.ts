// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { renderAbout, type PluginInfo } from '../../../singer/about.js';

const info: PluginInfo = {
  name: 'target-oracle',
  description: 'Loads Singer streams into Oracle Database',
  version: '1.2.3',
  capabilities: ['about', 'stream-maps', 'activate-version'],
  settings: {
    type: 'object',
    properties: {
      user: { type: 'string', description: 'Database user', aliases: ['username'] },
      password: { type: 'string', secret: true, writeOnly: true, description: 'Database | password' },
      batch_size_rows: { type: ['integer', 'null'], default: 10000, description: 'Rows per\n batch' },
    },
    required: ['user', 'password'],
  },
};

describe('singer/about: --about formats', () => {
  it('json has the SDK field set, indented by 2, with the settings schema as-is', () => {
    const text = renderAbout(info, 'json');
    const about = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(about), [
      'name',
      'description',
      'version',
      'sdk_version',
      'supported_python_versions',
      'capabilities',
      'settings',
    ]);
    assert.equal(about.name, 'target-oracle');
    assert.equal(about.version, '1.2.3');
    assert.deepEqual(about.capabilities, ['about', 'stream-maps', 'activate-version']);
    assert.deepEqual(about.settings, info.settings);
    assert.match(String(about.sdk_version), /1\.2\.3/);
    assert.ok(text.startsWith('{\n  "name"'));
  });

  it('text lists each setting with its type, flags, default and env var', () => {
    const lines = renderAbout(info, 'text').split('\n');
    assert.equal(lines[0], 'Name: target-oracle');
    assert.ok(lines.includes('Capabilities: about, stream-maps, activate-version'));
    assert.ok(lines.includes('  - user (string, required): Database user [env: TARGET_ORACLE_USER]'), lines.join('\n'));
    assert.ok(
      lines.includes('  - password (string, required, secret): Database | password [env: TARGET_ORACLE_PASSWORD]'),
    );
    assert.ok(
      lines.includes(
        '  - batch_size_rows (integer, default 10000): Rows per batch [env: TARGET_ORACLE_BATCH_SIZE_ROWS]',
      ),
    );
  });

  it('markdown has a capabilities list and a settings table with escaped pipes', () => {
    const markdown = renderAbout(info, 'markdown');
    assert.match(markdown, /^# target-oracle$/m);
    assert.match(markdown, /^\* `activate-version`$/m);
    assert.match(
      markdown,
      /^\| password \| string \| yes \| {2}\| Database \\\| password \(secret\) \| `TARGET_ORACLE_PASSWORD` \|$/m,
    );
    assert.match(
      markdown,
      /^\| batch_size_rows \| integer \| {2}\| 10000 \| Rows per batch \| `TARGET_ORACLE_BATCH_SIZE_ROWS` \|$/m,
    );
    // Each table row has the same number of cells as the header.
    const rows = markdown.split('\n').filter((line) => line.startsWith('|'));
    const cells = (row: string): number => row.replace(/\\\|/g, '').split('|').length;
    assert.ok(rows.every((row) => cells(row) === cells(rows[0])));
  });
});
