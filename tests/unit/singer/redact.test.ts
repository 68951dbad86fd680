// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { renderAbout } from '../../../singer/about.js';
import { createLogger } from '../../../singer/log.js';
import { REDACTED, redactConfig, scrubSecrets, secretValues } from '../../../singer/redact.js';
import type { SettingsSchema } from '../../../singer/settings-schema.js';

const schema: SettingsSchema = {
  type: 'object',
  properties: {
    user: { type: 'string' },
    password: { type: 'string', secret: true },
    client_secret: { type: 'string', writeOnly: true },
    page_size: { type: 'integer' },
  },
};
// Characters that JSON and URLs escape: the scrubber must catch every spelling.
const PASSWORD = 'p@ss"wo\\rd/ü';
const CLIENT_SECRET = 'cs-0123456789';
const config = { user: 'demo', password: PASSWORD, client_secret: CLIENT_SECRET, page_size: 5 };

function stderrOf(env: NodeJS.ProcessEnv, log: (logger: ReturnType<typeof createLogger>) => void): string {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const logger = createLogger({ name: 'tap-x', env, out });
  log(logger);
  return text;
}

function assertNoSecret(text: string): void {
  for (const secret of [PASSWORD, CLIENT_SECRET]) {
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      assert.ok(!text.includes(form), `${JSON.stringify(form)} leaked in ${text}`);
    }
  }
}

describe('singer/redact: secrets never reach stderr or --about', () => {
  it('redactConfig masks secret and writeOnly settings only', () => {
    assert.deepEqual(redactConfig(config, schema), {
      user: 'demo',
      password: REDACTED,
      client_secret: REDACTED,
      page_size: 5,
    });
    assert.deepEqual(redactConfig({ user: 'demo', password: '' }, schema), { user: 'demo', password: '' });
    assert.deepEqual(secretValues(config, schema).sort(), [CLIENT_SECRET, PASSWORD].sort());
  });

  it('scrubs raw, URL-encoded and JSON-escaped spellings', () => {
    const text = `raw ${PASSWORD} url https://x/?p=${encodeURIComponent(PASSWORD)} json ${JSON.stringify({ p: PASSWORD })}`;
    const scrubbed = scrubSecrets(text, [PASSWORD]);
    assertNoSecret(scrubbed);
    assert.equal(scrubbed.split(REDACTED).length - 1, 3);
  });

  it('the logger scrubs messages and extra in plain format, including secrets added after creation', () => {
    const text = stderrOf({}, (logger) => {
      logger.info(`before secrets are known: ${CLIENT_SECRET.slice(0, 3)}`);
      logger.addSecrets(secretValues(config, schema));
      logger.error(`login failed for demo:${PASSWORD}`, {
        url: `https://demo:${encodeURIComponent(PASSWORD)}@wms.test/`,
        config,
      });
      logger.critical(`token ${CLIENT_SECRET} refused`);
    });
    assertNoSecret(text);
    assert.match(text, /^INFO before secrets are known: cs-$/m);
    assert.match(text, /ERROR login failed for demo:\*{8}/);
    assert.match(text, /CRITICAL token \*{8} refused/);
  });

  it('the logger scrubs structured JSON lines and keeps them valid JSON', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'singer-redact-'));
    try {
      const logConfig = path.join(dir, 'logging.json');
      await writeFile(
        logConfig,
        JSON.stringify({ formatters: { json: { '()': 'singer_sdk.logging.StructuredFormatter' } } }),
      );
      const text = stderrOf({ SINGER_SDK_LOG_CONFIG: logConfig }, (logger) => {
        logger.addSecrets([PASSWORD]);
        logger.warning(`retrying with ${PASSWORD}`, { password: PASSWORD });
      });
      assertNoSecret(text);
      const line = JSON.parse(text) as { message: string; extra: { password: string } };
      assert.equal(line.message, `retrying with ${REDACTED}`);
      assert.equal(line.extra.password, REDACTED);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--about (every format) shows secret settings as flagged, without their values', () => {
    const info = { name: 'tap-x', description: 'd', version: '1.0.0', capabilities: ['about'], settings: schema };
    for (const format of ['text', 'json', 'markdown'] as const) {
      const about = renderAbout(info, format);
      assertNoSecret(about);
      assert.match(about, /password/);
    }
    assert.match(renderAbout(info, 'text'), /password \(string, secret\)/);
    assert.equal(
      (JSON.parse(renderAbout(info, 'json')) as { settings: SettingsSchema }).settings.properties.password.secret,
      true,
    );
  });
});
