import { rm } from 'node:fs/promises';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from './json-file.js';

/** Keeps a path segment readable and unique: letters, digits, `.`, `_`, `-` stay; anything else becomes `~XX` (hex). */
export function pathSegment(text: string): string {
  const encoded = [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9_-]/.test(char) || (char === '.' && text !== '.' && text !== '..')
        ? char
        : `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return encoded === '' ? '~' : encoded;
}

/**
 * The direct runner's state: one JSON file per company, facility and job,
 * `<state_dir>/<company>/<facility>/<job>.json`, holding the last state value the target emitted (exactly the
 * value `--state` takes). Written atomically (temp file + rename), so a crash leaves the previous state.
 */
export class StateStore {
  constructor(private readonly dir: string) {}

  fileOf(companyCode: string, facilityCode: string, job: string): string {
    return path.join(this.dir, pathSegment(companyCode), pathSegment(facilityCode), `${pathSegment(job)}.json`);
  }

  async read(companyCode: string, facilityCode: string, job: string): Promise<unknown> {
    return readJsonFile(this.fileOf(companyCode, facilityCode, job));
  }

  async write(companyCode: string, facilityCode: string, job: string, state: unknown): Promise<string> {
    const file = this.fileOf(companyCode, facilityCode, job);
    await writeJsonAtomic(file, state);
    return file;
  }

  async clear(companyCode: string, facilityCode: string, job: string): Promise<void> {
    await rm(this.fileOf(companyCode, facilityCode, job), { force: true });
  }
}
