import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findMeltano } from '../../../orchestrator/meltano-executable.js';
import { ConfigError, ExitCode } from '../../../singer/index.js';

describe('wms-pipeline meltano-handoff: which meltano it runs (real files in a temp dir)', () => {
  let dir: string;
  let venvMeltano: string; // what Meltano links as <sys dir>/run/bin
  let binMeltano: string; // what MELTANO_BIN names
  let pathDir: string; // a PATH directory holding another meltano
  let sysDir: string;

  const executable = async (file: string): Promise<string> => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '#!/bin/sh\nexit 0\n');
    await chmod(file, 0o755);
    return file;
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meltano-executable-'));
    venvMeltano = await executable(path.join(dir, 'venv', 'bin', 'meltano'));
    binMeltano = await executable(path.join(dir, 'other', 'meltano'));
    pathDir = path.join(dir, 'path-dir');
    await executable(path.join(pathDir, 'meltano'));
    sysDir = path.join(dir, 'project', '.meltano');
    await mkdir(path.join(sysDir, 'run'), { recursive: true });
    await symlink(venvMeltano, path.join(sysDir, 'run', 'bin'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('inside `meltano run`: the running meltano, through the link Meltano keeps in MELTANO_SYS_DIR_ROOT, before MELTANO_BIN and PATH', async () => {
    const found = await findMeltano(undefined, {
      MELTANO_SYS_DIR_ROOT: sysDir,
      MELTANO_BIN: binMeltano,
      PATH: pathDir,
    });
    assert.equal(found, path.join(sysDir, 'run', 'bin'));
  });

  it('then MELTANO_BIN, then meltano in a PATH directory (a dangling run/bin link is skipped)', async () => {
    const dangling = path.join(dir, 'dangling', '.meltano');
    await mkdir(path.join(dangling, 'run'), { recursive: true });
    await symlink(path.join(dir, 'gone', 'meltano'), path.join(dangling, 'run', 'bin'));
    assert.equal(await findMeltano(undefined, { MELTANO_SYS_DIR_ROOT: dangling, MELTANO_BIN: binMeltano }), binMeltano);
    const fromPath = await findMeltano(undefined, { PATH: [path.join(dir, 'venv'), pathDir].join(path.delimiter) });
    assert.equal(fromPath, path.join(pathDir, 'meltano'));
  });

  it('--meltano wins over everything, and must be an executable file', async () => {
    assert.equal(await findMeltano(binMeltano, { MELTANO_SYS_DIR_ROOT: sysDir, PATH: pathDir }), binMeltano);
    await assert.rejects(findMeltano(path.join(dir, 'venv'), { PATH: pathDir }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /--meltano '.*venv' is not an executable file/);
      return true;
    });
  });

  it('none found: exit 2 with every place it looked', async () => {
    const empty = path.join(dir, 'project');
    await assert.rejects(
      findMeltano(undefined, { MELTANO_SYS_DIR_ROOT: path.join(dir, 'nowhere'), PATH: empty }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.exitCode, ExitCode.Config);
        assert.match(error.message, /cannot find the meltano executable/);
        assert.match(error.message, /\$MELTANO_SYS_DIR_ROOT\/run\/bin \(.*nowhere\/run\/bin\) not executable/);
        assert.match(error.message, /\$MELTANO_BIN not set/);
        assert.match(error.message, /no meltano in any PATH directory/);
        return true;
      },
    );
  });
});
