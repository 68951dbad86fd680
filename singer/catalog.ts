import type { JsonSchema } from './messages.js';

/**
 * Catalog shapes: the Singer spec's discovery mode
 * (https://github.com/singer-io/getting-started/blob/master/docs/DISCOVERY_MODE.md) plus the fields the SDK reads.
 */

export type Breadcrumb = string[];
export type Inclusion = 'available' | 'automatic' | 'unsupported';
export type ReplicationMethod = 'FULL_TABLE' | 'INCREMENTAL' | 'LOG_BASED';

export interface MetadataValues {
  inclusion?: Inclusion;
  selected?: boolean;
  'selected-by-default'?: boolean;
  'replication-method'?: ReplicationMethod;
  'replication-key'?: string;
  'forced-replication-method'?: ReplicationMethod;
  'valid-replication-keys'?: string[];
  'table-key-properties'?: string[];
  [key: string]: unknown;
}

export interface MetadataEntry {
  breadcrumb: Breadcrumb;
  metadata: MetadataValues;
}

export interface CatalogEntry {
  tap_stream_id: string;
  stream: string;
  schema: JsonSchema;
  metadata?: MetadataEntry[];
  key_properties?: string[];
  replication_key?: string;
  replication_method?: ReplicationMethod;
  [key: string]: unknown;
}

export interface Catalog {
  streams: CatalogEntry[];
}

export function findMetadata(entry: CatalogEntry, breadcrumb: Breadcrumb): MetadataValues | undefined {
  return entry.metadata?.find((item) => sameBreadcrumb(item.breadcrumb, breadcrumb))?.metadata;
}

export function streamMetadata(entry: CatalogEntry): MetadataValues {
  return findMetadata(entry, []) ?? {};
}

/**
 * The SDK's selection rule (singer_sdk/singerlib/catalog.py `_breadcrumb_is_selected`):
 * no metadata at all ⇒ selected; a deselected parent deselects its children; `unsupported` ⇒ never;
 * `automatic` ⇒ always; else `selected`, else `selected-by-default`, else the parent's value.
 * The legacy `"selected": true` inside the schema is honoured where metadata says nothing.
 */
export function isBreadcrumbSelected(entry: CatalogEntry, breadcrumb: Breadcrumb): boolean {
  if (!entry.metadata || entry.metadata.length === 0) {
    // Legacy catalogs: a deselected parent still deselects its children.
    if (breadcrumb.length > 0 && !isBreadcrumbSelected(entry, breadcrumb.slice(0, -2))) return false;
    const legacy = schemaAt(entry.schema, breadcrumb)?.selected;
    return typeof legacy === 'boolean' ? legacy : true;
  }
  let parentSelected: boolean | undefined;
  if (breadcrumb.length > 0) {
    parentSelected = isBreadcrumbSelected(entry, breadcrumb.slice(0, -2));
    if (!parentSelected) return false;
  }
  const values = findMetadata(entry, breadcrumb) ?? {};
  if (values.inclusion === 'unsupported') return false;
  if (values.inclusion === 'automatic') return true;
  if (typeof values.selected === 'boolean') return values.selected;
  const legacy = schemaAt(entry.schema, breadcrumb)?.selected;
  if (typeof legacy === 'boolean') return legacy;
  if (typeof values['selected-by-default'] === 'boolean') return values['selected-by-default'];
  return parentSelected ?? false;
}

export function isStreamSelected(entry: CatalogEntry): boolean {
  return isBreadcrumbSelected(entry, []);
}

/** Top-level property names that are selected (always including automatic ones). */
export function selectedProperties(entry: CatalogEntry): string[] {
  return Object.keys(entry.schema.properties ?? {}).filter((name) => isBreadcrumbSelected(entry, ['properties', name]));
}

export interface ReplicationSettings {
  method: ReplicationMethod;
  replicationKey?: string;
}

/**
 * Replication as the user asked for it. Unlike the SDK, the spec's user metadata `replication-method` and
 * `replication-key` are honoured; a `forced-replication-method` still wins.
 */
export function replicationOf(entry: CatalogEntry): ReplicationSettings {
  const values = streamMetadata(entry);
  const forced = values['forced-replication-method'];
  const method =
    forced ??
    values['replication-method'] ??
    entry.replication_method ??
    (entry.replication_key ? 'INCREMENTAL' : 'FULL_TABLE');
  const replicationKey = values['replication-key'] ?? entry.replication_key ?? values['valid-replication-keys']?.[0];
  return method === 'FULL_TABLE' ? { method } : { method, replicationKey };
}

export function keyPropertiesOf(entry: CatalogEntry): string[] {
  return streamMetadata(entry)['table-key-properties'] ?? entry.key_properties ?? [];
}

function sameBreadcrumb(a: Breadcrumb, b: Breadcrumb): boolean {
  return a.length === b.length && a.every((part, index) => part === b[index]);
}

function schemaAt(schema: JsonSchema, breadcrumb: Breadcrumb): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const part of breadcrumb) {
    if (node === undefined) return undefined;
    node = (node as Record<string, unknown>)[part] as JsonSchema | undefined;
  }
  return node;
}
