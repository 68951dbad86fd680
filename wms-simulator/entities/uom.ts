import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';
import { UOMS } from './tenant-data.js';

export function buildUom(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'uom');
  const code = (i: number) => UOMS[i] ?? `UOM${i + 1}`;
  const fields = [
    ...f.header(),
    f.text('code', 20, code, { required: true }),
    f.text('description', 100, (i) => `${code(i)} of measure`),
    f.int('decimal_precision', (i) => (i === 4 || i === 5 ? 3 : 0)),
  ];
  return { name: 'uom', fields, hasModTs: true, zoneOf: () => ctx.defaultZone, keyOf: f.keyFrom('code') };
}
