import { type CatalogEntry, type Logger, ProtocolError, replicationOf, type TapState } from '../singer/index.js';
import { formatInstant, parseInstant } from './instant.js';
import type { Handoff } from './replication.js';
import type { TapConfig } from './settings.js';

/**
 * A bookmark later than the start of this run cannot come from a run of this tap (bookmarks never pass the
 * signpost): the state was edited, or came from elsewhere. An incremental window starting there reads nothing until
 * that date, silently. Refused (exit 3, issue 15 item 9) unless allow_future_bookmarks, then a warning per stream.
 */
export function checkFutureBookmarks(
  streams: readonly CatalogEntry[],
  state: TapState,
  config: Pick<TapConfig, 'allow_future_bookmarks' | 'enable_incremental'>,
  logger: Logger,
  startedMs: number,
): void {
  const now = startedMs * 1000;
  for (const entry of streams) {
    const saved = state.bookmarks[entry.tap_stream_id];
    const replication = replicationOf(entry);
    if (!saved || !config.enable_incremental || replication.method !== 'INCREMENTAL') continue;
    const handoff = saved.handoff as Partial<Handoff> | undefined;
    for (const bookmark of [saved, handoff]) {
      const value = bookmark?.replication_key_value;
      if (typeof value !== 'string' || bookmark?.replication_key !== replication.replicationKey) continue;
      const instant = bookmarkInstant(value);
      if (instant === undefined || instant <= now) continue;
      const stream = entry.tap_stream_id;
      const key = replication.replicationKey;
      const start = formatInstant(now);
      if (!config.allow_future_bookmarks) {
        throw new ProtocolError(
          `Refused: the state's bookmark for stream '${stream}' (${key} ${value}) is later than the start of this run (${start}): an incremental sync from it would read nothing until then. Correct or remove that bookmark in the state, or set allow_future_bookmarks to true to sync from it anyway`,
          { stream },
        );
      }
      logger.warning(
        `The state's bookmark for stream '${stream}' (${key} ${value}) is later than the start of this run (${start}); syncing from it because allow_future_bookmarks is true`,
        { stream },
      );
    }
  }
}

/** A bookmark as an instant: an RFC 3339 date-time, or a bare date (midnight UTC). */
function bookmarkInstant(value: string): number | undefined {
  const text = value.trim();
  return parseInstant(text) ?? (/^\d{4}-\d{2}-\d{2}$/.test(text) ? parseInstant(`${text}T00:00:00Z`) : undefined);
}
