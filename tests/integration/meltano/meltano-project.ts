import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { meltanoBin } from '../../helpers/meltano.js';
import { repoRoot } from '../../helpers/repo-root.js';
import { runProcess } from '../../helpers/run-bin.js';

export const MELTANO_YML = path.join(repoRoot, 'meltano.yml');

/** The venv that holds the `meltano` in use (…/bin/meltano → …). */
export function meltanoVenv(): string | undefined {
  const bin = meltanoBin();
  return bin ? path.dirname(path.dirname(bin)) : undefined;
}

/** Meltano's own JSON Schema for meltano.yml, shipped in its package (`meltano/schemas/meltano.schema.json`). */
export function meltanoSchemaFile(venv: string): string | undefined {
  const lib = path.join(venv, 'lib');
  if (!existsSync(lib)) return undefined;
  for (const python of readdirSync(lib).filter((name) => name.startsWith('python3'))) {
    const file = path.join(lib, python, 'site-packages', 'meltano', 'schemas', 'meltano.schema.json');
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Parses a YAML file with the PyYAML that Meltano itself uses, so the test reads meltano.yml as Meltano does. */
export async function parseYamlWithVenv(venv: string, file: string): Promise<unknown> {
  const result = await runProcess(
    path.join(venv, 'bin', 'python'),
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)', file],
    {
      timeoutMs: 30_000,
    },
  );
  if (result.exitCode !== 0) throw new Error(`python could not parse ${file}: ${result.stderr}`);
  return JSON.parse(result.stdout) as unknown;
}
