import { getBookmark, setBookmark, type TapState } from '../../singer/index.js';
import { formatInstant, requireInstant } from '../instant.js';

/**
 * The bookmark an incremental stream takes after a Data Extract load: the export's start instant, or the bookmark
 * it had when that is earlier (re-reading more is safe; skipping is not).
 */
export function handOver(
  state: TapState,
  stream: string,
  replicationKey: string | undefined,
  started: string | undefined,
  warn: (message: string, context?: Record<string, unknown>) => void,
): TapState {
  // Leftovers of an unfinished REST full sync would make the next REST run resume it over the loaded table.
  const { partitions: _partitions, handoff: _handoff, version: _version, ...rest } = state.bookmarks[stream] ?? {};
  const cleared = { ...state, bookmarks: { ...state.bookmarks, [stream]: rest } };
  if (replicationKey === undefined) return cleared;
  if (started === undefined) {
    warn(
      `${stream}: data_extract.export_started_at is not set: the bookmark is left as it was, so the next incremental run may miss changes made during the export`,
      { stream },
    );
    return cleared;
  }
  const startedMicros = requireInstant(started, 'data_extract.export_started_at');
  const saved = getBookmark(cleared, stream);
  const savedValue =
    saved?.replication_key === replicationKey && typeof saved.replication_key_value === 'string'
      ? saved.replication_key_value
      : undefined;
  const value =
    savedValue !== undefined && requireInstant(savedValue, `the ${stream} bookmark`) < startedMicros
      ? savedValue
      : formatInstant(startedMicros);
  return setBookmark(cleared, stream, { replication_key: replicationKey, replication_key_value: value });
}
