import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../helpers/repo-root.js';

export interface WorkingCopy {
  dir: string;
  remove(): Promise<void>;
}

/**
 * A separate Meltano project directory, as a worker machine would have one: its own meltano.yml (a copy) and its
 * own .meltano/ (run dirs, catalogs, logs), with bin/ linked to this checkout's executables.
 */
export async function createWorkingCopy(prefix: string): Promise<WorkingCopy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  await copyFile(path.join(repoRoot, 'meltano.yml'), path.join(dir, 'meltano.yml'));
  await symlink(path.join(repoRoot, 'bin'), path.join(dir, 'bin'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
