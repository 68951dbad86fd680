import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';

export function buildItem(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'item');
  const companies = ctx.rowCount('company');
  const uoms = ctx.rowCount('uom');
  const code = (i: number) => `SKU-${String(770000 + i * 7)}`;
  const fields = [
    ...f.header(),
    f.rel('company_id', 'company', (i) => (companies > 0 ? f.h(i, 'company') % companies : null)),
    f.text('code', 130, code, { required: true }),
    f.text(
      'description',
      255,
      (i) =>
        `${f.pick(i, 'noun', ['Caixa', 'Widget', 'Bottle', 'Carton', 'Sack'])} ${f.pick(i, 'size', ['P', 'M', 'G', 'XL'])} ${i}`,
    ),
    f.text('barcode', 100, (i) => `789${String(1000000000 + i * 13).padStart(10, '0')}`),
    f.decimal('unit_cost', (i) => f.quantity(i, 'unit_cost', 500), { default: 0 }),
    f.decimal('unit_weight', (i) => f.quantity(i, 'unit_weight', 40), { default: 0 }),
    f.decimal('std_case_qty', (i) => String(6 * (1 + (f.h(i, 'case') % 8))), { default: 0 }),
    f.rel('primary_uom_id', 'uom', () => (uoms > 0 ? 0 : null)),
    f.rel('case_uom_id', 'uom', () => (uoms > 1 ? 1 : null)),
    f.bool('hazardous_flg', (i) => f.h(i, 'hazardous') % 20 === 0, false),
    f.bool('lot_controlled_flg', (i) => f.h(i, 'lot') % 4 === 0, false),
    f.onRequestOnly(f.text('image_data', 100000, (i) => `iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB${(i % 10).toString()}`)),
  ];
  return { name: 'item', fields, hasModTs: true, zoneOf: () => ctx.defaultZone, keyOf: f.keyFrom('code') };
}
