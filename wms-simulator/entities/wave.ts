import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';

export function buildWave(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'wave');
  const facilities = ctx.rowCount('facility');
  const companies = ctx.rowCount('company');
  const facility = (i: number) => (facilities > 0 ? f.h(i, 'facility') % facilities : 0);
  const fields = [
    ...f.header(),
    f.rel('facility_id', 'facility', (i) => (facilities > 0 ? facility(i) : null)),
    f.rel('company_id', 'company', (i) => (companies > 0 ? f.h(i, 'company') % companies : null)),
    f.text('wave_nbr', 30, (i) => `ONDA_LISTA${String(15000000 + i * 7).padStart(10, '0')}`, { required: true }),
    f.status((i) => [10, 30, 90][f.h(i, 'status') % 3]),
    f.lookup('wave_template_id', 'wave_template', ['LISTA', 'PICKING'], (i) => f.h(i, 'template') % 2, {
      blankUrl: true,
    }),
    f.int('order_count', (i) => 1 + (f.h(i, 'orders') % 40), { default: 0 }),
  ];
  return {
    name: 'wave',
    fields,
    hasModTs: true,
    zoneOf: (i) => ctx.facilityZone(facility(i)),
    keyOf: f.keyFrom('wave_nbr'),
  };
}
