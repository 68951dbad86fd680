import {
  type Catalog,
  type CatalogEntry,
  InterruptedError,
  isStreamSelected,
  SourceError,
  type JsonSchema,
  keyPropertiesOf,
  type Logger,
  type Metrics,
  replicationOf,
  selectedProperties,
  type TapState,
} from '../singer/index.js';
import { forEachConcurrent } from './concurrency.js';
import type { WmsSource } from './http/client.js';
import { refusedParameter } from './http/errors.js';
import { pageSizeOf } from './http/pagination.js';
import { idBounds } from './id-bounds.js';
import { formatInstant } from './instant.js';
import type { SingerOutput } from './output.js';
import { mergeParams, pagingParams, streamFilters, withinIdRange } from './query.js';
import {
  finishFullSync,
  type Handoff,
  incrementalPlan,
  type PartitionBookmark,
  rangeSlice,
  savedFullSync,
  type Slice,
  splitIdRange,
  startFullSync,
} from './replication.js';
import type { TapConfig } from './settings.js';
import { withDecimalForm } from './singer-decimal.js';
import { idOf, recordTransform, type RecordTransform } from './transform.js';

export interface SyncDeps {
  source: WmsSource;
  config: TapConfig;
  output: SingerOutput;
  logger: Logger;
  metrics: Metrics;
  /** Milliseconds since the epoch; the signpost is fixed from it once, when the sync starts. */
  now?: () => number;
  signal?: AbortSignal;
  /** `--test`: 'records' syncs one record per stream (no STATE), 'schema' only writes SCHEMA messages. */
  testMode?: 'records' | 'schema';
}

/** Seconds between progress lines (and record_count metrics) of a long stream. */
const PROGRESS_INTERVAL_MS = 15_000;

/** Syncs every selected stream, at most max_concurrent_requests streams at once. */
export async function sync(catalog: Catalog, deps: SyncDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const startedMs = now();
  const signpost = (startedMs - deps.config.replication_lag_seconds * 1000) * 1000;
  const streams = catalog.streams.filter(isStreamSelected);
  if (streams.length === 0) deps.logger.warning('No stream is selected in the catalog: nothing to sync');
  // A failed stream stops the others after their current page, so the run fails fast with the first error.
  const failed = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, failed.signal]) : failed.signal;
  try {
    await forEachConcurrent(
      streams,
      deps.config.max_concurrent_requests,
      (entry) => syncStream(entry, { ...deps, now, signal }, { signpost, startedMs }),
      () => failed.abort('another stream failed'),
    );
  } finally {
    await deps.output.end();
  }
}

interface RunClock {
  /** Microseconds since the epoch. */
  signpost: number;
  startedMs: number;
}

async function syncStream(entry: CatalogEntry, deps: SyncDeps & { now: () => number }, clock: RunClock): Promise<void> {
  const { config, output, logger } = deps;
  const stream = entry.tap_stream_id;
  const selected = selectedProperties(entry);
  const replication = config.enable_incremental ? replicationOf(entry) : { method: 'FULL_TABLE' as const };
  const incremental = replication.method === 'INCREMENTAL' && replication.replicationKey !== undefined;
  await output.write({
    type: 'SCHEMA',
    stream,
    // Whatever form the catalog has (it may predate the setting), decimals go out as use_singer_decimal says.
    schema: withDecimalForm(selectedSchema(entry.schema, selected), config.use_singer_decimal),
    key_properties: keyPropertiesOf(entry),
    ...(incremental ? { bookmark_properties: [replication.replicationKey as string] } : {}),
  });
  if (deps.testMode === 'schema') return;

  const transform = recordTransform(entry, selected, config.flatten_relations, config.use_singer_decimal);
  const filters = streamFilters(stream, entry, config);
  const progress = new Progress(stream, logger, deps.metrics);

  if (deps.testMode === 'records') {
    await readSlice(
      stream,
      { label: `${stream} test`, params: new URLSearchParams(), afterPage: () => undefined },
      { ...deps, filters, transform, progress, pageSize: 1, limit: 1 },
    );
  } else if (incremental && startsWithFullSync(stream, replication.replicationKey as string, output.state, config)) {
    const handoff = {
      replication_key: replication.replicationKey as string,
      replication_key_value: formatInstant(clock.signpost),
    };
    logger.info(
      `${stream}: no bookmark yet: a full sync first, then incremental from its start (${handoff.replication_key_value})`,
      { stream },
    );
    await fullSync(stream, { ...deps, filters, transform, progress }, handoff);
  } else if (incremental) {
    const plan = incrementalPlan({
      stream,
      replicationKey: replication.replicationKey as string,
      state: output.state,
      startDate: config.start_date,
      signpost: clock.signpost,
      overlapMinutes: config.incremental_overlap_minutes,
      lookbackMinutes: config.initial_lookback_minutes,
      now: clock.startedMs * 1000,
    });
    logger.info(
      `${stream}: incremental from ${plan.slice.params.get(`${replication.replicationKey}__gte`)} to ${plan.slice.params.get(`${replication.replicationKey}__lt`)}`,
      { stream },
    );
    await readSlice(stream, plan.slice, { ...deps, filters, transform, progress });
    if (
      !output.state.bookmarks[stream]?.replication_key_value ||
      output.state.bookmarks[stream]?.replication_key !== replication.replicationKey
    ) {
      await output.checkpoint((state) => ({
        ...state,
        bookmarks: {
          ...state.bookmarks,
          [stream]: { replication_key: replication.replicationKey, replication_key_value: plan.initialBookmark },
        },
      }));
    }
  } else {
    await fullSync(stream, { ...deps, filters, transform, progress });
  }
  progress.finish();
}

