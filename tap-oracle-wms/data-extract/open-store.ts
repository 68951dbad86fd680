import type { TapConfig } from '../settings.js';
import { LocalDirectoryStore } from './local-directory-store.js';
import type { ObjectStore } from './object-store.js';

export type DataExtractSettings = NonNullable<TapConfig['data_extract']>;

/** The object store the data_extract settings name. Another provider is one more case here. */
export function openObjectStore(settings: DataExtractSettings): ObjectStore {
  switch (settings.store) {
    case 'local':
      return new LocalDirectoryStore(settings.directory);
  }
}

/** Where one entity's files are: the prefix, then entity_prefix with `{entity}` replaced. */
export function entityPrefix(settings: DataExtractSettings, entity: string): string {
  return `${settings.prefix}${settings.entity_prefix.replaceAll('{entity}', entity)}`;
}
