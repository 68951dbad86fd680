import type { CatalogEntry } from '../singer/index.js';
import { DEFAULT_SCOPE_FILTERS, type ScopeFilter, type TapConfig } from './settings.js';

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
  return params;
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
