import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMeltanoYml } from './meltano-yml.js';

/** `node dist/tools/meltano-yml-cli.js [--check]`: writes meltano.yml at the repo root, or exits 1 if it differs. */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const file = path.resolve(fileURLToPath(new URL('../../meltano.yml', import.meta.url)));
  const text = renderMeltanoYml();
  if (argv.includes('--check')) {
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${file} is out of date: run npm run meltano:yml\n`);
      process.exitCode = 1;
    }
    return;
  }
  await writeFile(file, text);
  process.stderr.write(`wrote ${file}\n`);
}
