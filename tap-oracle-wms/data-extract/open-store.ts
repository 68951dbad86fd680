import { ConfigError } from '../../singer/index.js';
import type { TapConfig } from '../settings.js';
import { LocalDirectoryStore } from './local-directory-store.js';
import type { ObjectStore } from './object-store.js';
import { S3Store } from './s3-store.js';

export type DataExtractSettings = NonNullable<TapConfig['data_extract']>;

/** The store's access key: top-level secret settings, so that they are redacted like every other secret. */
export type StoreCredentials = Pick<TapConfig, 'data_extract_access_key_id' | 'data_extract_secret_access_key'>;

/** The object store the data_extract settings name. Another provider is one more case here. */
export function openObjectStore(settings: DataExtractSettings, credentials: StoreCredentials): ObjectStore {
  const need = (name: 'directory' | 'bucket' | 'region'): string => {
    const value = settings[name];
    // The settings schema requires it for this store: only a caller that skipped validation gets here.
    if (value === undefined) throw new ConfigError(`'data_extract.${name}' is required with store ${settings.store}`);
    return value;
  };
  switch (settings.store) {
    case 'local':
      return new LocalDirectoryStore(need('directory'));
    case 's3':
      return new S3Store({
        bucket: need('bucket'),
        region: need('region'),
        endpoint: settings.endpoint,
        forcePathStyle: settings.force_path_style,
        accessKeyId: credentials.data_extract_access_key_id,
        secretAccessKey: credentials.data_extract_secret_access_key,
      });
  }
}

/** Where one entity's files are: the prefix, then entity_prefix with `{entity}` replaced. */
export function entityPrefix(settings: DataExtractSettings, entity: string): string {
  return `${settings.prefix}${settings.entity_prefix.replaceAll('{entity}', entity)}`;
}
