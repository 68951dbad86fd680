import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';
import { COMPANIES } from './tenant-data.js';

export function buildCompany(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'company');
  const code = (i: number) => COMPANIES[i]?.code ?? `CO${String(i + 1).padStart(3, '0')}`;
  const fields = [
    ...f.header(),
    f.text('code', 20, code, { required: true }),
    f.text('name', 100, (i) => COMPANIES[i]?.name ?? `Company ${i + 1}`),
    f.rel('parent_company_id', 'company', (i) => (i === 0 ? null : 0)),
    f.lookup('company_type_id', 'company_type', ['PARENT', 'CHILD'], (i) => (i === 0 ? 0 : 1), { blankUrl: true }),
    f.text('address_1', 100, (i) => `Av. Central ${100 + i}`),
    f.text('city', 40, (i) => f.pick(i, 'city', ['CAMPINAS', 'NEWARK', 'PUNE'])),
    f.text('country', 2, (i) => f.pick(i, 'country', ['BR', 'US', 'IN'])),
    f.bool('active_flg', () => true, true),
  ];
  return {
    name: 'company',
    fields,
    hasModTs: true,
    zoneOf: () => ctx.defaultZone,
    keyOf: f.keyFrom('code'),
  };
}
