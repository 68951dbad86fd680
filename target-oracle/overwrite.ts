import type { Logger } from '../singer/index.js';
import type { Dialect, TableSpec } from './dialect.js';
import type { FlushPipeline } from './flush-pipeline.js';
import { conformIdentifier, type NamingRules } from './names.js';
import type { TargetConfig } from './settings.js';
import type { StreamSink } from './stream-sink.js';
import { qualifiedName } from './table-spec.js';

/**
 * load_method overwrite: each stream's batches go to a shadow table, swapped in when the run ends (one transaction:
 * readers see the old rows or the new ones). A run that fails or stops early leaves the tables as they were.
 */

/** The table an overwrite loads before it is swapped in: `<TABLE>$OVW`, shortened like any name. */
export function shadowTable(table: TableSpec, naming: NamingRules): TableSpec {
  return { ...table, name: conformIdentifier(`${table.name}$OVW`, naming) };
}

/** Prepares the stream's shadow: a fresh one at its first SCHEMA (a leftover dropped), else evolved like the table. */
export async function prepareShadow(
  flushes: FlushPipeline,
  dialect: Dialect,
  config: TargetConfig,
  stream: string,
  table: TableSpec,
  previous: StreamSink | undefined,
): Promise<NonNullable<StreamSink['shadow']>> {
  const desired = shadowTable(table, dialect.naming);
  const fresh = previous?.shadow === undefined;
  const shadow = await flushes.commitWork(
    `preparing the overwrite table ${qualifiedName(desired)} for stream '${stream}'`,
    async (db) => {
      if (fresh) await db.dropTable(desired);
      return db.ensureTable(desired, config.schemaChangePolicy);
    },
  );
  return { table: shadow, loaded: previous?.shadow?.loaded ?? false };
}

/** Swaps a stream's shadow in (one transaction: readers see the old rows or the new ones), then drops it. */
export async function swapShadow(flushes: FlushPipeline, logger: Logger, sink: StreamSink): Promise<void> {
  const shadow = sink.shadow!;
  sink.shadow = undefined;
  const tableKey = qualifiedName(sink.table);
  if (shadow.loaded) {
    const rows = await flushes.commitWork(
      `replacing the rows of table ${tableKey} for stream '${sink.stream}' (overwrite)`,
      (db) => db.replaceFrom(sink.table, shadow.table),
    );
    logger.info(`Overwrite of stream '${sink.stream}': table ${tableKey} now holds the ${rows} rows of this run`);
  } else {
    logger.info(`Overwrite of stream '${sink.stream}': no records in this run, table ${tableKey} left as it was`);
  }
  await flushes.commitWork(
    `dropping the overwrite table ${qualifiedName(shadow.table)} of stream '${sink.stream}'`,
    (db) => db.dropTable(shadow.table),
  );
}
