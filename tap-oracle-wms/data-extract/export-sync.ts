import { randomBytes } from 'node:crypto';
import type { CatalogEntry } from '../../singer/index.js';
import { formatInstant, requireInstant } from '../instant.js';
import type { ExportRequest, ExportStatus } from './export-api.js';
import type { ExtractHandoff } from './extract-handoff.js';
import { type ModuleCaller, runExport } from './export-follow.js';
import { type ExtractDeps, ExtractLoad, listFiles } from './extract-sync.js';
import type { StoredFile } from './object-store.js';
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
 * Trigger mode: asks WMS to export the stream's entity into the object store (data_extract.trigger), follows the
 * export with runExport, and loads each file as soon as it is listed under the status's file_prefix (the files already
 * loaded in this run are skipped, so a file that lands late, after later ones, is loaded when it lands). The run ends
 * when the export is COMPLETED and every file listed then is loaded. Handoff (handOver): the bookmark becomes the
 * instant the export was requested (by the tap's clock), or the window's end when that is earlier, so the next REST
 * incremental run reads every change the export may not hold. Files load as they land, not in key order, so the
 * state's watermark is written only when the load is whole: a killed run is rerun as a new export (its own identifier
 * and prefix).
 */
export async function triggeredExtractSync(
  entry: CatalogEntry,
  extractHandoff: ExtractHandoff | undefined,
  deps: TriggerDeps,
): Promise<void> {
  const { logger, store, settings, trigger } = deps;
  const stream = entry.tap_stream_id;
  const requestedMs = deps.now();
  const requestedAt = utc(requestedMs * 1000);
  const filter = windowFilter(trigger);
  const request: ExportRequest = {
    entity: stream,
    filter,
    endpointName: trigger.endpoint_name,
    objectStorePath: trigger.object_store_path,
    fileFormat: settings.format,
    fileSizeInMb: trigger.file_size_in_mb,
    compressed: trigger.compressed,
    uniqueIdentifier: `${stream}-${new Date(requestedMs).toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`,
  };
  // Begun once the status names the prefix (the state records it), or at the end for an export without a file.
  let load: ExtractLoad | undefined;
  const begin = (prefix: string) =>
    ExtractLoad.begin(entry, deps, prefix, { wholeTable: Object.keys(filter).length === 0, inKeyOrder: false });
  deps.progress.window =
    Object.keys(filter).length === 0
      ? 'a Data Extract export of the whole table'
      : `a Data Extract export of ${JSON.stringify(filter)}`;
  const loaded = new Set<string>();
  let prefix: string | undefined;
  const ingest = async (status: ExportStatus): Promise<void> => {
    prefix = status.entities.find((entity) => entity.entity === stream)?.filePrefix ?? prefix;
    if (prefix === undefined) return;
    const fresh: StoredFile[] = (await listFiles(store, prefix, stream)).filter((file) => !loaded.has(identity(file)));
    if (fresh.length === 0) return;
    load ??= await begin(prefix);
    await load.load(fresh);
    for (const file of fresh) loaded.add(identity(file));
    logger.info(`${stream}: ${loaded.size} Data Extract file(s) loaded so far from '${prefix}' (${status.status})`, {
      stream,
    });
  };
  await runExport(deps.exports, request, {
    pollInitialSeconds: trigger.poll_initial_seconds,
    pollMaxSeconds: trigger.poll_max_seconds,
    timeoutSeconds: trigger.timeout_seconds,
    logger,
    onStatus: ingest,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (loaded.size === 0)
    logger.warning(`${stream}: the export '${request.uniqueIdentifier}' COMPLETED without a file: it held no rows`, {
      stream,
    });
  const windowEnd = filter[`${trigger.window_field}__lt`];
  const handoff =
    windowEnd !== undefined && requireInstant(windowEnd, 'window_end') < requestedMs * 1000 ? windowEnd : requestedAt;
  load ??= await begin(prefix ?? '');
  await load.finish(extractHandoff, handoff);
}
