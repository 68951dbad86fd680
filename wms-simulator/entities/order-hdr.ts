import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';
import { CITIES, CUSTOMERS, ORDER_STATUS_IDS } from './tenant-data.js';

/** Facility index of order_hdr row `index`; order_dtl and allocation inherit it. */
export function orderFacility(f: FieldFactory, index: number, facilities: number): number {
  return facilities > 0 ? f.h(index, 'facility') % facilities : 0;
}

export function buildOrderHdr(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'order_hdr');
  const facilities = ctx.rowCount('facility');
  const companies = ctx.rowCount('company');
  const orders = ctx.rowCount('order_hdr');
  const details = ctx.rowCount('order_dtl');
  const table = () => ctx.table('order_hdr');
  const facility = (i: number) => orderFacility(f, i, facilities);
  const ordDate = (i: number) =>
    new Date(Math.floor(table().modTsAt(i) / 1000) - (f.h(i, 'ord_date') % 3) * 86400000).toISOString().slice(0, 10);
  const status = (i: number) => ORDER_STATUS_IDS[f.h(i, 'status') % ORDER_STATUS_IDS.length];
  const lines = (i: number) => FieldFactory.childCount(i, details, orders);
  const fields = [
    ...f.header(),
    // Real describes of order_hdr list these in `fields` but not in `parameters` (docs/lgfapi.md §3.2).
    f.rel('facility_id', 'facility', (i) => (facilities > 0 ? facility(i) : null), { notAParameter: true }),
    f.rel('company_id', 'company', (i) => (companies > 0 ? f.h(i, 'company') % companies : null), {
      notAParameter: true,
    }),
    f.text('order_nbr', 30, (i) => `SO-${1000000 + i}`, { required: true }),
    f.lookup('order_type_id', 'order_type', ['STD', 'RUSH', 'TRANSFER', 'RETURN'], (i) => f.h(i, 'type') % 4, {
      required: true,
    }),
    f.status(status),
    f.date('ord_date', ordDate, { required: true }),
    f.date('req_ship_date', (i) => new Date(Date.parse(ordDate(i)) + 86400000).toISOString().slice(0, 10)),
    f.date('exp_date', () => null),
    f.int('priority', (i) => 1 + (f.h(i, 'priority') % 9), { default: 0 }),
    f.text('cust_nbr', 30, (i) => `C${String(f.h(i, 'cust') % 5000).padStart(4, '0')}`),
    f.text('cust_name', 100, (i) => f.pick(i, 'cust', CUSTOMERS)),
    f.text('shipto_name', 100, (i) => f.pick(i, 'cust', CUSTOMERS)),
    f.text('shipto_city', 40, (i) => f.pick(i, 'city', CITIES)),
    f.text('shipto_state', 3, (i) => f.pick(i, 'state', ['SP', 'RJ', 'NJ', 'MH'])),
    f.text('shipto_zip', 10, (i) => `${13000 + (f.h(i, 'zip') % 900)}-000`),
    f.text('shipto_country', 2, (i) => ['BR', 'US', 'IN'][facility(i) % 3]),
    f.lookup('ship_via_id', 'ship_via', ['UPS', 'FEDEX', 'OWN'], () => null),
    f.rel('dest_facility_id', 'facility', (i) =>
      facilities > 1 && f.h(i, 'transfer') % 25 === 0 ? (facility(i) + 1) % facilities : null,
    ),
    f.ts('order_shipped_ts', (i) =>
      status(i) === 70 ? table().modTsAt(i) - (f.h(i, 'shipped') % 3600) * 1_000_000 : null,
    ),
    f.decimal('total_orig_ord_qty', (i) => String(lines(i) * (1 + (f.h(i, 'qty') % 24))), { required: true }),
    f.int('orig_sku_count', lines, { required: true }),
    // Describe marks it required, yet real rows hold null (wms-payloads README, fact 2): every eighth row here.
    f.decimal('orig_sale_price', (i) => (f.h(i, 'price_set') % 8 === 0 ? null : f.quantity(i, 'price', 10000)), {
      required: true,
    }),
    f.bool('stop_ship_flg', (i) => f.h(i, 'stop') % 100 === 0, false),
    f.bool('externally_planned_load_flg', () => false, false),
    f.text('cust_field_1', 50, (i) => (f.h(i, 'cf1') % 3 === 0 ? `REF${i}` : '')),
    f.text('cust_field_4', 1000, () => ''),
    f.decimal('cust_decimal_1', (i) => (f.h(i, 'cd1') % 5 === 0 ? f.quantity(i, 'cd1v', 100) : null)),
    f.date('cust_date_1', () => null),
    f.set('order_dtl_set', 'order_dtl', 'order_id', lines),
    f.set('order_lock_set', 'order_lock', 'order_id', () => 0),
    // A real order_hdr row has order_instructions_set [] next to order_lock_set null.
    f.set('order_instructions_set', 'order_instructions', 'order_id', () => 0, { emptyAsList: true }),
  ];
  return {
    name: 'order_hdr',
    fields,
    hasModTs: true,
    zoneOf: (i) => ctx.facilityZone(facility(i)),
    keyOf: f.keyFrom('order_nbr'),
  };
}
