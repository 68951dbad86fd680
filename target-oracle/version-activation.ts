import type { Logger } from '../singer/index.js';
import type { RunLock } from './dialect.js';
import type { FlushPipeline } from './flush-pipeline.js';
import type { TargetConfig } from './settings.js';
import type { StreamSink } from './stream-sink.js';
import { qualifiedName } from './table-spec.js';

/**
 * ACTIVATE_VERSION: retires the rows of older versions of a stream (marked `_sdc_deleted_at`, or deleted with
 * hard_delete). The caller has flushed and committed everything before the message first.
 */
export class VersionActivation {
  readonly #config: TargetConfig;
  readonly #logger: Logger;
  readonly #flushes: FlushPipeline;
  readonly #runLock: RunLock | undefined;
  #warnedNoMetadata = false;

  constructor(config: TargetConfig, logger: Logger, flushes: FlushPipeline, runLock: RunLock | undefined) {
    this.#config = config;
    this.#logger = logger;
    this.#flushes = flushes;
    this.#runLock = runLock;
  }

  /** One ACTIVATE_VERSION message, for `sink` (undefined when its SCHEMA has not come yet). */
  async onMessage(sink: StreamSink | undefined, stream: string, version: number, line: number): Promise<void> {
    if (!sink) {
      this.#logger.warning(`ACTIVATE_VERSION for stream '${stream}' before its SCHEMA: ignored`, { line });
      return;
    }
    if (!this.#config.addRecordMetadata) {
      if (!this.#warnedNoMetadata)
        this.#logger.warning('ACTIVATE_VERSION ignored: add_record_metadata is off, so rows carry no version');
      this.#warnedNoMetadata = true;
      return;
    }
    // A full sync announces its version before sending rows (deleting then would empty the table mid-run), and
    // closes it once every row of the version was sent: only that closing message retires older rows. The closing
    // message is the one after rows, or the version's second message in this run: a run can carry no rows between
    // the two (a resumed sync whose rows were all loaded before the kill, or a source with no rows left).
    const closing = sink.recordsSinceActivation || sink.pendingVersion === version;
    if (!closing) {
      sink.pendingVersion = version;
      this.#logger.info(`ACTIVATE_VERSION ${version} of stream '${stream}' deferred until its rows are loaded`);
      return;
    }
    await this.#activate(sink, version);
  }

  /**
   * At the end of a run: a version whose closing ACTIVATE_VERSION never came (the tap died or stopped mid-sync, or this
   * run was stopped) is not applied, since rows the tap did not get to re-send are still live in the source. The
   * rerun closes the version.
   */
  warnUnclosed(sinks: Iterable<StreamSink>): void {
    for (const sink of sinks) {
      if (sink.pendingVersion !== undefined && sink.recordsSinceActivation)
        this.#logger.warning(
          `ACTIVATE_VERSION ${sink.pendingVersion} of stream '${sink.stream}' not applied: the run ended before its closing ACTIVATE_VERSION (older rows kept until a run closes the version)`,
        );
    }
  }

  async #activate(sink: StreamSink, version: number): Promise<void> {
    const { hardDelete } = this.#config;
    const where = `activating version ${version} of stream '${sink.stream}' in table ${qualifiedName(sink.table)}`;
    // Retiring rows is what two overlapping runs get wrong: never without the lock still held.
    await this.#runLock?.check();
    const affected = await this.#flushes.commitWork(where, (db) =>
      db.activateVersion(sink.loadTable, version, hardDelete),
    );
    sink.pendingVersion = undefined;
    sink.recordsSinceActivation = false;
    this.#logger.info(
      `Activated version ${version} of stream '${sink.stream}': ${affected} older rows ${hardDelete ? 'deleted' : 'marked deleted'}`,
    );
  }
}
