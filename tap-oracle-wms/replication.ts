import {
  type Bookmark,
  getBookmark,
  type PartitionContext,
  setBookmark,
  clearBookmark,
  type TapState,
} from '../singer/index.js';
import { formatInstant, formatQuerySeconds, parseInstant, requireInstant } from './instant.js';
import { idOf, idValue } from './transform.js';

/**
 * A slice is one sequential read (one query, followed through next_page): an incremental window, or one id range
 * of a full sync. `afterPage` turns a fully written page into the bookmark change to checkpoint.
 */
export interface Slice {
  label: string;
  params: URLSearchParams;
  /** `ordered`: the page came from an ordered listing (false when the WMS refused the ordering). */
  afterPage(
    records: readonly Record<string, unknown>[],
    ordered?: boolean,
  ): ((state: TapState) => TapState) | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Incremental: mod_ts__gte=<bookmark − overlap> & mod_ts__lt=<signpost>, ordering=mod_ts,id

export interface IncrementalPlan {
  slice: Slice;
  /** The bookmark to store when the window holds no rows at all. */
  initialBookmark: string;
  /** The window's bounds, microseconds since the epoch (the query rounds them to whole seconds). */
  lower: number;
  upper: number;
  /** The saved bookmark the window starts from, if any. */
  saved?: string;
  /** Where the lower bound came from: the bookmark, start_date, or now − initial_lookback_minutes (a first run). */
  from: 'bookmark' | 'start_date' | 'lookback';
}

export interface IncrementalOptions {
  stream: string;
  replicationKey: string;
  state: TapState;
  startDate?: string;
  /** Microseconds since the epoch. */
  signpost: number;
  overlapMinutes: number;
  lookbackMinutes: number;
  /** Microseconds since the epoch. */
  now: number;
}

/**
 * The lower bound is the bookmark minus the overlap (late rows committed with a back-dated mod_ts are caught),
 * else start_date, else now − initial_lookback. Bounds are whole seconds: floor below, ceil above (lgfapi
 * truncates sub-second filters). The bookmark is the max mod_ts seen as an instant, never beyond the signpost.
 */
export function incrementalPlan(options: IncrementalOptions): IncrementalPlan {
  const { stream, replicationKey: key, signpost } = options;
  const saved = getBookmark(options.state, stream);
  const savedValue =
    saved?.replication_key === key && typeof saved.replication_key_value === 'string'
      ? saved.replication_key_value
      : undefined;
  let lower: number;
  let initialBookmark: string;
  let from: IncrementalPlan['from'];
  if (savedValue !== undefined && parseInstant(savedValue) !== undefined) {
    lower = requireInstant(savedValue, `the ${stream} bookmark`) - options.overlapMinutes * 60e6;
    initialBookmark = savedValue;
    from = 'bookmark';
  } else if (options.startDate) {
    lower = requireInstant(options.startDate, 'start_date');
    initialBookmark = options.startDate;
    from = 'start_date';
  } else {
    lower = options.now - options.lookbackMinutes * 60e6;
    initialBookmark = formatInstant(lower);
    from = 'lookback';
  }
  const params = new URLSearchParams();
  params.set(`${key}__gte`, formatQuerySeconds(lower, 'floor'));
  params.set(`${key}__lt`, formatQuerySeconds(signpost, 'ceil'));
  params.set('ordering', `${key},id`);

  let best: { text: string; instant: number } | undefined =
    savedValue === undefined ? undefined : { text: savedValue, instant: requireInstant(savedValue, 'bookmark') };
  const slice: Slice = {
    label: `${stream} ${key} window`,
    params,
    afterPage(records) {
      let changed = false;
      for (const record of records) {
        const value = record[key];
        if (typeof value !== 'string') continue;
        const instant = parseInstant(value);
        if (instant === undefined) continue;
        const capped =
          instant > signpost ? { text: formatInstant(signpost), instant: signpost } : { text: value, instant };
        if (!best || capped.instant > best.instant) {
          best = capped;
          changed = true;
        }
      }
      if (!changed || !best) return undefined;
      const text = best.text;
      return (state) => setBookmark(state, stream, { replication_key: key, replication_key_value: text });
    },
  };
  return { slice, initialBookmark, lower, upper: signpost, saved: savedValue, from };
}

// ---------------------------------------------------------------------------------------------------------------
// Full table: ordering=id, resumable from the last id of each id range (state partitions)

/** One id range of a full sync: `id__gte` inclusive, `id__lt` exclusive; null is open. */
export interface RangeContext extends PartitionContext {
  id_gte: number | string | null;
  id_lt: number | string | null;
}

export interface PartitionBookmark extends Bookmark {
  context: RangeContext;
  complete?: boolean;
}

/** The id ranges a full sync is split into: n ranges of equal id span over [min, max], the ends left open. */
export function splitIdRange(min: bigint, max: bigint, n: number): RangeContext[] {
  const count = BigInt(Math.max(1, n));
  const span = max - min + 1n;
  const parts = span < count ? (span > 0n ? span : 1n) : count;
  const bounds: bigint[] = [];
  for (let i = 1n; i < parts; i += 1n) bounds.push(min + (span * i) / parts);
  const contexts: RangeContext[] = [];
  for (let i = 0; i <= bounds.length; i += 1) {
    contexts.push({
      id_gte: i === 0 ? null : jsonId(bounds[i - 1]),
      id_lt: i === bounds.length ? null : jsonId(bounds[i]),
    });
  }
  return contexts;
}

function jsonId(id: bigint): number | string {
  return id <= BigInt(Number.MAX_SAFE_INTEGER) && id >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id.toString();
}

/**
 * The bookmark an incremental stream takes over when its initial full sync completes: the replication key at the
 * signpost fixed when that full sync started, so every change made while it ran is read by the next window.
 */
export interface Handoff {
  replication_key: string;
  replication_key_value: string;
}

/** The in-progress full sync saved in state (ranges, version, handoff), if any. */
export function savedFullSync(
  state: TapState,
  stream: string,
): { partitions: PartitionBookmark[]; version?: number; handoff?: Handoff } | undefined {
  const saved = state.bookmarks[stream];
  const partitions = saved?.partitions;
  if (!Array.isArray(partitions) || partitions.length === 0) return undefined;
  if (
    !partitions.every((partition) => partition.context && 'id_gte' in partition.context && 'id_lt' in partition.context)
  )
    return undefined;
  const handoff = saved?.handoff as Partial<Handoff> | undefined;
  return {
    partitions: partitions as PartitionBookmark[],
    version: typeof saved?.version === 'number' ? saved.version : undefined,
    handoff:
      typeof handoff?.replication_key === 'string' && typeof handoff.replication_key_value === 'string'
        ? { replication_key: handoff.replication_key, replication_key_value: handoff.replication_key_value }
        : undefined,
  };
}

/** State at the start of a full sync: every range listed, so a resumed run reuses the same ranges. */
export function startFullSync(
  state: TapState,
  stream: string,
  ranges: readonly RangeContext[],
  version: number | undefined,
  handoff?: Handoff,
): TapState {
  const next = clearBookmark(state, stream);
  const partitions: PartitionBookmark[] = ranges.map((context) => ({ context }));
  return {
    ...next,
    bookmarks: {
      ...next.bookmarks,
      [stream]: { ...(version === undefined ? {} : { version }), ...(handoff ? { handoff } : {}), partitions },
    },
  };
}

/** A completed full sync leaves no ranges behind: nothing, or the incremental bookmark it hands over. */
export function finishFullSync(state: TapState, stream: string, handoff?: Handoff): TapState {
  const next = clearBookmark(state, stream);
  return handoff ? { ...next, bookmarks: { ...next.bookmarks, [stream]: { ...handoff } } } : next;
}

/** A slice reading one id range from its last saved id onward. */
export function rangeSlice(
  stream: string,
  partition: PartitionBookmark,
): Slice & { complete(): (state: TapState) => TapState } {
  const context = partition.context;
  const params = new URLSearchParams({ ordering: 'id' });
  const resumeFrom = partition.replication_key === 'id' ? idOf(partition.replication_key_value) : undefined;
  if (resumeFrom !== undefined) params.set('id__gt', resumeFrom.toString());
  else if (context.id_gte !== null) params.set('id__gte', String(context.id_gte));
  if (context.id_lt !== null) params.set('id__lt', String(context.id_lt));
  let last = resumeFrom;
  const label = `${stream} ids [${context.id_gte ?? '…'}, ${context.id_lt ?? '…'})`;
  return {
    label,
    params,
    afterPage(records) {
      for (const record of records) {
        const id = idOf(record.id);
        if (id !== undefined && (last === undefined || id > last)) last = id;
      }
      if (last === undefined) return undefined;
      const value = idValue(last);
      return (state) => setBookmark(state, stream, { replication_key: 'id', replication_key_value: value }, context);
    },
    complete() {
      return (state) =>
        setBookmark(
          state,
          stream,
          {
            ...(last === undefined ? {} : { replication_key: 'id', replication_key_value: idValue(last) }),
            complete: true,
          },
          context,
        );
    },
  };
}
