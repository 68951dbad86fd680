import { randomBytes } from 'node:crypto';
import type { CatalogEntry } from '../../singer/index.js';
import { formatInstant, requireInstant } from '../instant.js';
import type { ExportRequest, ExportStatus } from './export-api.js';
import type { ExtractHandoff } from './extract-handoff.js';
import { exportStatus, followExport, type ModuleCaller, runExport } from './export-follow.js';
import { type ExtractDeps, ExtractLoad, listFiles } from './extract-sync.js';
import type { StoredFile } from './object-store.js';
import { savedTriggerLoad } from './extract-state.js';
import type { DataExtractSettings } from './open-store.js';

export type TriggerSettings = NonNullable<DataExtractSettings['trigger']>;

export interface TriggerDeps extends ExtractDeps {
  /** The WMS client: it sends the trigger and status calls (export-api.ts, an unverified API). */
  exports: ModuleCaller;
  trigger: TriggerSettings;
}

/** A listed file by key and etag: a file rewritten under the same key is another file. */
function identity(file: StoredFile): string {
  return `${file.key}\u0000${file.etag}`;
}

/** An instant as Data Extract's documented UTC form, ending in `Z`, microseconds kept. */
function utc(micros: number): string {
  return formatInstant(micros).replace(/\+00:00$/, 'Z');
}

/** The export's filter: the optional UTC window on mod_ts or create_ts (the fields Data Extract documents). */
export function windowFilter(trigger: TriggerSettings): Record<string, string> {
  const filter: Record<string, string> = {};
  if (trigger.window_start !== undefined)
    filter[`${trigger.window_field}__gte`] = utc(requireInstant(trigger.window_start, 'window_start'));
  if (trigger.window_end !== undefined)
    filter[`${trigger.window_field}__lt`] = utc(requireInstant(trigger.window_end, 'window_end'));
  return filter;
}

/**
 * The unfinished export a killed run recorded, when a rerun can follow it: the same window, and not FAILED in WMS
 * (a failed export is asked for anew, with a warning).
 */
async function resumable(
  stream: string,
  filter: Record<string, string>,
  deps: TriggerDeps,
): Promise<ReturnType<typeof savedTriggerLoad>> {
  const saved = savedTriggerLoad(deps.output.state, stream);
  if (!saved || JSON.stringify(saved.export.filter) !== JSON.stringify(filter)) return undefined;
  const status = await exportStatus(deps.exports, saved.export.id);
  if (status.status !== 'FAILED' && !status.entities.some((entity) => entity.status === 'FAILED')) return saved;
  deps.logger.warning(
    `${stream}: the recorded Data Extract export '${saved.export.id}' FAILED in WMS: asking for a new export instead of following it`,
    { stream },
  );
  return undefined;
}

/**
 * Trigger mode: asks WMS to export the stream's entity into the object store (data_extract.trigger), follows the
 * export, and loads each file as soon as it is listed under the status's file_prefix (the files already loaded are
 * skipped, so a file that lands late, after later ones, is loaded when it lands). The run ends when the export is
 * COMPLETED and every file listed then is loaded. Handoff (handOver): the bookmark becomes the instant the export was
 * requested (by the tap's clock), or the window's end when that is earlier, so the next REST incremental run reads
 * every change the export may not hold.
 *
 * Resumable: once WMS accepts the request the state records the export (identifier, request instant, filter), and
 * each file is checkpointed as it is committed (files load as they land, not in key order, so the state lists them
 * until the load is whole, then keeps the greatest as the watermark). A killed run is rerun from that state: it asks
 * for no new export but follows the recorded one, loads only the files not listed as loaded, keeps its version and
 * hands over at the first request's instant. Another window in the settings is another export (asked anew).
 */
export async function triggeredExtractSync(
  entry: CatalogEntry,
  extractHandoff: ExtractHandoff | undefined,
  deps: TriggerDeps,
): Promise<void> {
  const { logger, store, settings, trigger } = deps;
  const stream = entry.tap_stream_id;
  const filter = windowFilter(trigger);
  const resumed = await resumable(stream, filter, deps);
  const requestedMs = deps.now();
  const triggered = resumed?.export ?? {
    id: `${stream}-${new Date(requestedMs).toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`,
    requested_at: utc(requestedMs * 1000),
    filter,
  };
  const request: ExportRequest = {
    entity: stream,
    filter,
    endpointName: trigger.endpoint_name,
    objectStorePath: trigger.object_store_path,
    fileFormat: settings.format,
    fileSizeInMb: trigger.file_size_in_mb,
    compressed: trigger.compressed,
    uniqueIdentifier: triggered.id,
  };
  const wholeTable = Object.keys(filter).length === 0;
  deps.progress.window = wholeTable
    ? 'a Data Extract export of the whole table'
    : `a Data Extract export of ${JSON.stringify(filter)}`;
  const loaded = new Set<string>(
    (resumed?.loaded ?? []).map(([relative, etag]) => `${resumed!.prefix}${relative}\u0000${etag}`),
  );
  let load: ExtractLoad | undefined;
  if (resumed) {
    logger.info(
      `${stream}: resuming the Data Extract export '${triggered.id}' requested at ${triggered.requested_at} (${loaded.size} file(s) loaded before the run stopped); no new export is requested`,
      { stream },
    );
    load = await ExtractLoad.resume(entry, deps, resumed, false);
  }
  const ingest = async (status: ExportStatus): Promise<void> => {
    const prefix = status.entities.find((entity) => entity.entity === stream)?.filePrefix;
    if (prefix === undefined || load === undefined) return;
    await load.named(prefix);
    const fresh: StoredFile[] = (await listFiles(store, prefix, stream)).filter((file) => !loaded.has(identity(file)));
    if (fresh.length === 0) return;
    await load.load(fresh);
    for (const file of fresh) loaded.add(identity(file));
    logger.info(`${stream}: ${loaded.size} Data Extract file(s) loaded so far from '${prefix}' (${status.status})`, {
      stream,
    });
  };
  const follow = {
    pollInitialSeconds: trigger.poll_initial_seconds,
    pollMaxSeconds: trigger.poll_max_seconds,
    timeoutSeconds: trigger.timeout_seconds,
    logger,
    onStatus: ingest,
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
  if (resumed) await followExport(deps.exports, request, follow);
  else
    await runExport(deps.exports, request, {
      ...follow,
      // Recorded before the first poll: a run killed from here on follows this export again.
      onRequested: async () => {
        load = await ExtractLoad.begin(entry, deps, '', { wholeTable, inKeyOrder: false, triggered });
      },
    });
  if (loaded.size === 0)
    logger.warning(`${stream}: the export '${request.uniqueIdentifier}' COMPLETED without a file: it held no rows`, {
      stream,
    });
  const windowEnd = filter[`${trigger.window_field}__lt`];
  const requestedUs = requireInstant(triggered.requested_at, 'requested_at');
  const handoff =
    windowEnd !== undefined && requireInstant(windowEnd, 'window_end') < requestedUs
      ? windowEnd
      : triggered.requested_at;
  await load!.finish(extractHandoff, handoff);
}
