// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { renderAbout } from '../../../singer/about.js';
import { createLogger } from '../../../singer/log.js';
import { basicCredential, REDACTED, redactConfig, scrubSecrets, secretValues } from '../../../singer/redact.js';
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

  describe('masks secrets where they appear, without corrupting other text', () => {
    it('a short password does not mangle words, metric names or URL paths', () => {
      const lines = [
        'METRIC: {"type":"timer","metric":"http_request_duration","value":0.2}',
        'Activated version 3 of stream allocation: 2 older rows emitted',
        'GET http://127.0.0.1:8765/demo/wms/lgfapi/v10/entity/allocation/?page_size=100: 500',
        'Loading stream order_hdr into table "wms_demo"."order_hdr"',
      ];
      for (const secret of ['p', 'mitt', 'demo', 'wms', 'hdr']) {
        for (const line of lines) assert.equal(scrubSecrets(line, [secret]), line, `${secret} in ${line}`);
      }
    });

    it('a password equal to a path segment leaves paths written without their scheme intact', () => {
      // The tap's own lines: retry warnings and errors print the request path without origin or query values, the
      // metric tags an endpoint; the simulator's default user is demo/demo on environment `demo`.
      const lines = [
        'GET /demo/wms/lgfapi/v10/entity/allocation/?page_size&page_mode: HTTP 500 (INTERNAL_SERVER_ERROR); retry 1/5',
        'WARNING entity/demo/describe: HTTP 401, fetching a fresh token',
        'GET 127.0.0.1:8765/demo/wms/lgfapi/v10/entity/ failed',
        '{"next_page":"http:\\/\\/127.0.0.1:8765\\/demo\\/wms\\/lgfapi\\/v10\\/entity\\/item?cursor=cD0x"}',
        'GET /demo?page_size failed',
      ];
      for (const line of lines) assert.equal(scrubSecrets(line, ['demo']), line);
      // The same secret after a slash but not between two (user/password, an Oracle connect string) is masked.
      assert.equal(scrubSecrets('connect scott/demo@db:1521/svc', ['demo']), `connect scott/${REDACTED}@db:1521/svc`);
      assert.equal(
        scrubSecrets('login with demo/demo refused', ['demo']),
        `login with ${REDACTED}/${REDACTED} refused`,
      );
    });

    it('a secret standing as a token of prose is masked, inside a word it is not', () => {
      assert.equal(scrubSecrets('login demo/s3cr3t refused', ['s3cr3t']), `login demo/${REDACTED} refused`);
      assert.equal(scrubSecrets('xs3cr3t s3cr3tx', ['s3cr3t']), 'xs3cr3t s3cr3tx');
    });

    it('a long secret is masked anywhere, URL paths included (a webhook URL is a secret)', () => {
      const hook = 'T0000/B0000/abcdefghijklmnopqrstuvwx';
      assert.equal(
        scrubSecrets(`POST https://hooks.slack.test/services/${hook} failed`, [hook]),
        `POST https://hooks.slack.test/services/${REDACTED} failed`,
      );
    });

    it('URL userinfo, credential headers and secret-named keys are masked whatever their value', () => {
      assert.equal(
        scrubSecrets('GET https://api:hunter2@wms.test/x and postgres://u:p%40ss@db:5432/x', []),
        `GET https://api:${REDACTED}@wms.test/x and postgres://u:${REDACTED}@db:5432/x`,
      );
      assert.equal(
        scrubSecrets('{"headers":{"Authorization":"Bearer eyJ.abc","X-Api-Key":"k-1"},"user":"demo"}', []),
        `{"headers":{"Authorization":"Bearer ${REDACTED}","X-Api-Key":"${REDACTED}"},"user":"demo"}`,
      );
      assert.equal(scrubSecrets('authorization: Basic QWxhZGRpbjpvcGVu', []), `authorization: Basic ${REDACTED}`);
      const json = JSON.stringify({ password: 'x"y', oauth_client_secret: 'z', token_type: null, page_size: 5 });
      const scrubbed = scrubSecrets(json, []);
      assert.deepEqual(JSON.parse(scrubbed), {
        password: REDACTED,
        oauth_client_secret: REDACTED,
        token_type: null,
        page_size: 5,
      });
      // The same, as escaped JSON inside a JSON log line.
      const nested = JSON.stringify({ message: json });
      assert.equal(JSON.parse(scrubSecrets(nested, [])).message, scrubbed);
      assert.equal(scrubSecrets('retry with client_secret=abc&x=1', []), `retry with client_secret=${REDACTED}&x=1`);
    });

    it('a query value equal to a secret is masked, its key and the rest of the URL kept', () => {
      assert.equal(
        scrubSecrets('GET https://wms.test/demo/x?u=demo&p=pw%2Fdemo#f', ['pw/demo']),
        `GET https://wms.test/demo/x?u=demo&p=${REDACTED}#f`,
      );
    });

    it('the Basic credential of any user with the password is masked, echoed bare, whatever the alignment', () => {
      for (const user of ['a', 'ab', 'abc', 'demo', 'wms.reader@acme']) {
        for (const password of ['s3cr3t', 'pä55 wörd!', 'correct horse battery staple']) {
          const credential = basicCredential(user, password);
          const echo = `401 — invalid header (got Basic ${credential}); ${JSON.stringify({ auth: `Basic ${credential}` })}`;
          const scrubbed = scrubSecrets(echo, [password]);
          assert.ok(!scrubbed.includes(credential), scrubbed);
          assert.ok(!scrubbed.includes(credential.slice(0, -4)), scrubbed);
          assert.match(scrubbed, /^401 — invalid header \(got Basic \*{8}\); \{"auth":"Basic \*{8}"\}$/);
        }
      }
    });
  });
});
