import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';

/** Field for field the shape of the real allocation record in docs/lgfapi.md §6 (a). */
export function buildAllocation(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'allocation');
  const allocations = ctx.rowCount('allocation');
  const details = ctx.rowCount('order_dtl');
  const inventories = ctx.rowCount('inventory');
  const waves = ctx.rowCount('wave');
  const tasks = ctx.rowCount('task');
  const uoms = ctx.rowCount('uom');
  const locations = ctx.rowCount('location');
  const table = () => ctx.table('allocation');
  const parent = (i: number) => FieldFactory.parentIndex(i, allocations, details);
  const picked = (i: number) => f.h(i, 'status') % 10 !== 0;
  const qty = (i: number) => String(1 + (f.h(i, 'qty') % 60));
  const fields = [
    ...f.header(),
    f.rel('order_dtl_id', 'order_dtl', parent, { required: true }),
    f.rel('from_inventory_id', 'inventory', (i) => (inventories > 0 ? f.h(i, 'from_inv') % inventories : null), {
      required: true,
    }),
    f.rel('to_inventory_id', 'inventory', (i) =>
      inventories > 0 && picked(i) ? f.h(i, 'to_inv') % inventories : null,
    ),
    f.status((i) => (picked(i) ? 90 : 99)),
    // Row 2 carries a value no double can hold, so exactness is tested end to end.
    f.decimal('alloc_qty', (i) => (i === 2 ? '12345678901234567.891' : qty(i)), { required: true }),
    f.decimal('packed_qty', (i) => (picked(i) ? qty(i) : '0'), { default: 0 }),
    f.lookup('type_id', 'allocation_type', ['Separacao Ativa', 'Reserva', 'Cross Dock'], (i) => f.h(i, 'type') % 3, {
      blankUrl: true,
    }),
    f.rel('wave_id', 'wave', (i) => FieldFactory.parentIndex(i, allocations, waves), { blankUrl: true }),
    f.rel('task_id', 'task', (i) => FieldFactory.parentIndex(i, allocations, tasks)),
    f.rel('alloc_uom_id', 'uom', (i) => (uoms > 0 ? (f.h(i, 'uom') % 2 === 0 ? Math.min(3, uoms - 1) : 0) : null)),
    f.rel('cartonize_uom_id', 'uom', () => null),
    f.int('task_seq_nbr', (i) => 1 + (f.h(i, 'task_seq') % 60), { min: -99999999999, max: 99999999999 }),
    f.lookup('ob_lpn_type_id', 'lpn_type', ['CX', 'PL'], () => null),
    f.lookup(
      'mhe_system_id',
      'mhe_system',
      ['INDUCAO', 'SORTER'],
      (i) => (f.h(i, 'mhe') % 3 === 0 ? null : f.h(i, 'mhe_pick') % 2),
      { blankUrl: true },
    ),
    f.text('pick_user', 30, (i) => (picked(i) ? f.pick(i, 'pick_user', ['op123', 'op77', 'op91']) : '')),
    f.ts('picked_ts', (i) => (picked(i) ? table().modTsAt(i) - (f.h(i, 'picked') % 60_000_000) : null)),
    f.text('pick_locn_str', 100, (i) =>
      locations > 0
        ? `${1 + (i % 9)}-${String(1 + (f.h(i, 'aisle') % 40)).padStart(2, '0')}-${String(1 + (f.h(i, 'bay') % 60)).padStart(2, '0')}-01`
        : '',
    ),
    f.text('final_oblpn_nbr', 50, (i) => (picked(i) && f.h(i, 'oblpn') % 2 === 0 ? `OB${String(700000 + i)}` : '')),
    f.bool('is_picking_flg', (i) => picked(i), true),
  ];
  const dtl = () => ctx.table('order_dtl');
  return {
    name: 'allocation',
    fields,
    hasModTs: true,
    zoneOf: (i) => {
      const p = parent(i);
      return p === null ? ctx.defaultZone : dtl().def.zoneOf(p);
    },
    keyOf: () => '',
  };
}
