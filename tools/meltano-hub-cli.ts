import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hubDefinitions } from './meltano-hub.js';

/** `node dist/tools/meltano-hub-cli.js`: writes the Meltano Hub definitions under meltano-hub/ at the repo root. */
export async function run(): Promise<void> {
  const root = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));
  for (const { file, text } of hubDefinitions()) {
    const target = path.join(root, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
    process.stderr.write(`wrote ${target}\n`);
  }
}
