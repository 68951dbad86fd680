import { InterruptedError, SourceError, type TapState } from '../singer/index.js';
import { refusedParameter } from './http/errors.js';
import { pageSizeOf } from './http/pagination.js';
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
    const timeExtracted = new Date(deps.now()).toISOString();
    let raws = page.results;
    let texts = page.recordTexts;
    if (deps.limit !== undefined) {
      raws = raws.slice(0, deps.limit - written);
      texts = texts?.slice(0, raws.length);
    }
    if (texts) await deps.output.recordTexts(stream, texts, timeExtracted, deps.version);
    else await deps.output.records(stream, raws.map(deps.transform), timeExtracted, deps.version);
    written += raws.length;
    deps.progress.add(raws.length);
    const update = slice.afterPage(raws, sorted);
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
