import { type TapState } from '../singer/index.js';
import { forEachConcurrent } from './concurrency.js';
import { refusedParameter } from './http/errors.js';
import { idBounds } from './id-bounds.js';
import { readSlice, type StreamDeps } from './read-slice.js';
import {
  finishFullSync,
  type Handoff,
  type PartitionBookmark,
  rangeSlice,
  savedFullSync,
  splitIdRange,
  startFullSync,
} from './replication.js';
import type { TapConfig } from './settings.js';

/**
 * An incremental stream starts with a full sync when initial_sync is full and it has neither bookmark nor
 * start_date, and goes on with one that an earlier run left unfinished (its ranges are in the state).
 */
export function startsWithFullSync(
  stream: string,
  replicationKey: string,
  state: TapState,
  config: TapConfig,
): boolean {
  if (savedFullSync(state, stream)) return true;
  const saved = state.bookmarks[stream];
  const hasBookmark = saved?.replication_key === replicationKey && typeof saved.replication_key_value === 'string';
  return config.initial_sync === 'full' && !hasBookmark && !config.start_date;
}

/**
 * Full table: id ranges (resumed from state, or planned from min/max id) read concurrently, ACTIVATE_VERSION around
 * (in every run of the sync, a resumed one too).
 * With a handoff (an incremental stream's initial full sync), the completed sync leaves the incremental bookmark at
 * the signpost of the run that started it; a resumed sync keeps that first signpost, whatever the current run's.
 */
export async function fullSync(stream: string, deps: StreamDeps, handoff?: Handoff): Promise<void> {
  const { config, output, logger } = deps;
  const saved = savedFullSync(output.state, stream);
  let partitions: PartitionBookmark[];
  let version: number | undefined;
  let finalHandoff = handoff;
  if (saved) {
    // A full sync started without a handoff never hands one over: a later signpost would skip changes made before it.
    finalHandoff = handoff ? saved.handoff : undefined;
    partitions = saved.partitions;
    // The saved version only: a sync begun without one (emit_activate_version off then) sent rows of no version, and a
    // fresh version closed now would retire the rows of its ranges done before.
    version = config.emit_activate_version ? saved.version : undefined;
    const open = partitions.filter((partition) => !partition.complete).length;
    logger.info(`${stream}: resuming a full sync (${open} of ${partitions.length} id ranges left)`, { stream });
  } else {
    const ranges = await planRanges(stream, deps);
    version = config.emit_activate_version ? deps.now() : undefined;
    await output.checkpoint((state) => startFullSync(state, stream, ranges, version, handoff));
    partitions = ranges.map((context) => ({ context }));
    logger.info(`${stream}: full sync in ${ranges.length} id range(s)`, { stream });
  }
  // Every run of a full sync, fresh or resumed, announces its version first and closes it last: the target takes
  // the second message of a version in one run as the closing one even with no rows between (a resumed sync whose
  // ranges were all done before the kill, or an entity with no rows left), and only the closing one retires rows.
  if (version !== undefined) await output.write({ type: 'ACTIVATE_VERSION', stream, version });
  const open = partitions.filter((partition) => !partition.complete);
  const failed = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, failed.signal]) : failed.signal;
  await forEachConcurrent(
    open,
    config.max_concurrent_requests,
    async (partition) => {
      const slice = rangeSlice(stream, partition);
      await readSlice(stream, slice, { ...deps, version, signal });
      await output.checkpoint(slice.complete());
    },
    () => failed.abort('another id range failed'),
  );
  if (version !== undefined) await output.write({ type: 'ACTIVATE_VERSION', stream, version });
  await output.checkpoint((state) => finishFullSync(state, stream, finalHandoff));
}

/** min and max id from two one-row ordered queries, split into full_sync_partitions ranges. */
async function planRanges(
  stream: string,
  deps: StreamDeps,
): Promise<{ id_gte: number | string | null; id_lt: number | string | null }[]> {
  const wanted =
    deps.config.full_sync_partitions > 0 ? deps.config.full_sync_partitions : deps.config.max_concurrent_requests;
  if (wanted <= 1) return [{ id_gte: null, id_lt: null }];
  let bounds: { min: bigint; max: bigint } | undefined;
  try {
    bounds = await idBounds(deps.source, stream, deps.filters, deps.config);
  } catch (error) {
    if (!refusedParameter(error, 'ordering')) throw error;
    deps.logger.warning(`${stream}: the WMS refused ordering by id; full sync in one unordered range`, { stream });
    return [{ id_gte: null, id_lt: null }];
  }
  if (bounds === undefined) return [{ id_gte: null, id_lt: null }];
  const { min, max } = bounds;
  // Ranges much smaller than a page only add requests.
  const bySpan = Number((max - min + 1n) / BigInt(deps.config.page_size)) + 1;
  return splitIdRange(min, max, Math.min(wanted, bySpan));
}
