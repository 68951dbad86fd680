import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { basicCredential } from '../../singer/redact.js';
import { runBin } from '../helpers/run-bin.js';
import { openBackend, runTarget, writeConfig, type TargetBackend } from '../helpers/target-backend.js';
import { captureOutputs } from '../helpers/captured-output.js';

captureOutputs();

const USER = 'wms.reader';
const PASSWORD = 'Tr0ub4dor&3-reliab';
const API_KEY = 'ak-7f3c9e21';

/** Every spelling of a secret a careless component could print. */
function leaks(text: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      if (text.includes(form)) found.push(form);
    }
  }
  return found;
}

describe('reliability: secrets and record values never appear in output (issue 15 item 3)', function () {
  this.timeout(60_000);

  describe('a WMS that echoes the Authorization header', () => {
    let server: http.Server;
    let baseUrl: string;
    before(async () => {
      server = http.createServer((request, response) => {
        const authorization = request.headers.authorization ?? '';
        const credential = authorization.replace(/^Basic /, '');
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            code: 'AUTHENTICATION_FAILED',
            message: `credential ${credential} not accepted for ${authorization} with key ${String(request.headers['x-api-key'])}`,
            details: { headers: { authorization }, echo: credential },
          }),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
    });
    after(() => server.close());

    it('the tap fails with exit 4 and prints neither the Basic credential nor the password', async () => {
      const config = await writeConfig({
        base_url: baseUrl,
        username: USER,
        password: PASSWORD,
        max_retries: 0,
        custom_headers: { 'X-Api-Key': API_KEY },
      });
      const result = await runBin('tap-oracle-wms', ['--config', config, '--discover']);
      assert.equal(result.exitCode, 4, result.stderr);
      assert.match(result.stderr, /401/);
      const output = result.stdout + result.stderr;
      const credential = basicCredential(USER, PASSWORD);
      assert.deepEqual(leaks(output, [PASSWORD, API_KEY, credential, credential.slice(4, -4)]), [], output);
    });
  });

  describe('a record value the database refuses', () => {
    let backend: TargetBackend;
    before(async function () {
      backend = await openBackend(this, 'postgres', 'secerr');
    });
    after(async () => backend?.close());

    it("PostgreSQL's `Failing row contains (…)` for a CHECK the target cannot foresee reaches no output with its value", async () => {
      const value = '8675309421';
      const record = (id: string) => `{"type":"RECORD","stream":"ids","record":{"id":${id}}}`;
      const schema = JSON.stringify({
        type: 'SCHEMA',
        stream: 'ids',
        schema: { properties: { id: { type: 'integer' } } },
        key_properties: ['id'],
      });
      const first = await runTarget(backend.config, `${schema}\n${record('1')}\n`);
      assert.equal(first.exitCode, 0, first.stderr);
      // A rule only the database knows: the target checks integers against the column's type, never against this.
      await backend.query(`ALTER TABLE ${backend.table('ids')} ADD CONSTRAINT ids_small CHECK (id < 1000)`);
      const result = await runTarget(backend.config, `${schema}\n${record('2')}\n${record(value)}\n`);
      assert.equal(result.exitCode, 5, result.stderr);
      assert.match(result.stderr, /ids_small/);
      assert.ok(!(result.stdout + result.stderr).includes(value), result.stderr);
    });
  });
});
