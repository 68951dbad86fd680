import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';
import { ORDER_STATUS_IDS } from './tenant-data.js';

/** Order lines are spread evenly over orders in index order, so parent and line number are arithmetic. */
export function buildOrderDtl(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'order_dtl');
  const orders = ctx.rowCount('order_hdr');
  const details = ctx.rowCount('order_dtl');
  const items = ctx.rowCount('item');
  const uoms = ctx.rowCount('uom');
  const parent = (i: number) => FieldFactory.parentIndex(i, details, orders);
  const seq = (i: number) => {
    const p = parent(i);
    return p === null ? 1 : i - Math.ceil((p * details) / orders) + 1;
  };
  const qty = (i: number) => String(1 + (f.h(i, 'qty') % 48));
  const fields = [
    ...f.header(),
    f.rel('order_id', 'order_hdr', parent, { required: true }),
    f.int('seq_nbr', seq, { required: true }),
    f.rel('item_id', 'item', (i) => (items > 0 ? f.h(i, 'item') % items : null), { required: true }),
    f.decimal('ord_qty', qty, { required: true }),
    f.decimal('orig_ord_qty', qty, { default: 0 }),
    f.decimal('alloc_qty', (i) => (f.h(i, 'alloc') % 4 === 0 ? '0' : qty(i)), { default: 0 }),
    f.status((i) => ORDER_STATUS_IDS[f.h(i, 'status') % ORDER_STATUS_IDS.length]),
    f.lookup('batch_number_id', 'batch_number', ['L2025-01', 'L2025-02'], () => null),
    f.lookup('invn_attr_id', 'inventory_attribute', ['A'], () => null),
    f.rel('uom_id', 'uom', () => (uoms > 0 ? 0 : null)),
    f.decimal('sale_price', (i) => f.quantity(i, 'sale_price', 900), { default: 0 }),
    // Row 1 carries a value no double can hold, so exactness is tested end to end.
    f.decimal('cost', (i) => (i === 1 ? '12345678901234567.891' : f.quantity(i, 'cost', 600)), { default: 0 }),
    f.int('order_dtl_original_seq_nbr', seq, { default: 0 }),
    f.text('internal_text_field_1', 50, () => ''),
    f.set('required_serial_nbr_set', 'required_serial_nbr', 'order_dtl_id', () => 0),
  ];
  const hdr = () => ctx.table('order_hdr');
  const table = () => ctx.table('order_dtl');
  return {
    name: 'order_dtl',
    fields,
    hasModTs: true,
    zoneOf: (i) => {
      const p = parent(i);
      return p === null ? ctx.defaultZone : hdr().def.zoneOf(p);
    },
    // A composite key, as real order_dtl relations show ("100002774185,1728581131").
    keyOf: (ref) => {
      const orderId = table().value(ref, table().fieldPos.get('order_id')!);
      const order = typeof orderId === 'number' ? hdr().resolve(orderId) : null;
      const orderKey = order === null ? '' : hdr().def.keyOf(order);
      return `${orderKey},${table().value(ref, table().fieldPos.get('seq_nbr')!)}`;
    },
  };
}
