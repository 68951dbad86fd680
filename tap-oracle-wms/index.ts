/**
 * tap-oracle-wms's public surface for other packages (the orchestrator); every other module is internal. The
 * orchestrator plans partitions and probes the WMS with the tap's own client and filters, so it sees what a sync sees.
 */
export { createClient, type ClientHandle } from './tap.js';
export type { WmsClient, WmsSource } from './http/client.js';
export { discover, catalogEntry } from './discover.js';
export { idBounds } from './id-bounds.js';
export { streamFilters, streamFiltersFor } from './query.js';
export { splitIdRange, type RangeContext } from './replication.js';
export { TAP_SETTINGS, type TapConfig } from './settings.js';
export { DATA_EXTRACT_SETTINGS } from './data-extract/settings.js';
export { selectEntities } from './entity-selection.js';
export { DEFAULT_SCOPE_FILTERS } from './scope-filters.js';
export { tapConfigProblems } from './config-problems.js';
export type { ObjectStore, StoredFile } from './data-extract/object-store.js';
export { LocalDirectoryStore } from './data-extract/local-directory-store.js';
export { S3Store } from './data-extract/s3-store.js';
