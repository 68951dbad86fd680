import assert from 'node:assert/strict';
import { SimFixture } from './sim-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<Record<string, any>> => (await res.json()) as Record<string, any>;
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('wms-simulator over HTTP: authentication', () => {
  let fx: SimFixture;
  before(async () => {
    fx = await SimFixture.start({ tokenTtlSeconds: 600 });
  });
  after(() => fx.close());

  const token = (body: Record<string, string>, client = basic('demo-client', 'demo-secret')) =>
    fetch(`${fx.sim.baseUrl}/api/oauth2/token/`, {
      method: 'POST',
      headers: { Authorization: client, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });

  it('401 with the error body when credentials are missing or wrong', async () => {
    const missing = await fx.get('item/', { auth: null });
    assert.equal(missing.status, 401);
    assert.equal(missing.json.code, 'NOT_AUTHENTICATED');
    assert.ok(missing.headers.get('www-authenticate'));
    const wrong = await fx.get('item/', { auth: basic('demo', 'nope') });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.code, 'AUTHENTICATION_FAILED');
    assert.equal((await fx.get('item/', { auth: 'Bearer not-a-token' })).status, 401);
  });

  it('403 for a user without read permission', async () => {
    const page = await fx.get('item/', { auth: basic('noread', 'noread') });
    assert.equal(page.status, 403);
    assert.equal(page.json.code, 'PERMISSION_DENIED');
  });

  it('password grant issues a bearer token that works, then expires when the clock moves past its TTL', async () => {
    const res = await token({ grant_type: 'password', username: 'demo', password: 'demo' });
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.deepEqual(Object.keys(body).slice(0, 4), ['access_token', 'token_type', 'expires_in', 'refresh_token']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 600);
    assert.equal((await fx.get('item/', { auth: `Bearer ${body.access_token}` })).status, 200);
    await fx.admin('POST', 'clock', { advanceSeconds: 599 });
    assert.equal((await fx.get('item/', { auth: `Bearer ${body.access_token}` })).status, 200);
    await fx.admin('POST', 'clock', { advanceSeconds: 2 });
    const expired = await fx.get('item/', { auth: `Bearer ${body.access_token}` });
    assert.equal(expired.status, 401);
    assert.equal(expired.json.message, 'Token has expired.');
    const refreshed = await json(await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token }));
    assert.equal((await fx.get('item/', { auth: `Bearer ${refreshed.access_token}` })).status, 200);
  });

  it('client_credentials grant is accepted', async () => {
    const res = await token({ grant_type: 'client_credentials' });
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.equal((await fx.get('item/', { auth: `Bearer ${body.access_token}` })).status, 200);
  });

  it('token endpoint refuses bad clients, bad users and unknown grants', async () => {
    assert.equal(
      (await token({ grant_type: 'password', username: 'demo', password: 'demo' }, basic('demo-client', 'x'))).status,
      401,
    );
    const badUser = await token({ grant_type: 'password', username: 'demo', password: 'x' });
    assert.equal(badUser.status, 400);
    assert.equal((await json(badUser)).error, 'invalid_grant');
    assert.equal((await token({ grant_type: 'implicit' })).status, 400);
  });

  it('users are configurable', async () => {
    const other = await SimFixture.start({ users: [{ username: 'etl', password: 's3cret-for-test', canRead: true }] });
    try {
      assert.equal((await other.get('item/', { auth: basic('etl', 's3cret-for-test') })).status, 200);
      assert.equal((await other.get('item/')).status, 401, 'demo is gone once users are given');
    } finally {
      await other.close();
    }
  });

  it('binds 127.0.0.1 by default', () => {
    assert.ok(fx.sim.url.startsWith('http://127.0.0.1:'));
  });
});
