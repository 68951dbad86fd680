import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';

export function buildContainer(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'container');
  const facilities = ctx.rowCount('facility');
  const companies = ctx.rowCount('company');
  const locations = ctx.rowCount('location');
  const table = () => ctx.table('container');
  const facility = (i: number) => (facilities > 0 ? f.h(i, 'facility') % facilities : 0);
  const inbound = (i: number) => f.h(i, 'type') % 3 !== 0;
  const fields = [
    ...f.header(),
    // Real container records carry facility and company, but real describes omit both (docs/lgfapi.md §6).
    f.rel('facility_id', 'facility', (i) => (facilities > 0 ? facility(i) : null), { hiddenFromDescribe: true }),
    f.rel('company_id', 'company', (i) => (companies > 0 ? f.h(i, 'company') % companies : null), {
      hiddenFromDescribe: true,
    }),
    f.text('container_nbr', 50, (i) => `${inbound(i) ? 'IB' : 'OB'}LPN${String(4000000 + i * 3)}`, { required: true }),
    f.text('type', 1, (i) => (inbound(i) ? 'I' : 'O'), { required: true }),
    f.status((i) => [0, 10, 30, 90][f.h(i, 'status') % 4]),
    f.rel('curr_location_id', 'location', (i) => (locations > 0 ? f.h(i, 'curr_loc') % locations : null)),
    f.rel('prev_location_id', 'location', (i) =>
      locations > 0 && f.h(i, 'moved') % 3 === 0 ? f.h(i, 'prev_loc') % locations : null,
    ),
    f.lookup('lpn_type_id', 'lpn_type', ['CX', 'PL'], (i) => f.h(i, 'lpn_type') % 2, { blankUrl: true }),
    f.lookup('pallet_id', 'pallet', ['PLT0001'], () => null),
    f.lookup('rcvd_shipment_id', 'ib_shipment', ['ASN0001'], () => null),
    f.decimal('weight', (i) => f.quantity(i, 'weight', 900), { default: 0 }),
    f.decimal('volume', (i) => f.quantity(i, 'volume', 2000), { default: 0 }),
    f.ts('rcvd_ts', (i) => (inbound(i) ? table().modTsAt(i) - (f.h(i, 'rcvd') % 86_400) * 1_000_000 : null)),
  ];
  return {
    name: 'container',
    fields,
    hasModTs: true,
    zoneOf: (i) => ctx.facilityZone(facility(i)),
    keyOf: f.keyFrom('container_nbr'),
  };
}
