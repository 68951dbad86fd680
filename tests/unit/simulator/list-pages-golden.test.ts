import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FaultPlan } from '../../../wms-simulator/fault-plan.js';
import { QueryString } from '../../../wms-simulator/query-string.js';
import { resolveOptions } from '../../../wms-simulator/simulator-options.js';
import { Tenant } from '../../../wms-simulator/tenant.js';
import { WmsApi, type ApiRequest } from '../../../wms-simulator/wms-api.js';

/**
 * The simulator's list pages are golden (catalogs and integration tests compare them byte for byte), and its
 * rendering path is tuned for CPU. This pins the exact text of a spread of pages: every generated entity's first
 * pages, sequenced cursor pages, fields= and values_list projections, a non-monotone ordering and a retrieve.
 * The expected digest was produced by the plain renderer (before any rendering shortcut); if a change to the data
 * itself is intended, recompute it and say so in the commit.
 */
const EXPECTED = '8f8a9f3297a384760fa9355bcebdba7bbd0ff18aff9821c522ec7740d400a3c2';

function request(path: string): ApiRequest {
  const [rawPath, raw = ''] = path.split('?');
  return {
    method: 'GET',
    segments: rawPath.split('/').filter((s) => s !== ''),
    query: QueryString.parse(raw),
    origin: 'http://127.0.0.1:8080',
    envPath: '/demo',
    rawPath: `/demo/wms/lgfapi/v10/entity/${rawPath}`,
    ifModifiedSince: undefined,
    fired: [],
  };
}

const PATHS = [
  ...[
    'company',
    'facility',
    'uom',
    'order_status',
    'item',
    'location',
    'inventory',
    'container',
    'order_hdr',
    'order_dtl',
    'wave',
    'task',
    'allocation',
  ].map((e) => `${e}/?page_size=1250`),
  ...['item', 'location', 'inventory', 'container', 'order_hdr', 'order_dtl', 'task', 'allocation'].map(
    (e) => `${e}/?page_size=300&page=2`,
  ),
  'allocation/?page_size=500&page=10',
  'allocation/?page_mode=sequenced&page_size=200&ordering=mod_ts',
  'order_hdr/?page_mode=sequenced&page_size=200&ordering=-id',
  'allocation/?fields=id,url,mod_ts,order_dtl_id,alloc_qty,picked_ts,pick_user&page_size=400',
  'item/?fields=id,image_data,description&page_size=100',
  'allocation/?values_list=id,mod_ts,order_dtl_id,order_dtl_id__order_id,alloc_qty,pick_user&page_size=400',
  'order_dtl/?values_list=item_id__code,status_id&distinct=true&page_size=100',
  'task/?ordering=-create_ts,id&page_size=500&page=2',
  'inventory/?ordering=location_id,id&page_size=700',
];
/** Retrieves, by the ids of generated rows. */
const RETRIEVES: ReadonlyArray<[string, number]> = [
  ['allocation', 7],
  ['order_hdr', 0],
  ['inventory', 1999],
];

function page(api: WmsApi, path: string): string {
  try {
    const res = api.handle(request(path));
    return `${res.status} ${res.headers['Last-Modified'] ?? ''} ${res.body}`;
  } catch (e) {
    return `error ${(e as Error).message}`;
  }
}

describe('wms-simulator list pages stay byte-identical', () => {
  it('a spread of pages hashes to the digest the plain renderer produced', () => {
    const o = resolveOptions({ rows: { allocation: 20_000 } });
    const tenant = new Tenant({ seed: o.seed, rows: o.rows, dataEpochMs: o.dataEpochMs, historyDays: o.historyDays });
    const api = new WmsApi(tenant, o.settings, () => FaultPlan.parse('', o.seed));
    const hash = createHash('sha256');
    const paths = [...PATHS, ...RETRIEVES.map(([e, i]) => `${e}/${tenant.table(e)!.idAt(i)}/`)];
    for (const path of paths) hash.update(`${path}\n${page(api, path)}\n`);
    assert.equal(hash.digest('hex'), EXPECTED);
  });

  it('texts that need escaping are written as JSON.stringify writes them', () => {
    const o = resolveOptions({ rows: { allocation: 50 } });
    const tenant = new Tenant({ seed: o.seed, rows: o.rows, dataEpochMs: o.dataEpochMs, historyDays: o.historyDays });
    const api = new WmsApi(tenant, o.settings, () => FaultPlan.parse('', o.seed));
    const table = tenant.table('allocation')!;
    const pos = table.fieldPos.get('pick_user')!;
    const texts = [
      'plain',
      'say "hi"',
      'back\\slash',
      'line\nbreak\t',
      '\u0000\u001f\u007f',
      'é😀',
      'lone \ud800',
      '\udc00',
      '\u2028',
    ];
    texts.forEach((text, i) => {
      const values = table.materialise(i);
      values[pos] = text;
      table.store({ id: table.idAt(i), values, zone: table.zoneOf(i) });
    });
    const body = api.handle(request('allocation/?page_size=50&ordering=id')).body;
    for (const text of texts) assert.ok(body.includes(`"pick_user":${JSON.stringify(text)},`), JSON.stringify(text));
    assert.deepEqual(
      (JSON.parse(body) as { results: { pick_user: string }[] }).results.slice(0, texts.length).map((r) => r.pick_user),
      texts,
    );
  });
});
