import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../singer/index.js';

/**
 * The `meltano` executable that `meltano-handoff` runs `meltano state get/set` with. Meltano starts a utility with
 * neither its own path nor its venv on PATH (it may itself have been started by an absolute path, as Dagster and cron
 * jobs often do), so the candidates are, in order:
 * 1. `--meltano <path>`, when given (and then only it);
 * 2. `$MELTANO_SYS_DIR_ROOT/run/bin`: Meltano exports MELTANO_SYS_DIR_ROOT (the project's `.meltano`) to every plugin,
 *    and links `run/bin` there to its own executable when it activates the project; Meltano re-invokes itself through
 *    that link too;
 * 3. `$MELTANO_BIN`;
 * 4. `meltano` in a directory of PATH.
 */
export async function findMeltano(explicit: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (explicit !== undefined) {
    if (await isExecutable(explicit)) return explicit;
    throw new ConfigError(`--meltano '${explicit}' is not an executable file`);
  }
  const tried: string[] = [];
  const candidates: [string, string | undefined][] = [
    ['$MELTANO_SYS_DIR_ROOT/run/bin', env.MELTANO_SYS_DIR_ROOT && path.join(env.MELTANO_SYS_DIR_ROOT, 'run', 'bin')],
    ['$MELTANO_BIN', env.MELTANO_BIN || undefined],
    ...(env.PATH ?? '')
      .split(path.delimiter)
      .filter((dir) => dir !== '')
      .map((dir): [string, string] => ['PATH', path.join(dir, 'meltano')]),
  ];
  for (const [source, file] of candidates) {
    if (file !== undefined && (await isExecutable(file))) return file;
    if (source !== 'PATH') tried.push(file === undefined ? `${source} not set` : `${source} (${file}) not executable`);
  }
  tried.push('no meltano in any PATH directory');
  throw new ConfigError(
    `cannot find the meltano executable (${tried.join('; ')}): run this command from \`meltano run\`, set MELTANO_BIN, put meltano on PATH or pass --meltano <path>`,
  );
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
