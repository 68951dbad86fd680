import { type Catalog, type CatalogEntry, type Logger, type MetadataEntry, SourceError } from '../singer/index.js';
import { forEachConcurrent } from './concurrency.js';
import { selectEntities } from './entity-selection.js';
import type { WmsSource } from './http/client.js';
import { entitySchema, REPLICATION_KEY } from './schema-mapping.js';
import type { TapConfig } from './settings.js';
import { withDecimalForm } from './singer-decimal.js';

export const KEY_PROPERTIES = ['id'];

/** Rows read per entity during discovery to find keys that describe leaves out. */
const SAMPLE_ROWS = 5;

/** Reads `entity/`, then one describe (and one small sample page) per wanted entity; the catalog is sorted by name. */
export async function discover(source: WmsSource, config: TapConfig, logger: Logger): Promise<Catalog> {
  const all = await source.entities();
  const wanted = selectEntities(all, config.entities, config.exclude_entities);
  logger.info(`Discovering ${wanted.length} of ${all.length} entities`);
  const entries = new Map<string, CatalogEntry>();
  await forEachConcurrent(wanted, config.max_concurrent_requests, async (entity) => {
    const describe = await source.describe(entity);
    const samples = await sampleRecords(source, entity, logger);
    const entry = catalogEntry(entity, describe, samples, config.flatten_relations, (message) =>
      logger.warning(message),
    );
    entries.set(entity, { ...entry, schema: withDecimalForm(entry.schema, config.use_singer_decimal) });
  });
  return {
    streams: wanted.map((entity) => entries.get(entity)).filter((entry): entry is CatalogEntry => entry !== undefined),
  };
}

async function sampleRecords(source: WmsSource, entity: string, logger: Logger): Promise<Record<string, unknown>[]> {
  const params = new URLSearchParams({ page_size: String(SAMPLE_ROWS) });
  try {
    for await (const page of source.pages(entity, params)) return page.results;
  } catch (error) {
    // Some entities refuse unfiltered lists (inventory_history); describe alone still gives a usable schema.
    if (!(error instanceof SourceError) || error.status !== 400) throw error;
    logger.warning(`${entity}: no sample rows for discovery (${error.message}); schema from describe only`);
  }
  return [];
}

export function catalogEntry(
  entity: string,
  describe: Record<string, unknown>,
  samples: readonly Record<string, unknown>[],
  flattenRelations: boolean,
  warn?: (message: string) => void,
): CatalogEntry {
  const { schema, incremental } = entitySchema(entity, describe, samples, flattenRelations, warn);
  const automatic = new Set([...KEY_PROPERTIES, ...(incremental ? [REPLICATION_KEY] : [])]);
  const streamMetadata: MetadataEntry = {
    breadcrumb: [],
    metadata: {
      inclusion: 'available',
      'selected-by-default': true,
      'table-key-properties': KEY_PROPERTIES,
      ...(incremental
        ? { 'valid-replication-keys': [REPLICATION_KEY] }
        : { 'forced-replication-method': 'FULL_TABLE' }),
    },
  };
  const fieldMetadata: MetadataEntry[] = Object.keys(schema.properties ?? {}).map((name) => ({
    breadcrumb: ['properties', name],
    metadata: { inclusion: automatic.has(name) ? 'automatic' : 'available', 'selected-by-default': true },
  }));
  return {
    tap_stream_id: entity,
    stream: entity,
    schema,
    key_properties: KEY_PROPERTIES,
    replication_method: incremental ? 'INCREMENTAL' : 'FULL_TABLE',
    ...(incremental ? { replication_key: REPLICATION_KEY } : {}),
    metadata: [streamMetadata, ...fieldMetadata],
  };
}
