import { type TapState } from '../../singer/index.js';
import type { StoredFile } from './object-store.js';

/**
 * What the state keeps per stream about Data Extract loads, under `bookmarks.<stream>.data_extract`: the files
 * committed (key and etag), whether the load finished, its ACTIVATE_VERSION. Kept after the load finishes (and
 * through later incremental runs, which only change the replication key), so a file listed again is never loaded
 * again. The list grows by one `[key, etag]` pair per file (about 100 bytes; 10,000 files at the 10 MB default for
 * 100 GB of export).
 */
export interface ExtractProgress {
  files: [string, string][];
  complete: boolean;
  version?: number;
}

export function savedExtract(state: TapState, stream: string): ExtractProgress | undefined {
  const saved = state.bookmarks[stream]?.data_extract as Partial<ExtractProgress> | undefined;
  if (typeof saved !== 'object' || saved === null || !Array.isArray(saved.files)) return undefined;
  const files = saved.files.filter(
    (pair): pair is [string, string] =>
      Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'string',
  );
  return {
    files,
    complete: saved.complete === true,
    ...(typeof saved.version === 'number' ? { version: saved.version } : {}),
  };
}

/** The identity of a stored file: a file rewritten under the same key has another etag and is a new file. */
export function fileIdentity(file: StoredFile): string {
  return identity(file.key, file.etag);
}

export function loadedIdentities(progress: ExtractProgress | undefined): Set<string> {
  return new Set((progress?.files ?? []).map(([key, etag]) => identity(key, etag)));
}

function identity(key: string, etag: string): string {
  return `${key}\u0000${etag}`;
}

export function withExtract(state: TapState, stream: string, progress: ExtractProgress): TapState {
  const current = state.bookmarks[stream] ?? {};
  return { ...state, bookmarks: { ...state.bookmarks, [stream]: { ...current, data_extract: progress } } };
}
