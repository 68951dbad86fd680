import {
  type CatalogEntry,
  InterruptedError,
  selectedProperties,
  SourceError,
  stringifyJson,
} from '../../singer/index.js';
import type { StreamDeps } from '../read-slice.js';
import { type ExtractHandoff, handOver } from './extract-handoff.js';
import { type ExtractProgress, savedExtract, type TriggeredExport, wasLoaded, withExtract } from './extract-state.js';
import { csvRecordJson } from './csv-record-json.js';
import { fileRows, type RowsAs } from './file-rows.js';
import { compareKeys, type ObjectStore, type StoredFile } from './object-store.js';
import { type DataExtractSettings, entityPrefix } from './open-store.js';
import { inSourceOrder } from './read-ahead.js';
import { rowCoercer } from './row-coercion.js';

/** Records per output write (and per read-ahead item): one RECORD batch, never a whole file. */
const BATCH_ROWS = 1000;
/** Batches each file reads ahead of the one being written. */
const READ_AHEAD_BATCHES = 2;

export interface ExtractDeps extends StreamDeps {
  store: ObjectStore;
  settings: DataExtractSettings;
}

/**
 * One stream loaded from its Data Extract files: every file under the entity's prefix, in key order, as RECORDs
 * the REST path would have sent for the same rows (rowCoercer, then the REST transform). A new load is a full-table
 * load: with emit_activate_version, ACTIVATE_VERSION before and after, so the target retires rows the export did
 * not hold. Files go out in key order and each is checkpointed once all its records are written (STATE keeps the
 * last one, by key and etag, as a watermark); a resumed load skips the files up to it, keeps its saved version (none
 * when it began without one) and finishes even when no file is left; a listed file already loaded is never loaded
 * again. When the load finishes, the stream's bookmark becomes the export's start instant (handOver: an incremental
 * stream's never later than the bookmark it had; a full job's replaces its former load's start), so the next REST
 * incremental run reads every change made during and after the export.
 */
export async function dataExtractSync(
  entry: CatalogEntry,
  handoff: ExtractHandoff | undefined,
  deps: ExtractDeps,
): Promise<void> {
  const { output, logger, store, settings } = deps;
  const stream = entry.tap_stream_id;
  const prefix = entityPrefix(settings, stream);
  const listed = await listFiles(store, prefix, stream);
  if (listed.length === 0)
    throw new SourceError(
      `${stream}: no Data Extract files under '${prefix}' in ${store.description} (check data_extract.prefix and entity_prefix, or whether the export ran); nothing loaded`,
    );

  const saved = savedExtract(output.state, stream, prefix);
  const fresh = listed.filter((file) => !wasLoaded(saved, file));
  let load: ExtractLoad;
  if (saved && !saved.complete) {
    // Killed after its last file but before it finished, a load has no file left yet still owes its closing
    // ACTIVATE_VERSION, its complete mark and the bookmark handoff.
    logger.info(
      fresh.length === 0
        ? `${stream}: finishing a Data Extract load whose ${listed.length} file(s) were all loaded before it stopped`
        : `${stream}: resuming a Data Extract load (${fresh.length} of ${listed.length} file(s) left)`,
      { stream },
    );
    load = await ExtractLoad.resume(entry, deps, saved);
  } else if (fresh.length === 0) {
    logger.info(
      `${stream}: all ${listed.length} Data Extract file(s) under '${prefix}' were loaded before; nothing to do`,
      {
        stream,
      },
    );
    return;
  } else if (fresh.length < listed.length) {
    // Files of an earlier load are listed with new ones: the new ones alone are no whole table to reconcile against.
    const progress = { prefix, ...(saved?.through ? { through: saved.through } : {}), complete: false };
    load = new ExtractLoad(entry, deps, progress, undefined, true);
    logger.warning(
      `${stream}: ${listed.length - fresh.length} file(s) under '${prefix}' were loaded before; loading the ${fresh.length} new one(s) without ACTIVATE_VERSION (a reconcile needs an export under a prefix of its own)`,
      { stream },
    );
    await load.checkpoint();
  } else {
    load = await ExtractLoad.begin(entry, deps, prefix, { wholeTable: true, inKeyOrder: true });
    logger.info(`${stream}: Data Extract load of ${listed.length} file(s) under '${prefix}' in ${store.description}`, {
      stream,
    });
  }
  deps.progress.window = `${fresh.length} Data Extract file(s)`;
  await load.load(fresh);
  await load.finish(handoff, settings.export_started_at);
}

/** Every file under `prefix` in key order (directory markers aside); a store failure is a SourceError naming both. */
export async function listFiles(store: ObjectStore, prefix: string, stream: string): Promise<StoredFile[]> {
  const listed: StoredFile[] = [];
  try {
    for await (const file of store.list(prefix)) if (!file.key.endsWith('/')) listed.push(file);
  } catch (error) {
    throw new SourceError(`${stream}: cannot list '${prefix}' in ${store.description} (${String(error)})`, {
      cause: error,
    });
  }
  return listed;
}

/**
 * One stream's load from Data Extract files, in three steps: begin (or resume), load files (as many times as files
 * arrive: a triggered export lands them one by one), finish (closing ACTIVATE_VERSION, the handoff bookmark).
 * Files loaded in key order are checkpointed one by one (the state's watermark, so a rerun resumes after it). Files
 * loaded as they land (`inKeyOrder` false: a late file may come after greater keys) cannot be a watermark until the
 * load is whole: each is checkpointed in the state's `loaded` list instead, which the greatest key replaces when the
 * load finishes.
 */
