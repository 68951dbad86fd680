// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { castEnvValue, loadConfig, validateConfig } from '../../../singer/config.js';
import { ConfigError } from '../../../singer/errors.js';
import { envPrefix, settingEnvVar, type SettingSchema, type SettingsSchema } from '../../../singer/settings-schema.js';

const PLUGIN = 'tap-oracle-wms';
const schema: SettingsSchema = {
  type: 'object',
  properties: {
    base_url: { type: 'string', format: 'uri', description: 'WMS base URL' },
    user: { type: 'string', aliases: ['username'] },
    password: { type: 'string', secret: true, writeOnly: true },
    page_size: { type: 'integer', default: 1000, minimum: 1 },
    rate: { type: 'number' },
    verify_ssl: { type: 'boolean', default: true },
    facilities: { type: 'array', items: { type: 'string' } },
    headers: { type: 'object' },
    mode: { type: 'string', enum: ['full', 'incremental'], default: 'incremental' },
  },
  required: ['base_url', 'user', 'password'],
};

const BASE = { base_url: 'https://wms.example.test/demo', user: 'demo', password: 'demo-secret-pw' };

describe('singer/config: loadConfig', () => {
  let dir: string;
  const file = async (name: string, content: unknown): Promise<string> => {
    const target = path.join(dir, name);
    await writeFile(target, typeof content === 'string' ? content : JSON.stringify(content));
    return target;
  };
  const load = (sources: string[], env: NodeJS.ProcessEnv = {}) =>
    loadConfig(sources, { pluginName: PLUGIN, schema, env, cwd: dir });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'singer-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('merges repeated --config files, later wins, and applies defaults', async () => {
    const first = await file('a.json', { ...BASE, page_size: 10, mode: 'full' });
    const second = await file('b.json', { page_size: 20 });
    const { config, unknownKeys } = await load([first, second]);
    assert.deepEqual(config, { ...BASE, page_size: 20, mode: 'full', verify_ssl: true });
    assert.deepEqual(unknownKeys, []);
    assert.ok(Object.isFrozen(config));
  });

  it('resolves relative paths against cwd and reports unknown keys without failing', async () => {
    await file('c.json', { ...BASE, surprise: 1 });
    const { config, unknownKeys } = await load(['c.json']);
    assert.equal(config.surprise, 1);
    assert.deepEqual(unknownKeys, ['surprise']);
  });

  it('resolves aliases; a later file using the alias beats an earlier file using the name', async () => {
    const first = await file('a.json', { ...BASE, user: 'old' });
    const second = await file('b.json', { username: 'new' });
    const { config } = await load([first, second]);
    assert.equal(config.user, 'new');
    assert.ok(!('username' in config));
  });

  it('--config ENV reads <PLUGIN>_<SETTING> variables and casts them by type', async () => {
    const env = {
      TAP_ORACLE_WMS_BASE_URL: BASE.base_url,
      TAP_ORACLE_WMS_USER: 'demo',
      TAP_ORACLE_WMS_PASSWORD: 'demo-secret-pw',
      TAP_ORACLE_WMS_PAGE_SIZE: '250',
      TAP_ORACLE_WMS_RATE: '2.5',
      TAP_ORACLE_WMS_VERIFY_SSL: 'off',
      TAP_ORACLE_WMS_FACILITIES: 'DC01, DC02,DC03',
      TAP_ORACLE_WMS_HEADERS: '{"X-Tenant":"demo"}',
      OTHER_PLUGIN_USER: 'ignored',
    };
    const { config } = await load(['ENV'], env);
    assert.deepEqual(config, {
      ...BASE,
      page_size: 250,
      rate: 2.5,
      verify_ssl: false,
      facilities: ['DC01', 'DC02', 'DC03'],
      headers: { 'X-Tenant': 'demo' },
      mode: 'incremental',
    });
  });

  it('reads a .env file in cwd; the environment wins over .env', async () => {
    await file(
      '.env',
      `TAP_ORACLE_WMS_BASE_URL=${BASE.base_url}\nTAP_ORACLE_WMS_USER=from-dotenv\nTAP_ORACLE_WMS_PASSWORD=demo-secret-pw\nTAP_ORACLE_WMS_PAGE_SIZE=7\n`,
    );
    const { config } = await load(['ENV'], { TAP_ORACLE_WMS_USER: 'from-env' });
    assert.equal(config.user, 'from-env');
    assert.equal(config.page_size, 7);
  });

  it('an alias in the environment beats the canonical name in .env; the canonical name beats the alias in one source', async () => {
    await file('.env', 'TAP_ORACLE_WMS_USER=from-dotenv\n');
    const base = { TAP_ORACLE_WMS_BASE_URL: BASE.base_url, TAP_ORACLE_WMS_PASSWORD: 'x' };
    assert.equal((await load(['ENV'], { ...base, TAP_ORACLE_WMS_USERNAME: 'alias-env' })).config.user, 'alias-env');
    assert.equal(
      (await load(['ENV'], { ...base, TAP_ORACLE_WMS_USERNAME: 'alias-env', TAP_ORACLE_WMS_USER: 'name-env' })).config
        .user,
      'name-env',
    );
  });

  it('sources apply in order: a file after ENV wins, ENV after a file wins', async () => {
    const f = await file('a.json', { ...BASE, page_size: 1 });
    const env = { TAP_ORACLE_WMS_PAGE_SIZE: '2' };
    assert.equal((await load(['ENV', f], env)).config.page_size, 1);
    assert.equal((await load([f, 'ENV'], env)).config.page_size, 2);
  });

  it('reports every problem at once and never prints a value', async () => {
    const f = await file('a.json', {
      base_url: 'not a url',
      password: 12345,
      page_size: 0,
      mode: 'sideways',
      verify_ssl: 'maybe-secret-ish',
    });
    await assert.rejects(load([f]), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join('\n');
      for (const expected of [
        /'user' is required/,
        /'base_url' must match format "uri"/,
        /'password' must be string/,
        /'page_size' must be >= 1/,
        /'mode' must be one of: full, incremental/,
        /'verify_ssl' must be boolean/,
      ]) {
        assert.match(text, expected);
      }
      assert.equal(error.problems.length, 6);
      for (const value of ['not a url', '12345', 'sideways', 'maybe-secret-ish'])
        assert.ok(!error.message.includes(value), value);
      assert.equal(error.exitCode, 2);
      return true;
    });
  });

  it('reports every unreadable or invalid file together', async () => {
    const badJson = await file('bad.json', '{"user": ');
    const array = await file('array.json', '[1]');
    await assert.rejects(load([path.join(dir, 'missing.json'), badJson, array]), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 3);
      assert.match(error.problems[0], /cannot read config file .*missing\.json \(ENOENT\)/);
      assert.match(error.problems[1], /bad\.json is not valid JSON/);
      assert.match(error.problems[2], /array\.json must hold a JSON object/);
      return true;
    });
  });

  it('an uncastable environment value fails validation by setting name', async () => {
    await assert.rejects(
      load(['ENV'], { ...envOf(BASE), TAP_ORACLE_WMS_PAGE_SIZE: 'lots', TAP_ORACLE_WMS_VERIFY_SSL: 'perhaps' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual([...error.problems].sort(), ["'page_size' must be integer", "'verify_ssl' must be boolean"]);
        return true;
      },
    );
  });
});

