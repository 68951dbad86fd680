// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { requireMeltano, runMeltano } from '../../helpers/meltano.js';

describe('foundation: Meltano from the project virtualenv (real meltano process)', () => {
  let dir: string;
  before(async function () {
    requireMeltano(this);
    dir = await mkdtemp(path.join(os.tmpdir(), 'meltano-foundation-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('`meltano --version` prints the pinned 4.4.1', async function () {
    this.timeout(60_000);
    const result = await runMeltano(dir, ['--version']);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /\bversion 4\.4\.1\b/);
  });
});
