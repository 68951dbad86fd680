import type { CatalogEntry } from '../singer/index.js';
import { catalogEntry } from './discover.js';
import type { WmsSource } from './http/client.js';
import { DEFAULT_SCOPE_FILTERS, type ScopeFilter } from './scope-filters.js';
import type { TapConfig } from './settings.js';

/** How company_code / facility_code narrow this entity: configured, built in, or its own relations. */
export function scopeFilterOf(entity: string, entry: CatalogEntry, config: TapConfig): ScopeFilter {
  const configured = { ...DEFAULT_SCOPE_FILTERS, ...config.scope_filters }[entity];
  if (configured) return configured;
  const properties = entry.schema.properties ?? {};
  return {
    facility: 'facility_id' in properties ? 'facility_id__code' : null,
    company: 'company_id' in properties ? 'company_id__code' : null,
  };
}

/**
 * The filters of a stream without a catalog (the orchestrator's consistency check): an entity with a configured or
 * built-in scope needs no request; any other is described once, to fall back to its own relations as a sync does.
 */
export async function streamFiltersFor(
  source: Pick<WmsSource, 'describe'>,
  entity: string,
  config: TapConfig,
): Promise<URLSearchParams> {
  const known = { ...DEFAULT_SCOPE_FILTERS, ...config.scope_filters }[entity];
  const entry = known
    ? { tap_stream_id: entity, stream: entity, schema: { properties: {} } }
    : catalogEntry(entity, await source.describe(entity), [], config.flatten_relations);
  return streamFilters(entity, entry, config);
}

/** Filters every request of a stream carries: company/facility scope, then the user's entity_filters. */
export function streamFilters(entity: string, entry: CatalogEntry, config: TapConfig): URLSearchParams {
  const params = new URLSearchParams();
  const scope = scopeFilterOf(entity, entry, config);
  const narrow = (path: string | null | undefined, code: string): void => {
    if (!path || code === '*' || code === '') return;
    // Several codes ("DC01,DC02") become one __in lookup (lgfapi: comma list, no spaces).
    if (code.includes(','))
      params.set(
        `${path}__in`,
        code
          .split(',')
          .map((part) => part.trim())
          .join(','),
      );
    else params.set(path, code);
  };
  narrow(scope.company, config.company_code);
  narrow(scope.facility, config.facility_code);
  for (const filters of [config.entity_filters['*'], config.entity_filters[entity]]) {
    for (const [key, value] of Object.entries(filters ?? {})) params.set(key, String(value));
  }
  // Last, so that no entity filter widens the range (the min/max lookups carry it too).
  if (config.id_range?.gte !== undefined) params.set('id__gte', String(config.id_range.gte));
  if (config.id_range?.lt !== undefined) params.set('id__lt', String(config.id_range.lt));
  return params;
}

/**
 * A slice's own id bounds replace the stream filter's; this puts them back inside id_range, so that an id range saved
 * in state by a run with another id_range can never read (and load) ids outside this run's range.
 */
export function withinIdRange(params: URLSearchParams, config: TapConfig): URLSearchParams {
  const range = config.id_range;
  if (!range) return params;
  const clamped = new URLSearchParams(params);
  const gte = clamped.get('id__gte');
  if (range.gte !== undefined && (gte === null || BigInt(gte) < BigInt(range.gte)))
    clamped.set('id__gte', String(range.gte));
  const lt = clamped.get('id__lt');
  if (range.lt !== undefined && (lt === null || BigInt(lt) > BigInt(range.lt))) clamped.set('id__lt', String(range.lt));
  return clamped;
}

/** Paging parameters shared by every list request. */
export function pagingParams(config: TapConfig, pageSize: number = config.page_size): URLSearchParams {
  return new URLSearchParams({ page_size: String(pageSize), page_mode: config.page_mode });
}

export function mergeParams(...parts: URLSearchParams[]): URLSearchParams {
  const merged = new URLSearchParams();
  for (const part of parts) for (const [key, value] of part) merged.set(key, value);
  return merged;
}