function envOf(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [settingEnvVar(PLUGIN, key), value]));
}

describe('singer/config: casts and names', () => {
  const table: [string, SettingSchema, unknown][] = [
    ['42', { type: 'integer' }, 42],
    ['-7', { type: ['integer', 'null'] }, -7],
    ['4.5', { type: 'integer' }, '4.5'],
    ['1e3', { type: 'number' }, 1000],
    ['', { type: 'number' }, ''],
    ['true', { type: 'boolean' }, true],
    ['1', { type: 'boolean' }, true],
    ['YES', { type: 'boolean' }, true],
    ['on', { type: 'boolean' }, true],
    ['false', { type: 'boolean' }, false],
    ['0', { type: 'boolean' }, false],
    ['no', { type: 'boolean' }, false],
    ['Off', { type: 'boolean' }, false],
    ['maybe', { type: 'boolean' }, 'maybe'],
    ['["a","b"]', { type: 'array' }, ['a', 'b']],
    ['a, b ,c', { type: 'array' }, ['a', 'b', 'c']],
    ['', { type: 'array' }, []],
    ['{"a":{"b":1}}', { type: 'object' }, { a: { b: 1 } }],
    ['{broken', { type: 'object' }, '{broken'],
    [' keep spaces ', { type: 'string' }, ' keep spaces '],
  ];
  for (const [raw, setting, expected] of table) {
    it(`casts ${JSON.stringify(raw)} as ${JSON.stringify(setting)}`, () =>
      assert.deepEqual(castEnvValue(raw, setting), expected));
  }

  it('names variables like Meltano (non-alphanumerics → _, upper-case)', () => {
    assert.equal(envPrefix('tap-oracle-wms'), 'TAP_ORACLE_WMS');
    assert.equal(settingEnvVar('target-oracle', 'batch_size_rows'), 'TARGET_ORACLE_BATCH_SIZE_ROWS');
    assert.equal(settingEnvVar('tap-oracle-wms', 'auth.client-id'), 'TAP_ORACLE_WMS_AUTH_CLIENT_ID');
  });

  it('validateConfig applies defaults without mutating its input', () => {
    const input = { ...BASE };
    const { config } = validateConfig(input, schema);
    assert.equal(config.page_size, 1000);
    assert.ok(!('page_size' in input));
  });
});
