/**
 * Tap state in the SDK's shape:
 * `{"bookmarks": {"<stream>": {"replication_key": "mod_ts", "replication_key_value": "…",
 *   "partitions": [{"context": {…}, "replication_key": "id", "replication_key_value": 123}]}}}`.
 * All helpers are pure: they return a new state.
 */

export type PartitionContext = Record<string, string | number | boolean | null>;

export interface Bookmark {
  replication_key?: string;
  replication_key_value?: unknown;
  [key: string]: unknown;
}

export interface StreamBookmarks extends Bookmark {
  partitions?: (Bookmark & { context: PartitionContext })[];
}

export interface TapState {
  bookmarks: Record<string, StreamBookmarks>;
  [key: string]: unknown;
}

export function emptyState(): TapState {
  return { bookmarks: {} };
}

/** Accepts what Meltano passes with --state: a state value, `{}`, or (defensively) a STATE message envelope. */
export function normalizeState(value: unknown): TapState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return emptyState();
  const record = value as Record<string, unknown>;
  if (record.type === 'STATE' && 'value' in record) return normalizeState(record.value);
  const bookmarks = record.bookmarks;
  return {
    ...record,
    bookmarks:
      typeof bookmarks === 'object' && bookmarks !== null && !Array.isArray(bookmarks)
        ? (bookmarks as Record<string, StreamBookmarks>)
        : {},
  };
}

export function getBookmark(state: TapState, stream: string, context?: PartitionContext): Bookmark | undefined {
  const streamBookmarks = state.bookmarks[stream];
  if (!streamBookmarks) return undefined;
  if (!context) return streamBookmarks;
  return streamBookmarks.partitions?.find((partition) => sameContext(partition.context, context));
}

export function setBookmark(state: TapState, stream: string, bookmark: Bookmark, context?: PartitionContext): TapState {
  const current = state.bookmarks[stream] ?? {};
  let next: StreamBookmarks;
  if (!context) {
    next = { ...current, ...bookmark };
  } else {
    const partitions = (current.partitions ?? []).filter((partition) => !sameContext(partition.context, context));
    next = { ...current, partitions: [...partitions, { context, ...bookmark }] };
  }
  return { ...state, bookmarks: { ...state.bookmarks, [stream]: next } };
}

export function clearBookmark(state: TapState, stream: string): TapState {
  const bookmarks = { ...state.bookmarks };
  delete bookmarks[stream];
  return { ...state, bookmarks };
}

function sameContext(a: PartitionContext, b: PartitionContext): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
