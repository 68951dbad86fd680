import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../../bin/wms-simulator.js', import.meta.url));

describe('wms-simulator CLI (real process)', function () {
  this.timeout(20000);

  it('prints the base URL and demo credentials, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [BIN, '--port', '0', '--env', 'demo_env', '--rows', 'allocation=1000000', '--faults', 'item:500@1'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const baseUrl = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /base_url=(\S+)/.exec(out);
        if (m && out.includes('admin:')) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/demo_env$/);
    assert.match(out, /basic auth: demo \/ demo/);
    assert.match(out, /demo-client/);
    const auth = { Authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` };
    const page = await (
      await fetch(`${baseUrl}/wms/lgfapi/v10/entity/allocation/?page_size=1`, { headers: auth })
    ).json();
    assert.equal((page as { result_count: number }).result_count, 1000000);
    assert.equal((await fetch(`${baseUrl}/wms/lgfapi/v10/entity/item/`, { headers: auth })).status, 500);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    assert.equal(code, 0);
  });

  it('refuses bad arguments with the configuration exit code', async () => {
    const child = spawn(process.execPath, [BIN, '--rows', 'nonsense=5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(err, /not a generated entity/);
  });
});
