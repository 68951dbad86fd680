import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { compareKeys, type ObjectStore, type StoredFile } from './object-store.js';

/** Files being written are named so (a dot first): list never shows them, so a reader never sees half a file. */
const PARTIAL_MARK = '.partial-';

/**
 * A directory as an object store, for development and tests: keys are paths relative to the root with `/`
 * separators. The etag is size and modification time in nanoseconds (what a rewrite changes), not a content hash:
 * hashing would read every file twice.
 */
export class LocalDirectoryStore implements ObjectStore {
  readonly description: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
    this.description = `local directory ${root}`;
  }

  async *list(prefix: string): AsyncIterable<StoredFile> {
    const files: StoredFile[] = [];
    await this.#walk(this.#root, prefix, files);
    files.sort((a, b) => compareKeys(a.key, b.key));
    yield* files;
  }

  async #walk(directory: string, prefix: string, into: StoredFile[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(PARTIAL_MARK)) continue;
      const path = join(directory, entry.name);
      const key = relative(this.#root, path).split(sep).join('/');
      if (entry.isDirectory()) {
        // Only directories that can hold keys with the prefix are walked.
        if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix)) await this.#walk(path, prefix, into);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const info = await stat(path, { bigint: true });
        into.push({
          key,
          size: Number(info.size),
          etag: `${info.size.toString(16)}-${info.mtimeNs.toString(16)}`,
          lastModified: new Date(Number(info.mtimeMs)),
        });
      }
    }
  }

  read(key: string): Promise<Readable> {
    const stream = createReadStream(this.#path(key));
    // Open errors (a missing file) surface here, not on the first read.
    return new Promise((resolve, reject) => {
      stream.once('open', () => resolve(stream));
      stream.once('error', reject);
    });
  }

  async write(key: string, body: Readable | Buffer): Promise<void> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    const partial = join(dirname(path), `${PARTIAL_MARK}${process.pid}-${Math.random().toString(36).slice(2)}`);
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(partial));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  #path(key: string): string {
    if (key === '' || key.split('/').some((part) => part === '..' || part === '' || part === '.'))
      throw new TypeError(`object key '${key}' is not a relative path inside the store`);
    return join(this.#root, ...key.split('/'));
  }
}
