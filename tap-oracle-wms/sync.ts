import {
  type Catalog,
  type CatalogEntry,
  isStreamSelected,
  type JsonSchema,
  keyPropertiesOf,
  type Logger,
  type Metrics,
  replicationOf,
  selectedProperties,
} from '../singer/index.js';
import { forEachConcurrent } from './concurrency.js';
import type { ModuleCaller } from './data-extract/export-follow.js';
import { triggeredExtractSync } from './data-extract/export-sync.js';
import type { ExtractHandoff } from './data-extract/extract-handoff.js';
import { dataExtractSync } from './data-extract/extract-sync.js';
import type { ObjectStore } from './data-extract/object-store.js';
import { fullSync, startsWithFullSync } from './full-sync.js';
import { checkFutureBookmarks } from './future-bookmarks.js';
import type { WmsSource } from './http/client.js';
import { incrementalSync } from './incremental-sync.js';
import { formatInstant } from './instant.js';
import type { SingerOutput } from './output.js';
import { pageTranscoder } from './page-transcoder.js';
import { Progress, summarizeRead } from './progress.js';
import { streamFilters } from './query.js';
import { readSlice } from './read-slice.js';
import { withDecimalForm } from './singer-decimal.js';
import type { TapConfig } from './settings.js';
import { recordPlan, recordTransform } from './transform.js';

export interface SyncDeps {
  source: WmsSource;
  config: TapConfig;
  output: SingerOutput;
  logger: Logger;
  metrics: Metrics;
  /** Milliseconds since the epoch; the signpost is fixed from it once, when the sync starts. */
  now?: () => number;
  signal?: AbortSignal;
  /** With data_extract set: the store its files are read from (streams then load from files, not REST). */
  objectStore?: ObjectStore;
  /** With data_extract.trigger set: what sends the export trigger and status calls (the WMS client). */
  exports?: ModuleCaller;
  /** `--test`: 'records' syncs one record per stream (no STATE), 'schema' only writes SCHEMA messages. */
  testMode?: 'records' | 'schema';
}

/** Syncs every selected stream, at most max_concurrent_requests streams at once. */
export async function sync(catalog: Catalog, deps: SyncDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const startedMs = now();
  const signpost = (startedMs - deps.config.replication_lag_seconds * 1000) * 1000;
  const streams = catalog.streams.filter(isStreamSelected);
  if (streams.length === 0) deps.logger.warning('No stream is selected in the catalog: nothing to sync');
  if (deps.testMode === undefined) {
    checkFutureBookmarks(streams, deps.output.state, deps.config, deps.logger, startedMs);
    if (streams.length > 0) deps.logger.info(loadPath(deps.config, deps.objectStore));
  }
  // A failed stream stops the others after their current page, so the run fails fast with the first error.
  const failed = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, failed.signal]) : failed.signal;
  const read: Progress[] = [];
  try {
    await forEachConcurrent(
      streams,
      deps.config.max_concurrent_requests,
      (entry) => syncStream(entry, { ...deps, now, signal }, { signpost, startedMs }, read),
      () => failed.abort('another stream failed'),
    );
    if (deps.testMode === undefined && read.length > 0) deps.logger.info(summarizeRead(read));
  } finally {
    // Rows read before a failure or a stop are reported too: a supervisor tells them from the committed ones.
    for (const progress of read) progress.flush();
    await deps.output.end();
  }
}

export interface RunClock {
  /** Microseconds since the epoch. */
  signpost: number;
  startedMs: number;
}

async function syncStream(
  entry: CatalogEntry,
  deps: SyncDeps & { now: () => number },
  clock: RunClock,
  read: Progress[],
): Promise<void> {
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
  const progress = new Progress(stream, logger, deps.metrics, deps.now);
  read.push(progress);

  if (deps.testMode === undefined && deps.objectStore && config.data_extract) {
    const extract = { ...deps, filters, transform, progress, store: deps.objectStore, settings: config.data_extract };
    // As the REST paths below: an incremental stream's bookmark, or a full job's snapshot start (for meltano-handoff).
    const key = replicationOf(entry).replicationKey;
    const handoff: ExtractHandoff | undefined =
      key === undefined ? undefined : { replicationKey: key, kind: incremental ? 'incremental' : 'snapshot' };
    const trigger = config.data_extract.trigger;
    if (trigger === undefined) await dataExtractSync(entry, handoff, extract);
    else if (deps.exports === undefined) throw new TypeError('data_extract.trigger needs the WMS client (exports)');
    else await triggeredExtractSync(entry, handoff, { ...extract, exports: deps.exports, trigger });
    progress.finish();
    return;
  }
  // REST reads decode plain pages straight into record texts; the sync loop reads only the id and the replication key.
  const replicationKey = replicationOf(entry).replicationKey;
  const transcoder = pageTranscoder(
    recordPlan(entry, selected, config.flatten_relations, config.use_singer_decimal),
    replicationKey === undefined ? ['id'] : ['id', replicationKey],
  );
  if (deps.testMode === 'records') {
    await readSlice(
      stream,
      { label: `${stream} test`, params: new URLSearchParams(), afterPage: () => undefined },
      { ...deps, filters, transform, transcoder, progress, pageSize: 1, limit: 1 },
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
    progress.window = 'the whole table';
    await fullSync(stream, { ...deps, filters, transform, transcoder, progress }, handoff);
  } else if (incremental) {
    await incrementalSync(
      stream,
      replication.replicationKey as string,
      { ...deps, filters, transform, transcoder, progress },
      clock,
    );
  } else {
    progress.window = 'the whole table';
    // A full job's completed state records where its snapshot began: the incremental job of the same entity (its
    // own state) takes that over (wms-pipeline meltano-handoff), so changes made while the full load ran are read.
    const key = replicationOf(entry).replicationKey;
    const snapshotStart =
      key === undefined ? undefined : { replication_key: key, replication_key_value: formatInstant(clock.signpost) };
    await fullSync(stream, { ...deps, filters, transform, transcoder, progress }, snapshotStart);
  }
  progress.finish();
}

/**
 * Which path the run's streams load through, and why: said once per run, since the same job (a Meltano `<entity>-full`
 * job, an entity's initial load) takes Data Extract where `data_extract` is configured and REST otherwise.
 */
export function loadPath(config: TapConfig, store: Pick<ObjectStore, 'description'> | undefined): string {
  const extract = config.data_extract;
  if (extract === undefined || store === undefined) return 'Loading through the REST API: data_extract is not set';
  const how =
    extract.trigger === undefined
      ? `the files already under data_extract.prefix '${extract.prefix}'`
      : `an export asked of WMS for each stream (data_extract.trigger, endpoint '${extract.trigger.endpoint_name}')`;
  return `Loading from Data Extract files, not the REST API: data_extract is set (${how} in ${store.description})`;
}

/** The catalog schema restricted to the selected properties. */
function selectedSchema(schema: JsonSchema, selected: readonly string[]): JsonSchema {
  const properties = schema.properties ?? {};
  return { ...schema, properties: Object.fromEntries(selected.map((name) => [name, properties[name]])) };
}
