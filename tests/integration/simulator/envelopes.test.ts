import assert from 'node:assert/strict';
import { request } from 'node:http';
import { SimFixture } from './sim-fixture.js';

/** Raw GET with a chosen Host header (fetch cannot set Host). */
function getWithHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        headers: { Host: host, Authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('wms-simulator over HTTP: routes and envelopes', () => {
  let fx: SimFixture;
  before(async () => {
    fx = await SimFixture.start();
  });
  after(() => fx.close());

  it('entity list is a name → absolute URL dict, sorted, about 311 entries', async () => {
    const page = await fx.get('');
    assert.equal(page.status, 200);
    const names = Object.keys(page.json);
    assert.equal(names.length, 311);
    assert.deepEqual(names, [...names].sort());
    assert.equal(page.json.allocation, `${fx.entityUrl}allocation/`);
    for (const core of [
      'company',
      'facility',
      'item',
      'location',
      'inventory',
      'order_hdr',
      'order_dtl',
      'allocation',
      'container',
      'wave',
      'task',
      'uom',
      'order_status',
    ]) {
      assert.ok(names.includes(core), core);
    }
  });

  it('entity list can be a plain list of names', async () => {
    await fx.admin('PATCH', 'settings', { entityListStyle: 'list' });
    try {
      const page = await fx.get('');
      assert.ok(Array.isArray(page.json));
      assert.equal(page.json.length, 311);
    } finally {
      await fx.admin('PATCH', 'settings', { entityListStyle: 'dict' });
    }
  });

  it('describe has parameters and typed fields; lookups have no timestamps; required can be Y/N', async () => {
    const alloc = (await fx.get('allocation/describe/')).json;
    assert.deepEqual(Object.keys(alloc), ['parameters', 'fields']);
    assert.deepEqual(alloc.fields.id, { type: 'pk', required: true });
    assert.deepEqual(alloc.fields.pick_locn_str, {
      type: 'varchar',
      max_length: 100,
      allow_blank: true,
      required: false,
      default: '',
    });
    assert.deepEqual(alloc.fields.mod_ts, { type: 'datetime', required: false, default: 'now' });
    assert.equal(alloc.fields.order_dtl_id.type, 'relation');
    assert.equal(alloc.fields.alloc_qty.type, 'decimal');
    assert.equal(alloc.fields.is_picking_flg.type, 'boolean');
    assert.equal(alloc.fields.task_seq_nbr.max_value, 99999999999);
    assert.ok(!('url' in alloc.fields));
    const status = (await fx.get('order_status/describe/')).json;
    assert.deepEqual(Object.keys(status.fields), ['id', 'description']);
    const hdr = (await fx.get('order_hdr/describe/')).json;
    assert.ok(
      'facility_id' in hdr.fields && !hdr.parameters.includes('facility_id'),
      'order_hdr: facility in fields, not parameters',
    );
    const container = (await fx.get('container/describe/')).json;
    assert.ok(!('facility_id' in container.fields), 'container: facility only in records');
    assert.deepEqual((await fx.get('iblpn/describe/')).json, container);
    await fx.admin('PATCH', 'settings', { requiredStyle: 'yn' });
    try {
      const yn = (await fx.get('allocation/describe/')).json;
      assert.equal(yn.fields.id.required, 'Y');
      assert.equal(yn.fields.pick_user.required, 'N');
    } finally {
      await fx.admin('PATCH', 'settings', { requiredStyle: 'boolean' });
    }
  });

  it('describe output is deterministic across servers with the default tenant', async () => {
    const other = await SimFixture.start();
    try {
      for (const name of ['allocation', 'order_hdr', 'billing_hdr', 'abc_class']) {
        assert.equal((await other.get(`${name}/describe/`)).text, (await fx.get(`${name}/describe/`)).text, name);
      }
    } finally {
      await other.close();
    }
  });

  it('paged envelope: keys in order, counts, absolute links with sorted keys, previous to page 1 drops page', async () => {
    const page = await fx.get('allocation/?page_size=10&status_id=90&page=2');
    assert.equal(page.status, 200);
    assert.deepEqual(Object.keys(page.json), [
      'result_count',
      'page_count',
      'page_nbr',
      'next_page',
      'previous_page',
      'results',
    ]);
    assert.equal(page.json.page_nbr, 2);
    assert.equal(page.json.page_count, Math.ceil(page.json.result_count / 10));
    assert.equal(page.json.next_page, `${fx.entityUrl}allocation/?page=3&page_size=10&status_id=90`);
    assert.equal(page.json.previous_page, `${fx.entityUrl}allocation/?page_size=10&status_id=90`);
    assert.equal(page.json.results.length, 10);
  });

  it('sequenced envelope: next_page, previous_page, results only; DRF cursor', async () => {
    const first = await fx.get('allocation?page_mode=sequenced&page_size=5&ordering=-id');
    assert.deepEqual(Object.keys(first.json), ['next_page', 'previous_page', 'results']);
    assert.equal(first.json.previous_page, null);
    const next = new URL(first.json.next_page);
    assert.deepEqual([...next.searchParams.keys()], ['cursor', 'ordering', 'page_mode', 'page_size']);
    assert.equal(next.pathname, new URL(`${fx.entityUrl}allocation`).pathname, 'link echoes the request path');
    const lastId = first.json.results[4].id;
    assert.equal(Buffer.from(next.searchParams.get('cursor')!, 'base64').toString(), `p=${lastId}`);
    const second = await fx.get(first.json.next_page);
    assert.ok(second.json.results[0].id < lastId);
    assert.ok(second.json.previous_page, 'second page links back');
    const back = await fx.get(second.json.previous_page);
    assert.deepEqual(
      back.json.results.map((r: { id: number }) => r.id),
      first.json.results.map((r: { id: number }) => r.id),
    );
  });

  it('links echo the Host header and add the port when it is missing', async () => {
    const withPort = await getWithHost(fx.sim.port, '/demo/wms/lgfapi/v10/entity/item/?page_size=1', 'wms.example:443');
    assert.match(
      JSON.parse(withPort.body).next_page,
      /^http:\/\/wms\.example:443\/demo\/wms\/lgfapi\/v10\/entity\/item\/\?page=2&page_size=1$/,
    );
    assert.match(
      JSON.parse(withPort.body).results[0].url,
      /^http:\/\/wms\.example:443\/demo\/wms\/lgfapi\/v10\/entity\/item\/\d+$/,
    );
    const noPort = await getWithHost(fx.sim.port, '/demo/wms/lgfapi/v10/entity/item/?page_size=1', 'localhost');
    assert.ok(JSON.parse(noPort.body).next_page.startsWith(`http://localhost:${fx.sim.port}/`));
  });

  it('page_size: default 50, clamped at 1250, invalid or non-positive → default', async () => {
    const count = async (q: string) => (await fx.get(`allocation/?${q}`)).json.results.length;
    assert.equal(await count(''), 50);
    assert.equal(await count('page_size=2000'), 1250);
    assert.equal(await count('page_size=0'), 50);
    assert.equal(await count('page_size=-3'), 50);
    assert.equal(await count('page_size=abc'), 50);
    assert.equal(await count('page_size=7'), 7);
  });

  it('page past the end → 404 "Invalid page."', async () => {
    const page = await fx.get('company/?page=3');
    assert.equal(page.status, 404);
    assert.equal(page.json.message, 'Invalid page.');
  });

  it('record shape: header keys first, relations {id,key,url}, decimals as strings, µs timestamps with offset', async () => {
    const rec = (await fx.get('allocation/?page_size=3')).json.results[2];
    assert.deepEqual(Object.keys(rec).slice(0, 6), ['id', 'url', 'create_user', 'create_ts', 'mod_user', 'mod_ts']);
    assert.equal(rec.url, `${fx.entityUrl}allocation/${rec.id}`);
    assert.match(rec.mod_ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$/);
    assert.deepEqual(Object.keys(rec.order_dtl_id), ['id', 'key', 'url']);
    assert.match(rec.order_dtl_id.key, /^SO-\d+,\d+$/, 'composite key');
    assert.equal(rec.from_inventory_id.key, '');
    assert.equal(rec.wave_id.url, '', 'allocation wave url is blank, as on real tenants');
    assert.equal(typeof rec.status_id, 'number');
    assert.equal(typeof rec.is_picking_flg, 'boolean');
    assert.equal(rec.alloc_qty, '12345678901234567.891', 'row 3 of allocation carries the big decimal');
    const hdr = (await fx.get('order_hdr/?page_size=1')).json.results[0];
    assert.deepEqual(Object.keys(hdr.order_dtl_set), ['result_count', 'url']);
    assert.equal(hdr.order_dtl_set.url, `${fx.entityUrl}order_dtl/?order_id=${hdr.id}`);
    assert.equal(hdr.order_lock_set, null);
    assert.deepEqual(hdr.order_instructions_set, [], 'an empty set as [], as a real order_hdr row has it');
  });

  it('real-tenant quirks: a field describe marks required is null in some rows; "" relation keys and urls', async () => {
    const describe_ = (await fx.get('order_hdr/describe/')).json;
    assert.equal(describe_.fields.orig_sale_price.required, true);
    const rows = (await fx.get('order_hdr/?page_size=200')).json.results as Record<string, unknown>[];
    const nulls = rows.filter((row) => row.orig_sale_price === null).length;
    assert.ok(nulls > 0 && nulls < rows.length, `${nulls} of ${rows.length} rows have a null orig_sale_price`);
    const allocation = (await fx.get('allocation/?page_size=1')).json.results[0];
    assert.deepEqual([allocation.from_inventory_id.key, allocation.type_id.url], ['', '']);
  });

  it('timestamps carry each facility offset, DST-correct for New York', async () => {
    const facilities = (await fx.get('facility/')).json.results;
    const zones = facilities.map((f: { time_zone_id: { key: string } }) => f.time_zone_id.key);
    assert.deepEqual(zones, ['America/Sao_Paulo', 'America/New_York', 'Asia/Kolkata']);
    const ny = facilities[1].id;
    const summer = await fx.get(`order_hdr/?facility_id=${ny}&mod_ts__month=7&page_size=1`);
    const winter = await fx.get(`order_hdr/?facility_id=${ny}&mod_ts__month=1&page_size=1`);
    assert.ok(summer.json.results[0].mod_ts.endsWith('-04:00'));
    assert.ok(winter.json.results[0].mod_ts.endsWith('-05:00'));
    const pune = await fx.get(`order_hdr/?facility_id=${facilities[2].id}&page_size=1`);
    assert.ok(pune.json.results[0].mod_ts.endsWith('+05:30'));
  });

  it('retrieve and HEAD, with Last-Modified and If-Modified-Since', async () => {
    const first = (await fx.get('item/?page_size=1')).json.results[0];
    const one = await fx.get(`item/${first.id}/`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, first);
    assert.ok(one.headers.get('last-modified'));
    assert.equal((await fx.get(`item/${first.id}`, { method: 'HEAD' })).status, 200);
    assert.equal((await fx.get('item/1/', { method: 'HEAD' })).status, 404);
    assert.equal((await fx.get('item/?code=nope', { method: 'HEAD' })).status, 404);
    assert.equal((await fx.get('item/', { method: 'HEAD' })).status, 200);
    assert.equal(
      (await fx.get(`item/${first.id}/`, { method: 'HEAD', headers: { 'If-Modified-Since': '2030-01-01T00:00:00Z' } }))
        .status,
      304,
    );
    assert.equal(
      (await fx.get(`item/${first.id}/`, { method: 'HEAD', headers: { 'If-Modified-Since': '2000-01-01T00:00:00Z' } }))
        .status,
      200,
    );
    assert.equal(
      (await fx.get(`item/${first.id}/`, { method: 'HEAD', headers: { 'If-Modified-Since': 'yesterday' } })).status,
      400,
    );
  });

  it('trailing slash optional, // tolerated, format=json and .json accepted', async () => {
    const base = (await fx.get('uom/')).text;
    assert.equal(JSON.parse((await fx.get('uom')).text).result_count, JSON.parse(base).result_count);
    assert.equal((await fx.get(`${fx.sim.baseUrl}/wms/lgfapi/v10/entity//uom/describe/`)).status, 200);
    assert.equal((await fx.get('uom/?format=json')).status, 200);
    assert.equal((await fx.get('uom/.json')).status, 200);
    assert.equal((await fx.get('uom/?format=xml')).status, 400);
  });

  it('unknown entity → 404 with the error body', async () => {
    const page = await fx.get('shipment/');
    assert.equal(page.status, 404);
    assert.deepEqual(Object.keys(page.json), ['reference', 'code', 'message']);
    assert.match(page.json.reference, /^[0-9a-f-]{36}$/);
  });

  it('describe-only entities have a describe and an empty list (404)', async () => {
    assert.equal((await fx.get('vendor/describe/')).status, 200);
    assert.equal((await fx.get('vendor/')).status, 404);
  });

  it('fields projection, image_data only on request, values_list with aliases and distinct', async () => {
    const projected = (await fx.get('item/?fields=id,code&page_size=2')).json.results[0];
    assert.deepEqual(Object.keys(projected), ['id', 'code']);
    assert.ok(!('image_data' in (await fx.get('item/?page_size=1')).json.results[0]));
    assert.ok('image_data' in (await fx.get('item/?fields=id,image_data&page_size=1')).json.results[0]);
    const vl = (await fx.get('order_dtl/?values_list=id,order_id,order_id__facility_id__code:fac&page_size=2')).json
      .results[0];
    assert.deepEqual(Object.keys(vl), ['id', 'order_id', 'fac']);
    assert.equal(typeof vl.order_id, 'number', 'relations are bare ids');
    assert.match(vl.fac, /^DC0\d$/);
    const distinct = (await fx.get('order_hdr/?values_list=facility_id&distinct=true&page_size=100')).json;
    assert.equal(distinct.result_count, 3);
    assert.equal((await fx.get('item/?values_list=id:a,code:a')).status, 400);
    assert.equal((await fx.get('order_hdr/?values_list=order_dtl_set')).status, 400);
    assert.equal((await fx.get('item/?fields=nope')).status, 400);
  });

  it('methods other than GET/HEAD → 405', async () => {
    const page = await fx.get('item/', { method: 'PATCH' });
    assert.equal(page.status, 405);
    assert.equal(page.json.code, 'METHOD_NOT_ALLOWED');
  });
});
