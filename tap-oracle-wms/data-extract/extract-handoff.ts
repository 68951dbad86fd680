import { getBookmark, setBookmark, type TapState } from '../../singer/index.js';
import { formatInstant, requireInstant } from '../instant.js';

/**
 * What a finished Data Extract load leaves as the stream's bookmark. `incremental`: the stream syncs incrementally in
 * this state (its next REST run starts from the bookmark), so the bookmark becomes the export's start instant, or stays
 * where it was when that is earlier (re-reading more is safe; skipping is not). `snapshot`: a full job (REST full sync
 * or Data Extract, enable_incremental off) whose state only records where its load began, for the incremental job of
 * the same entity to take over (wms-pipeline meltano-handoff): the export's start replaces the former load's.
 */
export interface ExtractHandoff {
  replicationKey: string;
  kind: 'incremental' | 'snapshot';
}

export function handOver(
  state: TapState,
  stream: string,
  handoff: ExtractHandoff | undefined,
  started: string | undefined,
  warn: (message: string, context?: Record<string, unknown>) => void,
): TapState {
  // Leftovers of an unfinished REST full sync would make the next REST run resume it over the loaded table.
  const { partitions: _partitions, handoff: _handoff, version: _version, ...rest } = state.bookmarks[stream] ?? {};
  const cleared = { ...state, bookmarks: { ...state.bookmarks, [stream]: rest } };
  if (handoff === undefined) return cleared;
  if (started === undefined) {
    warn(
      `${stream}: data_extract.export_started_at is not set: the bookmark is left as it was, so the next incremental run may miss changes made during the export`,
      { stream },
    );
    return cleared;
  }
  const { replicationKey, kind } = handoff;
  const startedMicros = requireInstant(started, 'data_extract.export_started_at');
  const saved = getBookmark(cleared, stream);
  const savedValue =
    kind === 'incremental' &&
    saved?.replication_key === replicationKey &&
    typeof saved.replication_key_value === 'string'
      ? saved.replication_key_value
      : undefined;
  const value =
    savedValue !== undefined && requireInstant(savedValue, `the ${stream} bookmark`) < startedMicros
      ? savedValue
      : formatInstant(startedMicros);
  return setBookmark(cleared, stream, { replication_key: replicationKey, replication_key_value: value });
}