interface StreamDeps extends SyncDeps {
  now: () => number;
  filters: URLSearchParams;
  transform: RecordTransform;
  progress: Progress;
  pageSize?: number;
  limit?: number;
  version?: number;
}

/** The sync loop, written once: pages → records → RECORD lines → bookmark → STATE, page by page. */
async function readSlice(stream: string, slice: Slice, deps: StreamDeps): Promise<void> {
  const params = withinIdRange(
    mergeParams(deps.filters, slice.params, pagingParams(deps.config, deps.pageSize)),
    deps.config,
  );
  const state = { pages: 0 };
  try {
    if (deps.config.page_mode === 'paged' && params.get('ordering') === 'id')
      await readByIdKeyset(stream, slice, params, deps, state);
    else await readPages(stream, slice, params, deps, true, state);
  } catch (error) {
    // Some entities refuse an ordering (a 400 naming it); then scan unordered and bookmark only once complete.
    if (!refusedParameter(error, 'ordering') || state.pages > 0 || !params.has('ordering')) throw error;
    deps.logger.warning(
      `${stream}: the WMS refused ordering=${params.get('ordering')}; reading unordered (resumable only after the slice completes)`,
      { stream },
    );
    params.delete('ordering');
    await readPages(stream, slice, params, deps, false, state);
  }
  deps.logger.debug(`${slice.label}: complete after ${state.pages} page(s)`, { stream });
}

/**
 * Paged mode by id: real tenants' paged listings can end early (a stale page_count) or skip rows (a short page in the
 * middle, after which page N+1 starts past rows never sent). So a listing stops at a short page, and every listing is
 * followed by another that starts after the last id read (`id__gt`), until one comes back empty: nothing is skipped,
 * nothing read twice. It costs one extra request per id range (the empty answer that confirms the end). A page that
 * keeps answering 5xx after pages of the listing were read (a phantom page past a stale count) is passed the same way.
 */
async function readByIdKeyset(
  stream: string,
  slice: Slice,
  params: URLSearchParams,
  deps: StreamDeps,
  progress: { pages: number },
): Promise<void> {
  let listing = params;
  for (;;) {
    const read: ListingRead = { rows: 0 };
    try {
      await readPages(stream, slice, listing, deps, true, progress, read);
    } catch (error) {
      // A page past a stale page_count (a phantom) answers 500 however often it is retried. After pages of this
      // listing were read, go on after the last id: if the WMS is really down, that first page fails the run.
      if (!(error instanceof SourceError) || (error.status ?? 0) < 500 || read.rows === 0) throw error;
      deps.logger.warning(
        `${stream}: a page in mid-listing kept failing (HTTP ${error.status}); going on after the last id read`,
        { stream },
      );
    }
    if (read.rows === 0 || read.lastId === undefined) return;
    listing = new URLSearchParams(listing);
    listing.delete('id__gte');
    listing.set('id__gt', read.lastId.toString());
  }
}

/** What one listing has written so far (kept up to date page by page, so it is known when a page fails). */
interface ListingRead {
  rows: number;
  lastId?: bigint;
}

