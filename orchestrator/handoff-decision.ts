/**
 * Full → incremental handoff of one entity: between two Meltano jobs, each with its own state id (meltano-handoff.ts),
 * or from `wms-pipeline initial-load` to the incremental runs of its company/facility (initial-load.ts). States are
 * in Meltano's shape, `{singer_state: …}`; the direct runner's raw Singer states are wrapped. A completed full
 * load leaves, in the full job's state, the instant its snapshot began (the stream's bookmark: replication key and
 * value, no id ranges left; through Data Extract, the export's start, its `data_extract` progress complete). The
 * incremental job takes that instant over as its bookmark once per completed full load, even when it is earlier than
 * the incremental job's own bookmark: rows changed while the full load ran are read again,
 * and their newest version is upserted over whatever the full load wrote. The marker records which full load was taken
 * over, so later runs keep their own bookmark until another full load completes.
 */
export const TAKEN_OVER = 'full_load_taken_over';

interface MeltanoState {
  singer_state?: { bookmarks?: Record<string, Record<string, unknown>> } & Record<string, unknown>;
}

export type HandoffDecision =
  { action: 'set'; state: MeltanoState; snapshotStart: string } | { action: 'none'; reason: string };

/** What the incremental state becomes, if anything, given both jobs' states (the values `meltano state get` prints). */
export function handoffDecision(full: unknown, incremental: unknown, stream: string): HandoffDecision {
  const fullBookmark = bookmarksOf(full)?.[stream];
  if (!fullBookmark) return { action: 'none', reason: 'the full job has no state for it (no full load completed)' };
  if (Array.isArray(fullBookmark.partitions))
    return { action: 'none', reason: 'the full job has not completed its full load (id ranges still open)' };
  // A Data Extract load under way may sit beside the start of a former load: that one is not this load's start.
  if (isUnfinishedExtract(fullBookmark.data_extract))
    return { action: 'none', reason: 'the full job has not completed its Data Extract load (files still to load)' };
  const key = fullBookmark.replication_key;
  const start = fullBookmark.replication_key_value;
  if (typeof key !== 'string' || typeof start !== 'string')
    return {
      action: 'none',
      reason:
        'the full job recorded no snapshot start (a full load from an older tap version, or a Data Extract load without data_extract.export_started_at)',
    };
  const current = bookmarksOf(incremental)?.[stream];
  if (current?.[TAKEN_OVER] === start)
    return { action: 'none', reason: `the full load that began at ${start} was already taken over` };
  const base = (typeof incremental === 'object' && incremental !== null ? incremental : {}) as MeltanoState;
  const singer = base.singer_state ?? {};
  return {
    action: 'set',
    snapshotStart: start,
    state: {
      ...base,
      singer_state: {
        ...singer,
        bookmarks: {
          ...(singer.bookmarks ?? {}),
          [stream]: { replication_key: key, replication_key_value: start, [TAKEN_OVER]: start },
        },
      },
    },
  };
}

function isUnfinishedExtract(extract: unknown): boolean {
  return typeof extract === 'object' && extract !== null && (extract as { complete?: unknown }).complete === false;
}

function bookmarksOf(state: unknown): Record<string, Record<string, unknown>> | undefined {
  const singer = (state as MeltanoState | undefined)?.singer_state;
  const bookmarks = singer?.bookmarks;
  return typeof bookmarks === 'object' && bookmarks !== null ? bookmarks : undefined;
}
