import { setBookmark, type TapState } from '../singer/index.js';
import { forEachConcurrent } from './concurrency.js';
import { announceLookback } from './first-run.js';
import { readSlice, type StreamDeps } from './read-slice.js';
import { type IncrementalPlan, incrementalPlan, type Slice } from './replication.js';
import { PrefixBookmark, splitWindow, subWindowParams } from './subwindows.js';
import type { RunClock } from './sync.js';

/**
 * One incremental window of a stream, from its bookmark (or start_date, or the lookback) to the signpost; with
 * incremental_subwindows > 1, split into time sub-windows read concurrently under one bookmark.
 */
export async function incrementalSync(
  stream: string,
  replicationKey: string,
  deps: StreamDeps,
  clock: RunClock,
): Promise<void> {
  const { config, output, logger } = deps;
  const plan = incrementalPlan({
    stream,
    replicationKey,
    state: output.state,
    startDate: config.start_date,
    signpost: clock.signpost,
    overlapMinutes: config.incremental_overlap_minutes,
    lookbackMinutes: config.initial_lookback_minutes,
    now: clock.startedMs * 1000,
  });
  const from = plan.slice.params.get(`${replicationKey}__gte`);
  const to = plan.slice.params.get(`${replicationKey}__lt`);
  deps.progress.window = `${replicationKey} ${from} to ${to}`;
  logger.info(`${stream}: incremental from ${from} to ${to}`, { stream });
  if (plan.from === 'lookback') await announceLookback(stream, deps.progress.window, deps);
  if (config.incremental_subwindows > 1) await readSubWindows(stream, replicationKey, plan, deps);
  else await readSlice(stream, plan.slice, deps);
  if (
    !output.state.bookmarks[stream]?.replication_key_value ||
    output.state.bookmarks[stream]?.replication_key !== replicationKey
  ) {
    await output.checkpoint((state) => ({
      ...state,
      bookmarks: {
        ...state.bookmarks,
        [stream]: { replication_key: replicationKey, replication_key_value: plan.initialBookmark },
      },
    }));
  }
}

/**
 * The window in incremental_subwindows sub-windows, at most max_concurrent_requests read at once. Each page and each
 * completed sub-window may move the one bookmark, and only as far as the contiguous completed prefix allows.
 */
async function readSubWindows(stream: string, key: string, plan: IncrementalPlan, deps: StreamDeps): Promise<void> {
  const windows = splitWindow(plan.lower, plan.upper, deps.config.incremental_subwindows);
  const prefix = new PrefixBookmark(windows, plan.upper, plan.saved);
  let offered = plan.saved;
  // The update reads the prefix's bookmark when the output applies it (never an older value than it had), so an
  // update held back (an unordered page's) cannot move the bookmark back.
  const apply = (state: TapState): TapState => {
    const value = prefix.bookmark();
    return value === undefined
      ? state
      : setBookmark(state, stream, { replication_key: key, replication_key_value: value });
  };
  const advance = () => {
    const value = prefix.bookmark();
    if (value === undefined || value === offered) return undefined;
    offered = value;
    return apply;
  };
  deps.logger.info(`${stream}: the window in ${windows.length} sub-windows`, { stream });
  const failed = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, failed.signal]) : failed.signal;
  await forEachConcurrent(
    windows,
    deps.config.max_concurrent_requests,
    async (window, index) => {
      const slice: Slice = {
        label: `${stream} ${key} sub-window ${index + 1} of ${windows.length}`,
        params: subWindowParams(key, window),
        afterPage(records, ordered) {
          prefix.page(
            index,
            records.map((record) => record[key]),
            ordered !== false,
          );
          return advance();
        },
      };
      await readSlice(stream, slice, { ...deps, signal });
      prefix.complete(index);
      await deps.output.checkpoint(apply);
    },
    () => failed.abort('another sub-window failed'),
  );
}
