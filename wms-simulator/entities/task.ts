import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';

export function buildTask(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'task');
  const facilities = ctx.rowCount('facility');
  const companies = ctx.rowCount('company');
  const locations = ctx.rowCount('location');
  const facility = (i: number) => (facilities > 0 ? f.h(i, 'facility') % facilities : 0);
  const fields = [
    ...f.header(),
    f.rel('facility_id', 'facility', (i) => (facilities > 0 ? facility(i) : null)),
    f.rel('company_id', 'company', (i) => (companies > 0 ? f.h(i, 'company') % companies : null)),
    f.text('task_nbr', 30, (i) => `T${String(109930000 + i * 3).padStart(11, '0')}`, { required: true }),
    f.lookup('task_type_id', 'task_type', ['PICK', 'REPLEN', 'MOVE'], (i) => f.h(i, 'type') % 3, { blankUrl: true }),
    f.status((i) => [0, 10, 90, 99][f.h(i, 'status') % 4]),
    f.int('priority', (i) => 1 + (f.h(i, 'priority') % 9), { default: 0 }),
    f.text('assigned_user', 30, (i) => f.pick(i, 'assigned', ['op123', 'op77', 'op91', ''])),
    f.rel('curr_location_id', 'location', (i) => (locations > 0 ? f.h(i, 'location') % locations : null)),
  ];
  return {
    name: 'task',
    fields,
    hasModTs: true,
    zoneOf: (i) => ctx.facilityZone(facility(i)),
    keyOf: f.keyFrom('task_nbr'),
  };
}
