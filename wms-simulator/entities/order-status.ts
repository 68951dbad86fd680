import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef } from '../entity-def.js';
import { ORDER_STATUSES } from './tenant-data.js';

/** A lookup table: no create/mod timestamps, so a tap can only copy it with FULL_TABLE. */
export function buildOrderStatus(ctx: BuildContext): EntityDef {
  const f = new FieldFactory(ctx, 'order_status');
  const description = (i: number) => ORDER_STATUSES[i] ?? `Status ${i * 10}`;
  const fields = [f.pkOnly(), f.text('description', 60, description, { required: true })];
  return {
    name: 'order_status',
    fields,
    hasModTs: false,
    zoneOf: () => ctx.defaultZone,
    keyOf: f.keyFrom('description'),
  };
}
