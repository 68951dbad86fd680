import { hashString } from '../prng.js';
import { FieldFactory } from '../field-factory.js';
import type { BuildContext } from '../build-context.js';
import type { EntityDef, FieldDef } from '../entity-def.js';

/** Lookup and status tables carry neither create_ts nor mod_ts (124 of 311 real entities do not). */
const LOOKUP =
  /_(type|status|class|mode|code|reason|priority|uom|category|group|terms|method|level|zone|source)$|^(country|currency|state|language|dept)$/;

function isLookupName(name: string): boolean {
  return LOOKUP.test(name);
}

/**
 * An entity the simulator describes but never fills: a plausible field list derived from the name
 * alone, so describe output is stable for a given name.
 */
export function buildDescribeOnly(ctx: BuildContext, name: string): EntityDef {
  const f = new FieldFactory(ctx, name);
  const none = () => null;
  const fields: FieldDef[] = [];
  if (isLookupName(name)) {
    fields.push(
      f.pkOnly(),
      f.text('code', 30, () => '', { required: true }),
      f.text('description', 100, () => ''),
    );
  } else {
    fields.push(...f.header());
    if (name.endsWith('_dtl')) {
      const hdr = `${name.slice(0, -4)}_hdr`;
      fields.push(
        f.lookup(`${name.slice(0, -4)}_id`, hdr, [], none, { required: true }),
        f.int('seq_nbr', () => 0, { required: true }),
        f.lookup('item_id', 'item', [], none),
        f.decimal('qty', none, { default: 0 }),
      );
    } else {
      fields.push(
        f.lookup('facility_id', 'facility', [], none),
        f.lookup('company_id', 'company', [], none),
        f.text(name.endsWith('_hdr') ? `${name.slice(0, -4)}_nbr` : 'code', 40, () => '', { required: true }),
        f.text('description', 255, () => ''),
      );
      if (!name.endsWith('_history')) fields.push(f.int('status_id', () => 0));
    }
    const extra = hashString(name) % 6;
    for (let n = 1; n <= extra; n++) fields.push(f.text(`cust_field_${n}`, n > 3 ? 1000 : 50, () => ''));
  }
  return { name, fields, hasModTs: !isLookupName(name), zoneOf: () => ctx.defaultZone, keyOf: () => '' };
}

/** iblpn and oblpn are "derived from" container and describe exactly like it (docs/lgfapi.md §3.1). */
export function buildContainerView(container: EntityDef, name: string): EntityDef {
  return { ...container, name };
}
