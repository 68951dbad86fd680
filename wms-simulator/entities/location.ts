import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';

/** Locations are dealt to facilities round-robin, so row i is in facility i % facilities. */
export function buildLocation(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'location');
  const facilities = ctx.rowCount('facility');
  const items = ctx.rowCount('item');
  const part = (i: number, salt: string, n: number) => String(1 + (f.h(i, salt) % n)).padStart(2, '0');
  const locnStr = (i: number) =>
    `${1 + (i % 9)}-${part(i, 'aisle', 40)}-${part(i, 'bay', 60)}-${String(1 + (Math.floor(i / 9) % 99)).padStart(2, '0')}`;
  const fields = [
    ...f.header(),
    f.rel('facility_id', 'facility', (i) => (facilities > 0 ? i % facilities : null)),
    f.text('locn_str', 100, locnStr, { required: true }),
    f.text('barcode', 100, (i) => `${locnStr(i).replaceAll('-', '')}${i}`),
    f.text('area', 10, (i) => String(1 + (i % 9))),
    f.text('aisle', 10, (i) => part(i, 'aisle', 40)),
    f.text('bay', 10, (i) => part(i, 'bay', 60)),
    f.lookup('type_id', 'location_type', ['Reserva', 'Ativa', 'Doca', 'Staging'], (i) => f.h(i, 'type') % 4, {
      blankUrl: true,
    }),
    f.rel('item_id', 'item', (i) => (items > 0 && f.h(i, 'item') % 5 === 0 ? f.h(i, 'item_pick') % items : null)),
    f.decimal('max_units', (i) => String(100 * (1 + (f.h(i, 'max_units') % 20))), { default: 0 }),
    f.decimal('max_volume', (i) => f.quantity(i, 'max_volume', 5000), { default: 0 }),
    f.int('pick_seq', (i) => i, { default: 0 }),
    f.bool('lock_flg', (i) => f.h(i, 'lock') % 50 === 0, false),
  ];
  return {
    name: 'location',
    fields,
    hasModTs: true,
    zoneOf: (i) => ctx.facilityZone(facilities > 0 ? i % facilities : 0),
    keyOf: f.keyFrom('locn_str'),
  };
}
