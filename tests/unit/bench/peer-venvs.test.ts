import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
const REQUIREMENT = 'meltanolabs-target-postgres==0.8.1';

/**
 * scripts/peer-venvs.sh in a scratch copy of the repo's scripts, with a stand-in python: `--version` answers,
 * `-m venv DIR` makes a venv whose python fails every command (so a reinstall stops at "PyPI cannot be reached",
 * exit 75, before any network or apt-get).
 */
describe('scripts/peer-venvs.sh: the installed check', () => {
  let root: string;
  let python: string;
  const venv = (): string => path.join(root, '.cache', 'peer-venvs', 'target-postgres');

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'peer-venvs-'));
    await mkdir(path.join(root, 'scripts', 'peer-constraints'), { recursive: true });
    for (const file of ['peer-venvs.sh', 'lib.sh', 'peer-constraints/target-postgres.txt'])
      await copyFile(path.join(repo, 'scripts', file), path.join(root, 'scripts', file));
    python = path.join(root, 'python-stand-in');
    await writeFile(
      python,
      '#!/usr/bin/env bash\n' +
        'if [[ $1 == --version ]]; then echo "Python 3.11.7"; exit 0; fi\n' +
        'if [[ $1 == -m && $2 == venv ]]; then mkdir -p "$3/bin"; printf "#!/bin/sh\\nexit 1\\n" >"$3/bin/python"; chmod +x "$3/bin/python"; exit 0; fi\n' +
        'exit 1\n',
    );
    await chmod(python, 0o755);
    // A venv stamped as installed with these pins, as the script itself stamps it.
    const constraints = await readFile(path.join(root, 'scripts', 'peer-constraints', 'target-postgres.txt'), 'utf8');
    const stamp = createHash('sha256').update(`${REQUIREMENT}\nPython 3.11.7\n${constraints}`).digest('hex');
    await mkdir(path.join(venv(), 'bin'), { recursive: true });
    await writeFile(path.join(venv(), '.installed'), `${stamp}\n`);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function consoleScript(interpreter: string): Promise<void> {
    const file = path.join(venv(), 'bin', 'target-postgres');
    await writeFile(file, `#!${interpreter}\nprint("peer")\n`);
    await chmod(file, 0o755);
  }

  const run = () =>
    spawnSync('bash', [path.join(root, 'scripts', 'peer-venvs.sh'), 'target-postgres'], {
      env: { ...process.env, PYTHON: python },
      encoding: 'utf8',
    });

  it('keeps a venv whose stamp matches and whose console script can start', async () => {
    await consoleScript(python);
    const result = run();
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /already installed/);
  });

  it('rebuilds a venv whose console script names a python that no longer exists (made under a removed path)', async () => {
    await consoleScript('/nonexistent/removed-worktree/.cache/peer-venvs/target-postgres/bin/python');
    const result = run();
    assert.doesNotMatch(result.stderr, /already installed/);
    // The rebuild started: the stand-in venv cannot reach the index, so the script stops with its "unreachable" code.
    assert.equal(result.status, 75, result.stderr);
    assert.match(result.stderr, /cannot be reached/);
  });
});
