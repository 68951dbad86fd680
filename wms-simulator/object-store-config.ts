import { LocalDirectoryStore, S3Store } from '../tap-oracle-wms/index.js';
import type { ExtractFileSink } from './data-extract-export.js';
import { AdminError } from './simulator-admin.js';

/** An object store configured in the simulated WMS ("Objectstore for Data Extract"), by name. */
export interface ConfiguredStore extends ExtractFileSink {
  /** What the store is, without credentials (admin answers and logs). */
  readonly description: string;
}

/**
 * The store an admin call describes: `{"type": "s3", "bucket", "region"?, "endpoint"?, "forcePathStyle"?,
 * "accessKeyId"?, "secretAccessKey"?}` (a real WMS takes a role ARN and a bucket URL; the simulator writes with a key,
 * as the tests' S3-compatible server needs) or `{"type": "local", "directory"}`.
 */
export function storeFromConfig(name: string, config: Record<string, unknown>): ConfiguredStore {
  const text = (field: string, required: boolean): string | undefined => {
    const value = config[field];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value === '')
      throw new AdminError(`object store '${name}': '${field}' needs non-empty text`);
    return value;
  };
  switch (config.type) {
    case 's3': {
      const forcePathStyle = config.forcePathStyle ?? true;
      if (typeof forcePathStyle !== 'boolean')
        throw new AdminError(`object store '${name}': 'forcePathStyle' needs true or false`);
      const accessKeyId = text('accessKeyId', false);
      const secretAccessKey = text('secretAccessKey', false);
      if ((accessKeyId === undefined) !== (secretAccessKey === undefined))
        throw new AdminError(`object store '${name}': an access key needs both 'accessKeyId' and 'secretAccessKey'`);
      const endpoint = text('endpoint', false);
      return new S3Store({
        bucket: text('bucket', true)!,
        region: text('region', false) ?? 'us-east-1',
        forcePathStyle,
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(accessKeyId === undefined ? {} : { accessKeyId, secretAccessKey }),
      });
    }
    case 'local':
      return new LocalDirectoryStore(text('directory', true)!);
    default:
      throw new AdminError(`object store '${name}': 'type' needs 's3' or 'local'`);
  }
}
