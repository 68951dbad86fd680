import type { QueryString } from './query-string.js';
import { WmsError } from './wms-error.js';

export const MAX_PAGE_SIZE = 1250;

/** Keys lgfapi reserves; everything else in a list query is a filter. */
const RESERVED = new Set([
  'page',
  'page_size',
  'page_mode',
  'cursor',
  'fields',
  'ordering',
  'format',
  'values_list',
  'distinct',
  'limit',
  'empty_response_http_code',
]);

/** lgfapi 26A: the status a list that matches nothing answers with (404, the old answer, when absent). */
export type EmptyResponseCode = 200 | 204 | 404;
const EMPTY_RESPONSE_CODES = new Set(['200', '204', '404']);

export interface FilterParam {
  /** `field__lookup` as written, without the `!` of a negation. */
  readonly key: string;
  /** Written `key!=value` (lgfapi's NOT). */
  readonly negate: boolean;
  readonly value: string;
}

export interface ValuesListEntry {
  readonly expr: string;
  readonly alias: string;
}

export interface ListParams {
  readonly pageMode: 'paged' | 'sequenced';
  readonly page: string | undefined;
  readonly pageSize: number;
  readonly cursor: string | undefined;
  readonly ordering: readonly string[];
  readonly fields: readonly string[] | null;
  readonly valuesList: readonly ValuesListEntry[] | null;
  readonly distinct: boolean;
  readonly filters: readonly FilterParam[];
  /** `empty_response_http_code`, when the request sent it. */
  readonly emptyResponseCode: EmptyResponseCode | undefined;
}

/** DRF's `_positive_int(strict=True, cutoff=max)`: not a positive integer → default, too big → max. */
export function pageSizeOf(raw: string | undefined, defaultSize: number): number {
  if (raw === undefined || !/^\s*[+-]?\d+\s*$/.test(raw)) return defaultSize;
  const n = Number(raw);
  if (n <= 0) return defaultSize;
  return Math.min(n, MAX_PAGE_SIZE);
}

function commaList(raw: string | undefined): string[] | null {
  if (raw === undefined) return null;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function parseListParams(query: QueryString, defaultPageSize: number): ListParams {
  const mode = query.get('page_mode') ?? 'paged';
  if (mode !== 'paged' && mode !== 'sequenced')
    throw WmsError.validation({ page_mode: `'${mode}' is not one of paged, sequenced` });
  const format = query.get('format');
  if (format !== undefined && format !== 'json')
    throw WmsError.validation({ format: `'${format}' is not supported by the simulator (json only)` });
  const valuesRaw = commaList(query.get('values_list'));
  let valuesList: ValuesListEntry[] | null = null;
  if (valuesRaw !== null) {
    valuesList = valuesRaw.map((item) => {
      const colon = item.indexOf(':');
      return colon < 0 ? { expr: item, alias: item } : { expr: item.slice(0, colon), alias: item.slice(colon + 1) };
    });
    const aliases = new Set(valuesList.map((v) => v.alias));
    if (aliases.size !== valuesList.length)
      throw WmsError.validation({ values_list: 'Values list alias names must be unique.' });
  }
  const emptyRaw = query.get('empty_response_http_code');
  if (emptyRaw !== undefined && !EMPTY_RESPONSE_CODES.has(emptyRaw))
    throw WmsError.validation({ empty_response_http_code: `'${emptyRaw}' is not one of 200, 204, 404` });
  const distinctRaw = (query.get('distinct') ?? '').toLowerCase();
  const filters: FilterParam[] = [];
  for (const [rawKey, value] of query.last) {
    const negate = rawKey.endsWith('!');
    const key = negate ? rawKey.slice(0, -1) : rawKey;
    if (RESERVED.has(key) && !negate) continue;
    filters.push({ key, negate, value });
  }
  return {
    pageMode: mode,
    page: query.get('page'),
    pageSize: pageSizeOf(query.get('page_size'), defaultPageSize),
    cursor: query.get('cursor'),
    ordering: commaList(query.get('ordering')) ?? [],
    fields: commaList(query.get('fields')),
    valuesList,
    // distinct only means something next to values_list (Django QuerySet semantics).
    distinct: valuesList !== null && (distinctRaw === '1' || distinctRaw === 'true'),
    filters,
    emptyResponseCode: emptyRaw === undefined ? undefined : (Number(emptyRaw) as EmptyResponseCode),
  };
}
