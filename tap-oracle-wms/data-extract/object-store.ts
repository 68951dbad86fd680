import type { Readable } from 'node:stream';

/**
 * One file in the object store that WMS Data Extract writes into (S3 and S3-compatible stores, a local directory for
 * development). The key is the store-relative name; etag and size let a resumed load tell a re-listed file it has
 * already loaded from a new file under the same name.
 */
export interface StoredFile {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
}

/**
 * The only thing the Data Extract code knows about a store. Providers live behind it (S3 through @aws-sdk/client-s3,
 * a local directory), so Azure Blob or the OCI SDK can be added without touching the readers.
 */
export interface ObjectStore {
  /** What the store is, for logs and errors: never credentials. */
  readonly description: string;
  /** Every file whose key starts with `prefix`, in key order ({@link compareKeys}). */
  list(prefix: string): AsyncIterable<StoredFile>;
  /** The file's bytes as a stream (never the whole file in memory). */
  read(key: string): Promise<Readable>;
  /** Stores a file (the simulator's exports and tests write through this). */
  write(key: string, body: Readable | Buffer): Promise<void>;
}

/** Key order as S3 lists keys (their UTF-8 bytes compared): the order every store lists in and loads commit in. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
