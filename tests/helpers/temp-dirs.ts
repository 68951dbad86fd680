import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Scratch directories whose owner has no natural end of life (a config file per spawned target, a directory per
// test file created while mocha loads it): each is recorded here and removed by the root hook in
// tests/helpers/root-hooks.ts when the run ends, so no test leaves anything in TMPDIR (scripts/test.sh checks).
const created = new Set<string>();

/** A new empty directory `<TMPDIR>/<prefix>XXXXXX`, removed when the mocha run ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Removes every directory tempDir made (the root hook's afterAll). */
export function removeTempDirs(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}
