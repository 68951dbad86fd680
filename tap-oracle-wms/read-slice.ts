import { InterruptedError, SourceError, type TapState } from '../singer/index.js';
import { refusedParameter } from './http/errors.js';
import { pageSizeOf, type WmsPage } from './http/pagination.js';
import type { Progress } from './progress.js';
import { mergeParams, pagingParams, withinIdRange } from './query.js';
import type { Slice } from './replication.js';
import type { SyncDeps } from './sync.js';
import type { PageTranscoder } from './page-transcoder.js';
import { idOf, type RecordTransform } from './transform.js';

export interface StreamDeps extends SyncDeps {
  now: () => number;
  filters: URLSearchParams;
  transform: RecordTransform;
  /** Decodes list pages straight into record texts (REST reads); pages it leaves alone go through `transform`. */
  transcoder?: PageTranscoder;
  progress: Progress;
  pageSize?: number;
  limit?: number;
  version?: number;
}

/** The sync loop, written once: pages → records → RECORD lines → bookmark → STATE, page by page. */
export async function readSlice(stream: string, slice: Slice, deps: StreamDeps): Promise<void> {
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
  for await (const page of deps.source.pages(stream, params, deps.transcoder)) {
    // The first page of a slice counts the slice (paged mode): the progress line's total.
    if (progress.pages === 0 && page.resultCount !== undefined && deps.testMode === undefined)
      deps.progress.expect(page.resultCount);
    progress.pages += 1;
    // The bookmark change is taken with the lines but checkpointed only after them: no await comes between taking it
    // and handing the chunk to stdout, so no STATE (this slice's or another's) can get ahead of these records.
    const taken = takePage(stream, page, slice, deps, sorted, written, keyset !== undefined);
    await deps.output.writeRecordLines(taken.chunk);
    written += taken.rows;
    deps.progress.add(taken.rows);
    const update = taken.update;
    if (deps.testMode !== undefined) {
      if (deps.limit !== undefined && written >= deps.limit) return;
    } else if (update && sorted) {
      await deps.output.checkpoint(update);
    } else if (update) {
      pending = update;
    }
    if (deps.signal?.aborted) throw new InterruptedError(String(deps.signal.reason ?? 'SIGTERM'));
    if (!keyset) continue;
    keyset.rows += taken.rows;
    if (taken.lastId !== undefined && (keyset.lastId === undefined || taken.lastId > keyset.lastId))
      keyset.lastId = taken.lastId;
    const size = pageSizeOf(page.url);
    if (page.nextPage !== null && size !== undefined && taken.pageRows < size) {
      deps.logger.warning(
        `${stream}: a page of ${taken.pageRows} rows (page_size ${size}) in mid-listing; going on after the last id read`,
        { stream },
      );
      break;
    }
  }
  if (pending) await deps.output.checkpoint(pending);
}

/** What the loop keeps of a page once its RECORD lines are encoded. */
interface TakenPage {
  /** The page's RECORD lines (up to the limit), joined. */
  chunk: string;
  /** Rows in `chunk`. */
  rows: number;
  /** Rows the page held (a short page in mid-listing is told by it). */
  pageRows: number;
  /** The bookmark change once `chunk` is written. */
  update: ((state: TapState) => TapState) | undefined;
  /** The greatest id of the rows written (keyset listings only). */
  lastId?: bigint;
}

/**
 * Encodes a page's RECORD lines and takes from it all the loop needs after writing them, then empties the page's
 * rows and texts: the page object stays referenced (by the loop and by the source's generator) while the write
 * waits on a slow reader, and its decoded rows must not live as long as their bytes in stdout's buffer (issue 18:
 * strings held across that wait were promoted to V8's old space, and RSS grew with the row count).
 */
function takePage(
  stream: string,
  page: WmsPage,
  slice: Slice,
  deps: StreamDeps,
  sorted: boolean,
  written: number,
  keyset: boolean,
): TakenPage {
  const pageRows = page.results.length;
  let raws = page.results;
  let texts = page.recordTexts;
  if (deps.limit !== undefined) {
    raws = raws.slice(0, deps.limit - written);
    texts = texts?.slice(0, raws.length);
  }
  const timeExtracted = new Date(deps.now()).toISOString();
  const chunk = texts
    ? deps.output.recordTextsChunk(stream, texts, timeExtracted, deps.version)
    : deps.output.recordsChunk(stream, raws.map(deps.transform), timeExtracted, deps.version);
  const taken: TakenPage = { chunk, rows: raws.length, pageRows, update: slice.afterPage(raws, sorted) };
  if (keyset)
    for (const raw of raws) {
      const id = idOf(raw.id);
      if (id !== undefined && (taken.lastId === undefined || id > taken.lastId)) taken.lastId = id;
    }
  page.results.length = 0;
  if (page.recordTexts) page.recordTexts.length = 0;
  return taken;
}
