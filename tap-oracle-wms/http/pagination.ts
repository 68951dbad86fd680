import { SourceError } from '../../singer/index.js';

/**
 * lgfapi list envelopes: sequenced `{next_page, previous_page, results}` and paged (adds counts). The sync loop
 * empties `results` and `recordTexts` once it has encoded a page's lines (read-slice's takePage).
 */
export interface WmsPage {
  results: Record<string, unknown>[];
  nextPage: string | null;
  /** The URL that produced this page (after any page_size change). */
  url: string;
  /** Rows the whole listing holds, when the WMS says (`result_count` of page_mode=paged). */
  resultCount?: number;
  /**
   * Each result's Singer record as JSON text, when the caller's PageTranscoder decoded the page: then `results` hold
   * only the transcoder's probe fields.
   */
  recordTexts?: string[];
}

/**
 * Follows `next_page` verbatim until it is null. A server that hands back a URL it already gave (or the one just
 * requested) would loop forever, so that is an error, as in the SDK's paginators.
 */
export class NextPagePaginator {
  readonly #seen = new Set<string>();
  #current: string | undefined;

  constructor(firstUrl: string) {
    this.#current = firstUrl;
    this.#seen.add(firstUrl);
  }

  get current(): string | undefined {
    return this.#current;
  }

  /** Swaps the URL about to be requested (e.g. a smaller page_size after timeouts). */
  replaceCurrent(url: string): void {
    this.#current = url;
    this.#seen.add(url);
  }

  advance(nextPage: string | null): void {
    if (nextPage === null || nextPage === '') {
      this.#current = undefined;
      return;
    }
    if (this.#seen.has(nextPage)) {
      throw new SourceError(
        `the WMS returned a next_page link it had already returned (pagination loop): ${redactQuery(nextPage)}`,
      );
    }
    this.#seen.add(nextPage);
    this.#current = nextPage;
  }
}

/** Reads a list envelope; tolerates a bare array (some proxies) but nothing else. */
export function readEnvelope(value: unknown, url: string): WmsPage {
  if (Array.isArray(value)) return { results: value as Record<string, unknown>[], nextPage: null, url };
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { results?: unknown }).results)) {
    throw new SourceError(`the WMS answered ${redactQuery(url)} without a results list`);
  }
  const envelope = value as {
    results: Record<string, unknown>[];
    next_page?: unknown;
    result_count?: unknown;
    recordTexts?: string[];
  };
  const next = typeof envelope.next_page === 'string' && envelope.next_page !== '' ? envelope.next_page : null;
  const count = envelope.result_count;
  return {
    results: envelope.results,
    nextPage: next,
    url,
    ...(typeof count === 'number' && Number.isInteger(count) && count >= 0 ? { resultCount: count } : {}),
    ...(envelope.recordTexts ? { recordTexts: envelope.recordTexts } : {}),
  };
}

/** The same URL with page_size set to `size` (the only change we ever make to an opaque next_page link). */
export function withPageSize(url: string, size: number): string {
  const parsed = new URL(url);
  parsed.searchParams.set('page_size', String(size));
  return parsed.toString();
}

export function pageSizeOf(url: string): number | undefined {
  const value = new URL(url).searchParams.get('page_size');
  return value === null ? undefined : Number(value);
}

/** The path of a URL plus its query keys (not values): enough to say which request failed. */
export function redactQuery(url: string): string {
  try {
    const parsed = new URL(url);
    const keys = [...new Set(parsed.searchParams.keys())];
    return `${parsed.pathname}${keys.length > 0 ? `?${keys.join('&')}` : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The entity list (`GET …/entity/`): a list of names, `{results: [...]}` (names or `{name}`), or a `{name: url}` object. */
export function entityNames(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value !== 'object' || value === null) return undefined;
  const results = (value as { results?: unknown }).results;
  if (Array.isArray(results)) {
    return results
      .map((item) => (typeof item === 'string' ? item : (item as { name?: unknown })?.name))
      .filter((name): name is string => typeof name === 'string');
  }
  return Object.keys(value);
}
