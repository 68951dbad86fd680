import assert from 'node:assert/strict';
import { SimFixture } from './sim-fixture.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

/** Epoch µs of a WMS timestamp string. */
const us = (ts: string) => Date.parse(ts) * 1000 + (Number(ts.slice(20, 26)) % 1000);
/** Wall-clock parts in the tenant zone (America/Sao_Paulo, fixed -03:00 since 2019). */
const sp = (ts: string) => new Date(Date.parse(ts) - 3 * 3600 * 1000);

describe('wms-simulator over HTTP: filters and lookups (checked against the full list)', function () {
  this.timeout(30000);
  let fx: SimFixture;
  let orders: Rec[];
  let facilities: Rec[];
  before(async () => {
    fx = await SimFixture.start({ emptyList200: true });
    orders = (await fx.drain(`${fx.entityUrl}order_hdr/?page_size=1250`)).records;
    facilities = (await fx.get('facility/')).json.results;
  });
  after(() => fx.close());

  const ids = async (query: string) => {
    const { records } = await fx.drain(`${fx.entityUrl}order_hdr/?page_size=1250&${query}`);
    return records.map((r) => r.id as number);
  };

  // [query, expected predicate over full records]
  const mid = () => orders[500];
  const cases: [string, () => string, (r: Rec) => boolean][] = [
    ['exact (implicit)', () => `status_id=${mid().status_id}`, (r) => r.status_id === mid().status_id],
    ['exact on text', () => `order_nbr=${mid().order_nbr}`, (r) => r.order_nbr === mid().order_nbr],
    ['iexact', () => `cust_name__iexact=loja CENTRO`, (r) => r.cust_name === 'Loja Centro'],
    ['contains', () => 'cust_name__contains=Loja', (r) => r.cust_name.includes('Loja')],
    ['icontains', () => 'cust_name__icontains=loja', (r) => r.cust_name.toLowerCase().includes('loja')],
    ['startswith', () => 'order_nbr__startswith=SO-10001', (r) => r.order_nbr.startsWith('SO-10001')],
    ['istartswith', () => 'cust_name__istartswith=MER', (r) => r.cust_name.toLowerCase().startsWith('mer')],
    ['endswith', () => 'order_nbr__endswith=7', (r) => r.order_nbr.endsWith('7')],
    ['iendswith', () => 'cust_name__iendswith=SUL', (r) => r.cust_name.toLowerCase().endsWith('sul')],
    ['gt on id', () => `id__gt=${mid().id}`, (r) => r.id > mid().id],
    [
      'gte/lte on id',
      () => `id__gte=${orders[100].id}&id__lte=${orders[200].id}`,
      (r) => r.id >= orders[100].id && r.id <= orders[200].id,
    ],
    ['lt on int', () => 'priority__lt=3', (r) => r.priority < 3],
    ['gte on decimal', () => 'orig_sale_price__gte=5000.5', (r) => Number(r.orig_sale_price) >= 5000.5],
    ['in', () => 'status_id__in=0,90', (r) => r.status_id === 0 || r.status_id === 90],
    ['range (inclusive)', () => 'priority__range=2,4', (r) => r.priority >= 2 && r.priority <= 4],
    ['isnull true', () => 'cust_decimal_1__isnull=true', (r) => r.cust_decimal_1 === null],
    ['isnull false', () => 'order_shipped_ts__isnull=false', (r) => r.order_shipped_ts !== null],
    ['relation by id', () => `facility_id=${facilities[0].id}`, (r) => r.facility_id.id === facilities[0].id],
    ['relation traversal', () => 'facility_id__code=DC02', (r) => r.facility_id.key === 'DC02'],
    [
      'two-level traversal',
      () => 'facility_id__parent_company_id__code=ACME',
      (r) => facilities.find((f) => f.id === r.facility_id.id)!.parent_company_id.key === 'ACME',
    ],
    ['negation', () => 'status_id!=90', (r) => r.status_id !== 90],
    ['negated in', () => 'status_id__in!=0,10,20', (r) => ![0, 10, 20].includes(r.status_id)],
    ['boolean', () => 'stop_ship_flg=true', (r) => r.stop_ship_flg === true],
    ['date gte', () => 'ord_date__gte=2025-03-01', (r) => r.ord_date >= '2025-03-01'],
    [
      'aware timestamp',
      () => `mod_ts__gte=${encodeURIComponent(mid().mod_ts)}`,
      (r) => us(r.mod_ts) >= us(mid().mod_ts),
    ],
    [
      'naive timestamp in tenant zone',
      () => 'mod_ts__lt=2025-01-01T00:00:00',
      (r) => us(r.mod_ts) < Date.parse('2025-01-01T03:00:00Z') * 1000,
    ],
    [
      'Z timestamp with microseconds',
      () => 'create_ts__gte=2025-02-01T00:00:00.500000Z',
      (r) => us(r.create_ts) >= Date.parse('2025-02-01T00:00:00.500Z') * 1000,
    ],
    ['year', () => 'mod_ts__year=2024', (r) => sp(r.mod_ts).getUTCFullYear() === 2024],
    ['month', () => 'mod_ts__month=2', (r) => sp(r.mod_ts).getUTCMonth() + 1 === 2],
    ['day', () => 'mod_ts__day=15', (r) => sp(r.mod_ts).getUTCDate() === 15],
    ['week_day (1 = Sunday)', () => 'mod_ts__week_day=1', (r) => sp(r.mod_ts).getUTCDay() === 0],
    ['hour', () => 'mod_ts__hour=13', (r) => sp(r.mod_ts).getUTCHours() === 13],
    ['minute with gte', () => 'mod_ts__minute__gte=58', (r) => sp(r.mod_ts).getUTCMinutes() >= 58],
    ['reverse child set', () => 'orderdtl__isnull=false', (r) => r.order_dtl_set !== null],
    ['repeated key: last wins', () => 'status_id=0&status_id=90', (r) => r.status_id === 90],
    ['plus decodes to a space', () => 'cust_name=Loja+Centro', (r) => r.cust_name === 'Loja Centro'],
    [
      'several filters ANDed',
      () => 'facility_id__code=DC01&priority__gte=5&status_id!=0',
      (r) => r.facility_id.key === 'DC01' && r.priority >= 5 && r.status_id !== 0,
    ],
  ];

  for (const [label, query, predicate] of cases) {
    it(label, async () => {
      const expected = orders.filter(predicate).map((r) => r.id);
      assert.ok(expected.length > 0, 'the case must match some rows to prove anything');
      assert.deepEqual(await ids(query()), expected);
    });
  }

  it('ordering by several fields with - for descending', async () => {
    const { records } = await fx.drain(`${fx.entityUrl}order_hdr/?page_size=1250&ordering=-priority,order_nbr`);
    const expected = [...orders].sort((a, b) => b.priority - a.priority || (a.order_nbr < b.order_nbr ? -1 : 1));
    assert.deepEqual(
      records.map((r) => r.id),
      expected.map((r) => r.id),
    );
  });

  it('relation traversal from order_dtl to the facility (order_id__facility_id__code)', async () => {
    const dtl = await fx.drain(
      `${fx.entityUrl}order_dtl/?page_size=1250&order_id__facility_id__code=DC03&fields=id,order_id`,
    );
    const dc03 = new Set(orders.filter((o) => o.facility_id.key === 'DC03').map((o) => o.id));
    assert.ok(dtl.records.length > 0);
    assert.ok(dtl.records.every((d) => dc03.has(d.order_id.id)));
  });

  const bad: [string, string][] = [
    ['unknown field', 'nope=1'],
    ['unknown lookup', 'priority__like=1'],
    ['bad integer', 'priority=abc'],
    ['bad date-time', 'mod_ts__gte=yesterday'],
    ['raw + in an offset decodes to a space', 'mod_ts__gte=2025-01-01T00:00:00+00:00'],
    ['null is not a date', 'order_shipped_ts=null'],
    ['text lookup on a number', 'priority__contains=1'],
    ['bad boolean', 'stop_ship_flg=maybe'],
    ['unknown ordering field', 'ordering=nope'],
  ];
  for (const [label, query] of bad) {
    it(`400 VALIDATION_ERROR: ${label}`, async () => {
      const page = await fx.get(`order_hdr/?${query}`);
      assert.equal(page.status, 400);
      assert.deepEqual(Object.keys(page.json), ['reference', 'code', 'message', 'details']);
      assert.equal(page.json.code, 'VALIDATION_ERROR');
    });
  }

  it('strict-seconds rejects sub-second precision, accepts whole seconds', async () => {
    await fx.admin('PATCH', 'settings', { strictSeconds: true });
    try {
      assert.equal((await fx.get('order_hdr/?mod_ts__gte=2025-01-01T00:00:00.5Z')).status, 400);
      assert.equal((await fx.get('order_hdr/?mod_ts__gte=2025-01-01T00:00:00Z')).status, 200);
    } finally {
      await fx.admin('PATCH', 'settings', { strictSeconds: false });
    }
  });

  it('an empty filtered list is 404 with the error body by default, 200 [] with the switch', async () => {
    await fx.admin('PATCH', 'settings', { emptyList200: false });
    const empty = await fx.get('order_hdr/?order_nbr=none');
    assert.equal(empty.status, 404);
    assert.equal(empty.json.code, 'NOT_FOUND');
    const seq = await fx.get('order_hdr/?order_nbr=none&page_mode=sequenced');
    assert.equal(seq.status, 404);
    await fx.admin('PATCH', 'settings', { emptyList200: true });
    const ok = await fx.get('order_hdr/?order_nbr=none');
    assert.equal(ok.status, 200);
    assert.equal(ok.json.result_count, 0);
    assert.deepEqual(ok.json.results, []);
  });

  it('empty_response_http_code (26A) picks the empty answer per request: 200 [], 204 no body, 404; rows unchanged', async () => {
    await fx.admin('PATCH', 'settings', { emptyList200: false });
    try {
      for (const mode of ['paged', 'sequenced']) {
        const ok = await fx.get(`order_hdr/?order_nbr=none&page_mode=${mode}&empty_response_http_code=200`);
        assert.equal(ok.status, 200, mode);
        assert.deepEqual(ok.json.results, []);
        assert.equal(ok.json.next_page, null);
        const none = await fx.get(`order_hdr/?order_nbr=none&page_mode=${mode}&empty_response_http_code=204`);
        assert.equal(none.status, 204, mode);
        assert.equal(none.text, '');
        assert.equal(none.headers.get('content-length'), null);
        const old = await fx.get(`order_hdr/?order_nbr=none&page_mode=${mode}&empty_response_http_code=404`);
        assert.equal(old.status, 404, mode);
        assert.equal(old.json.code, 'NOT_FOUND');
      }
      // Not a filter: a matching list is the same with or without it, and its next_page keeps it.
      const plain = await fx.get('order_hdr/?page_size=2&ordering=id');
      const asked = await fx.get('order_hdr/?page_size=2&ordering=id&empty_response_http_code=200');
      assert.deepEqual(asked.json.results, plain.json.results);
      assert.match(asked.json.next_page, /empty_response_http_code=200/);
      // A wrong environment segment or an unknown entity is still 404, whatever the parameter.
      assert.equal((await fx.get('no_such_entity/?empty_response_http_code=200')).status, 404);
      const wrongEnv = `${fx.sim.url}/wrong/wms/lgfapi/v10/entity/order_hdr/?empty_response_http_code=200`;
      assert.equal((await fx.get(wrongEnv)).status, 404);
      const bad = await fx.get('order_hdr/?empty_response_http_code=201');
      assert.equal(bad.status, 400);
      assert.match(bad.text, /empty_response_http_code/);
    } finally {
      await fx.admin('PATCH', 'settings', { emptyList200: true });
    }
  });
});
