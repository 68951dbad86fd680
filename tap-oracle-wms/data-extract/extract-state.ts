import { type TapState } from '../../singer/index.js';
import { compareKeys, type StoredFile } from './object-store.js';

/** A committed file by its key and etag: a file rewritten under the same key has another etag. */
export interface FileMark {
  key: string;
  etag: string;
}

/**
 * What the state keeps per stream about a Data Extract load, under `bookmarks.<stream>.data_extract`: the entity
 * prefix it reads, the last file it committed, whether it finished, its ACTIVATE_VERSION. Files are committed in key
 * order, so the last one is a watermark: every file before it was loaded too. The state stays the same size however
 * many files the export has (it listed every file once: O(files²) bytes of STATE over a load). Kept after the load
 * finishes (and through later incremental runs, which only change the replication key), so a file listed again is
 * never loaded again.
 */
export interface ExtractProgress {
  prefix: string;
  /** The last file committed; absent until the first file is. */
  through?: FileMark;
  complete: boolean;
  version?: number;
  /** Trigger mode: the export this load follows, recorded once WMS accepted it (a rerun follows it again). */
  export?: TriggeredExport;
  /**
   * Trigger mode, until the load is whole: the files committed, as [key after the prefix, etag]. Files load as they
   * land, not in key order (a late file comes after greater keys), so no watermark can stand for them; the list
   * (about 40 bytes a file) is replaced by the watermark when the load finishes.
   */
  loaded?: [string, string][];
}

/** A Data Extract export the tap asked for: what a rerun needs to follow it instead of asking again. */
export interface TriggeredExport {
  /** The unique_identifier the status call takes. */
  id: string;
  /** When it was requested (UTC, the handoff bookmark). */
  requested_at: string;
  /** Its filter (the window), so a rerun with another window asks anew. */
  filter: Record<string, string>;
}

/**
 * The saved progress of a load of the files under `prefix`, or undefined (none, or a load of another prefix: another
 * export). The shape before the watermark (`files`: every committed `[key, etag]`) is read as its greatest key.
 */
export function savedExtract(state: TapState, stream: string, prefix: string): ExtractProgress | undefined {
  const saved = state.bookmarks[stream]?.data_extract;
  if (typeof saved !== 'object' || saved === null) return undefined;
  const fields = saved as Record<string, unknown>;
  const complete = fields.complete === true;
  const version = typeof fields.version === 'number' ? { version: fields.version } : {};
  if (Array.isArray(fields.files)) {
    const through = greatestListed(fields.files);
    if (through === undefined || !through.key.startsWith(prefix)) return undefined;
    return { prefix, through, complete, ...version };
  }
  if (fields.prefix !== prefix) return undefined;
  const mark = fields.through as Partial<FileMark> | undefined;
  const through =
    typeof mark?.key === 'string' && typeof mark.etag === 'string' ? { key: mark.key, etag: mark.etag } : undefined;
  return { prefix, ...(through ? { through } : {}), complete, ...version };
}

/** The greatest key of the former shape's `[key, etag]` list, with its etag. */
function greatestListed(files: unknown[]): FileMark | undefined {
  let greatest: FileMark | undefined;
  for (const pair of files) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') continue;
    if (greatest === undefined || compareKeys(pair[0], greatest.key) > 0) greatest = { key: pair[0], etag: pair[1] };
  }
  return greatest;
}

/**
 * Whether a listed file was loaded: a key before the watermark's, or the watermark's file itself. The same key with
 * another etag is the file rewritten: a new file.
 */
export function wasLoaded(progress: ExtractProgress | undefined, file: StoredFile): boolean {
  const through = progress?.through;
  if (through === undefined) return false;
  const order = compareKeys(file.key, through.key);
  return order < 0 || (order === 0 && file.etag === through.etag);
}

/** An unfinished trigger-mode load of `stream` and the export it follows, or undefined. */
export function savedTriggerLoad(
  state: TapState,
  stream: string,
): (ExtractProgress & { export: TriggeredExport }) | undefined {
  const saved = state.bookmarks[stream]?.data_extract;
  if (typeof saved !== 'object' || saved === null) return undefined;
  const fields = saved as Record<string, unknown>;
  const ref = fields.export as Partial<TriggeredExport> | undefined;
  if (fields.complete === true || typeof fields.prefix !== 'string') return undefined;
  if (typeof ref?.id !== 'string' || typeof ref.requested_at !== 'string' || typeof ref.filter !== 'object')
    return undefined;
  const loaded = Array.isArray(fields.loaded)
    ? fields.loaded.filter(
        (pair): pair is [string, string] =>
          Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string',
      )
    : [];
  return {
    prefix: fields.prefix,
    complete: false,
    ...(typeof fields.version === 'number' ? { version: fields.version } : {}),
    export: { id: ref.id, requested_at: ref.requested_at, filter: { ...ref.filter } },
    loaded,
  };
}

export function withExtract(state: TapState, stream: string, progress: ExtractProgress): TapState {
  const current = state.bookmarks[stream] ?? {};
  return { ...state, bookmarks: { ...state.bookmarks, [stream]: { ...current, data_extract: progress } } };
}