export class ExtractLoad {
  /** Each row's RECORD JSON text: a CSV row's written from its fields, any other through the REST transform. */
  readonly #recordJson: RowsAs<string>;

  constructor(
    private readonly entry: CatalogEntry,
    private readonly deps: ExtractDeps,
    private progress: ExtractProgress,
    private readonly version: number | undefined,
    private readonly inKeyOrder: boolean,
  ) {
    const coerce = rowCoercer(entry);
    this.#recordJson = {
      row: (row) => stringifyJson(deps.transform(coerce(row))),
      csv: csvRecordJson(entry, selectedProperties(entry), deps.config.use_singer_decimal),
    };
  }

  /**
   * A new load of the files under `prefix`: its state checkpointed; ACTIVATE_VERSION first with emit_activate_version
   * when the files hold the whole table (an export of a mod_ts window does not: its version would retire every row
   * outside it).
   */
  static async begin(
    entry: CatalogEntry,
    deps: ExtractDeps,
    prefix: string,
    { wholeTable, inKeyOrder, triggered }: { wholeTable: boolean; inKeyOrder: boolean; triggered?: TriggeredExport },
  ): Promise<ExtractLoad> {
    const version = deps.config.emit_activate_version && wholeTable ? deps.now() : undefined;
    const progress: ExtractProgress = {
      prefix,
      complete: false,
      ...(version === undefined ? {} : { version }),
      ...(triggered ? { export: triggered } : {}),
      ...(inKeyOrder ? {} : { loaded: [] }),
    };
    const load = new ExtractLoad(entry, deps, progress, version, inKeyOrder);
    await load.checkpoint();
    if (version !== undefined)
      await deps.output.write({ type: 'ACTIVATE_VERSION', stream: entry.tap_stream_id, version });
    return load;
  }

  /**
   * An unfinished load from its saved progress. Its version is the saved one only: a load begun without one (a "new
   * files only" load, or emit_activate_version off then) must not close a fresh version, which would retire every
   * row it did not send. Like a new load, it announces its version first: the target takes the version's second
   * message in a run as the closing one, even with no rows between (a load whose files were all loaded before).
   */
  static async resume(
    entry: CatalogEntry,
    deps: ExtractDeps,
    saved: ExtractProgress,
    inKeyOrder = true,
  ): Promise<ExtractLoad> {
    const version = deps.config.emit_activate_version ? saved.version : undefined;
    if (version !== undefined)
      await deps.output.write({ type: 'ACTIVATE_VERSION', stream: entry.tap_stream_id, version });
    return new ExtractLoad(entry, deps, saved, version, inKeyOrder);
  }

  /** Trigger mode: the prefix the export's status named, recorded before any of its files is loaded. */
  async named(prefix: string): Promise<void> {
    if (this.progress.prefix === prefix) return;
    this.progress = { ...this.progress, prefix };
    await this.checkpoint();
  }

  async checkpoint(): Promise<void> {
    const progress = this.progress;
    await this.deps.output.checkpoint((state) => withExtract(state, this.entry.tap_stream_id, progress));
  }

  /** Loads the files in the order given; in key order, each is checkpointed once all its records are written. */
  async load(files: readonly StoredFile[]): Promise<void> {
    const { output, store, settings } = this.deps;
    const deps = this.deps;
    const stream = this.entry.tap_stream_id;
    const recordJson = this.#recordJson;
    const batches = (file: StoredFile): AsyncIterator<string[]> =>
      (async function* () {
        let batch: string[] = [];
        for await (const record of fileRows(store, file, settings.format, stream, recordJson)) {
          batch.push(record);
          if (batch.length >= BATCH_ROWS) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
      })();
    for await (const { source: file, items } of inSourceOrder(
      files,
      settings.concurrent_files,
      READ_AHEAD_BATCHES,
      batches,
    )) {
      let rows = 0;
      for await (const batch of items) {
        await output.recordTexts(stream, batch, new Date(deps.now()).toISOString(), this.version);
        rows += batch.length;
        deps.progress.add(batch.length);
        if (deps.signal?.aborted) throw new InterruptedError(String(deps.signal.reason ?? 'SIGTERM'));
      }
      // Listed under the prefix: the key after it is enough (and keeps the state small).
      const relative = file.key.slice(this.progress.prefix.length);
      this.progress = this.inKeyOrder
        ? { ...this.progress, through: { key: file.key, etag: file.etag } }
        : { ...this.progress, loaded: [...(this.progress.loaded ?? []), [relative, file.etag]] };
      await this.checkpoint();
      deps.logger.debug(`${stream}: Data Extract file '${file.key}' done (${rows} rows)`, { stream });
    }
  }

  /**
   * The load is whole: ACTIVATE_VERSION last, the state marked complete, and the bookmark handed over to
   * `exportStartedAt` (undefined: left as it is, with a warning).
   */
  async finish(handoff: ExtractHandoff | undefined, exportStartedAt: string | undefined): Promise<void> {
    const { output, logger } = this.deps;
    const stream = this.entry.tap_stream_id;
    if (this.version !== undefined) await output.write({ type: 'ACTIVATE_VERSION', stream, version: this.version });
    const { loaded, ...progress } = this.progress;
    let through = progress.through;
    for (const [relative, etag] of loaded ?? []) {
      const key = `${progress.prefix}${relative}`;
      if (through === undefined || compareKeys(key, through.key) > 0) through = { key, etag };
    }
    const finished = { ...progress, ...(through ? { through } : {}), complete: true };
    await output.checkpoint((state) =>
      handOver(withExtract(state, stream, finished), stream, handoff, exportStartedAt, logger.warning.bind(logger)),
    );
  }
}