async function readPages(
  stream: string,
  slice: Slice,
  params: URLSearchParams,
  deps: StreamDeps,
  sorted: boolean,
  progress: { pages: number },
  keyset?: ListingRead,
): Promise<void> {
  let written = 0;
  let pending: ((state: TapState) => TapState) | undefined;
  for await (const page of deps.source.pages(stream, params)) {
    progress.pages += 1;
    const timeExtracted = new Date(deps.now()).toISOString();
    let raws = page.results;
    if (deps.limit !== undefined) raws = raws.slice(0, deps.limit - written);
    await deps.output.records(stream, raws.map(deps.transform), timeExtracted, deps.version);
    written += raws.length;
    deps.progress.add(raws.length);
    const update = slice.afterPage(raws);
    if (deps.testMode !== undefined) {
      if (deps.limit !== undefined && written >= deps.limit) return;
    } else if (update && sorted) {
      await deps.output.checkpoint(update);
    } else if (update) {
      pending = update;
    }
    if (deps.signal?.aborted) throw new InterruptedError(String(deps.signal.reason ?? 'SIGTERM'));
    if (!keyset) continue;
    keyset.rows += raws.length;
    for (const raw of raws) {
      const id = idOf(raw.id);
      if (id !== undefined && (keyset.lastId === undefined || id > keyset.lastId)) keyset.lastId = id;
    }
    const size = pageSizeOf(page.url);
    if (page.nextPage !== null && size !== undefined && page.results.length < size) {
      deps.logger.warning(
        `${stream}: a page of ${page.results.length} rows (page_size ${size}) in mid-listing; going on after the last id read`,
        { stream },
      );
      break;
    }
  }
  if (pending) await deps.output.checkpoint(pending);
}

/**
 * An incremental stream starts with a full sync when initial_sync is full and it has neither bookmark nor
 * start_date, and goes on with one that an earlier run left unfinished (its ranges are in the state).
 */
function startsWithFullSync(stream: string, replicationKey: string, state: TapState, config: TapConfig): boolean {
  if (savedFullSync(state, stream)) return true;
  const saved = state.bookmarks[stream];
  const hasBookmark = saved?.replication_key === replicationKey && typeof saved.replication_key_value === 'string';
  return config.initial_sync === 'full' && !hasBookmark && !config.start_date;
}

/**
 * Full table: id ranges (resumed from state, or planned from min/max id) read concurrently, ACTIVATE_VERSION around.
 * With a handoff (an incremental stream's initial full sync), the completed sync leaves the incremental bookmark at
 * the signpost of the run that started it; a resumed sync keeps that first signpost, whatever the current run's.
 */
async function fullSync(stream: string, deps: StreamDeps, handoff?: Handoff): Promise<void> {
  const { config, output, logger } = deps;
  const saved = savedFullSync(output.state, stream);
  let partitions: PartitionBookmark[];
  let version: number | undefined;
  let finalHandoff = handoff;
  if (saved) {
    // A full sync started without a handoff never hands one over: a later signpost would skip changes made before it.
    finalHandoff = handoff ? saved.handoff : undefined;
    partitions = saved.partitions;
    version = config.emit_activate_version ? (saved.version ?? deps.now()) : undefined;
    const open = partitions.filter((partition) => !partition.complete).length;
    logger.info(`${stream}: resuming a full sync (${open} of ${partitions.length} id ranges left)`, { stream });
  } else {
    const ranges = await planRanges(stream, deps);
    version = config.emit_activate_version ? deps.now() : undefined;
    await output.checkpoint((state) => startFullSync(state, stream, ranges, version, handoff));
    partitions = ranges.map((context) => ({ context }));
    if (version !== undefined) await output.write({ type: 'ACTIVATE_VERSION', stream, version });
    logger.info(`${stream}: full sync in ${ranges.length} id range(s)`, { stream });
  }
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

/** The catalog schema restricted to the selected properties. */
function selectedSchema(schema: JsonSchema, selected: readonly string[]): JsonSchema {
  const properties = schema.properties ?? {};
  return { ...schema, properties: Object.fromEntries(selected.map((name) => [name, properties[name]])) };
}

/** Rows and rows/s per stream on stderr, plus record_count METRIC increments. */
class Progress {
  readonly #stream: string;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #started = Date.now();
  #rows = 0;
  #unreported = 0;
  #lastReport = Date.now();

  constructor(stream: string, logger: Logger, metrics: Metrics) {
    this.#stream = stream;
    this.#logger = logger;
    this.#metrics = metrics;
  }

  add(rows: number): void {
    this.#rows += rows;
    this.#unreported += rows;
    if (Date.now() - this.#lastReport >= PROGRESS_INTERVAL_MS) this.#report('running');
  }

  finish(): void {
    this.#report('done');
  }

  #report(phase: 'running' | 'done'): void {
    const seconds = (Date.now() - this.#started) / 1000;
    const rate = seconds > 0 ? Math.round(this.#rows / seconds) : this.#rows;
    this.#metrics.counter('record_count', this.#unreported, { stream: this.#stream });
    this.#logger.info(
      `${this.#stream}: ${this.#rows} rows in ${seconds.toFixed(1)} s (${rate} rows/s)${phase === 'done' ? ', done' : ''}`,
      { stream: this.#stream },
    );
    this.#unreported = 0;
    this.#lastReport = Date.now();
  }
}
