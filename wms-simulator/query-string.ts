import { WmsError } from './wms-error.js';

export interface QueryPair {
  readonly key: string;
  readonly value: string;
}

/**
 * A query string read the way Django's QueryDict reads it: `+` is a space, every pair is kept (for
 * links), and for a repeated key the last value wins.
 */
export class QueryString {
  readonly last = new Map<string, string>();

  constructor(readonly pairs: readonly QueryPair[]) {
    for (const p of pairs) this.last.set(p.key, p.value);
  }

  static parse(raw: string): QueryString {
    const pairs: QueryPair[] = [];
    for (const part of raw.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const key = decode(eq < 0 ? part : part.slice(0, eq));
      const value = eq < 0 ? '' : decode(part.slice(eq + 1));
      pairs.push({ key, value });
    }
    return new QueryString(pairs);
  }

  get(key: string): string | undefined {
    return this.last.get(key);
  }

  /**
   * The same query with `key` set to `value` (or removed when null), keys sorted as DRF's
   * replace_query_param does, encoded as application/x-www-form-urlencoded.
   */
  with(key: string, value: string | null): string {
    const kept = this.pairs.filter((p) => p.key !== key);
    if (value !== null) kept.push({ key, value });
    kept.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const out = new URLSearchParams();
    for (const p of kept) out.append(p.key, p.value);
    return out.toString();
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw WmsError.validation({ query: 'malformed percent-encoding' }, 'Invalid query string.');
  }
}
