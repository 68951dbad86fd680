import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';
import { FACILITIES, TIME_ZONES } from './tenant-data.js';

export function facilitySeed(index: number) {
  const base = FACILITIES[index % FACILITIES.length];
  return index < FACILITIES.length
    ? base
    : { ...base, code: `DC${String(index + 1).padStart(2, '0')}`, name: `${base.name} ${index + 1}` };
}

export function buildFacility(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'facility');
  const companies = ctx.rowCount('company');
  const fields = [
    ...f.header(),
    f.text('code', 20, (i) => facilitySeed(i).code, { required: true }),
    f.text('name', 100, (i) => facilitySeed(i).name),
    f.rel('parent_company_id', 'company', (i) => (companies > 0 ? i % companies : null)),
    f.lookup('facility_type_id', 'facility_type', ['DC', 'STORE'], () => 0, { blankUrl: true }),
    f.text('address_1', 100, (i) => `Rod. SP-${101 + i} km ${5 + i}`),
    f.text('address_2', 100, () => ''),
    f.text('city', 40, (i) => facilitySeed(i).city),
    f.text('state', 3, (i) => facilitySeed(i).state),
    f.text('zip', 10, (i) => facilitySeed(i).zip),
    f.text('country', 2, (i) => facilitySeed(i).country),
    f.lookup('time_zone_id', 'time_zone', TIME_ZONES, (i) =>
      TIME_ZONES.indexOf(facilitySeed(i).zone as (typeof TIME_ZONES)[number]),
    ),
    f.bool('wms_managed_flg', () => true, true),
  ];
  return {
    name: 'facility',
    fields,
    hasModTs: true,
    zoneOf: (i) => facilitySeed(i).zone,
    keyOf: f.keyFrom('code'),
  };
}
