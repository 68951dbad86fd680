import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';

export function buildInventory(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'inventory');
  const facilities = ctx.rowCount('facility');
  const items = ctx.rowCount('item');
  const locations = ctx.rowCount('location');
  const containers = ctx.rowCount('container');
  const uoms = ctx.rowCount('uom');
  const facility = (i: number) => (facilities > 0 ? f.h(i, 'facility') % facilities : 0);
  /** A location in the row's own facility (locations are dealt round-robin). */
  const location = (i: number) => {
    if (locations === 0 || facilities === 0) return null;
    const perFacility = Math.floor(locations / facilities);
    if (perFacility === 0) return null;
    return (f.h(i, 'location') % perFacility) * facilities + facility(i);
  };
  const fields = [
    ...f.header(),
    f.rel('facility_id', 'facility', (i) => (facilities > 0 ? facility(i) : null)),
    f.rel('item_id', 'item', (i) => (items > 0 ? f.h(i, 'item') % items : null), { required: true }),
    f.rel('location_id', 'location', location),
    f.rel('container_id', 'container', (i) =>
      containers > 0 && f.h(i, 'in_lpn') % 2 === 0 ? f.h(i, 'container') % containers : null,
    ),
    f.decimal('curr_qty', (i) => f.quantity(i, 'curr_qty', 200), { required: true }),
    f.decimal('orig_qty', (i) => f.quantity(i, 'orig_qty', 400), { default: 0 }),
    f.decimal('pack_qty', (i) => String(1 + (f.h(i, 'pack') % 6)), { default: 0 }),
    f.decimal('case_qty', (i) => String(6 * (1 + (f.h(i, 'case') % 4))), { default: 0 }),
    f.int('status_id', () => 0),
    f.lookup('batch_number_id', 'batch_number', ['L2025-01', 'L2025-02'], (i) =>
      f.h(i, 'batch') % 10 === 0 ? f.h(i, 'batch_pick') % 2 : null,
    ),
    f.lookup('invn_attr_id', 'inventory_attribute', ['A'], () => null),
    f.date('expiry_date', (i) =>
      f.h(i, 'expiry') % 4 === 0
        ? `2026-${String(1 + (f.h(i, 'exp_m') % 12)).padStart(2, '0')}-${String(1 + (f.h(i, 'exp_d') % 28)).padStart(2, '0')}`
        : null,
    ),
    f.date('manufacture_date', () => null),
    f.date('priority_date', () => null),
    f.rel('uom_id', 'uom', (i) => (uoms > 0 && f.h(i, 'uom') % 3 === 0 ? 0 : null)),
  ];
  return {
    name: 'inventory',
    fields,
    hasModTs: true,
    zoneOf: (i) => ctx.facilityZone(facility(i)),
    keyOf: () => '',
  };
}
