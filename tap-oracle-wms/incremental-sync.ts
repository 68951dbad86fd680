import { incrementalPlan } from './replication.js';
import { readSlice, type StreamDeps } from './read-slice.js';
import type { RunClock } from './sync.js';

/** One incremental window of a stream, from its bookmark (or start_date, or the lookback) to the signpost. */
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
  logger.info(
    `${stream}: incremental from ${plan.slice.params.get(`${replicationKey}__gte`)} to ${plan.slice.params.get(`${replicationKey}__lt`)}`,
    { stream },
  );
  await readSlice(stream, plan.slice, deps);
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
