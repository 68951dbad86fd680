import { defineSchema, type JsonSchemaValue } from '../singer/index.js';

/** One entry of the `scope_filters` setting (the schema of its values). */
export const SCOPE_FILTER_SCHEMA = defineSchema({
  type: 'object',
  properties: { company: { type: ['string', 'null'] }, facility: { type: ['string', 'null'] } },
  additionalProperties: false,
});

/** How the company and facility codes narrow one entity: the lgfapi filter (relation path + `__code`) for each. */
export type ScopeFilter = JsonSchemaValue<typeof SCOPE_FILTER_SCHEMA>;

/**
 * Defaults for the entities whose company/facility live behind a relation (docs/lgfapi.md §4.6). Entities not listed
 * fall back to their own `company_id`/`facility_id` relation when describe has one; `null` means "cannot be
 * narrowed this way" (the filter is not sent).
 */
export const DEFAULT_SCOPE_FILTERS: Record<string, ScopeFilter> = {
  allocation: {
    facility: 'order_dtl_id__order_id__facility_id__code',
    company: 'order_dtl_id__order_id__company_id__code',
  },
  order_hdr: { facility: 'facility_id__code', company: 'company_id__code' },
  order_dtl: { facility: 'order_id__facility_id__code', company: 'order_id__company_id__code' },
  inventory: { facility: 'facility_id__code', company: 'item_id__company_id__code' },
  location: { facility: 'facility_id__code', company: null },
  item: { facility: null, company: 'company_id__code' },
  facility: { facility: 'code', company: 'parent_company_id__code' },
  company: { facility: null, company: 'code' },
};
