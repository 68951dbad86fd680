/**
 * Regenerates the golden catalog: runs the real `tap-oracle-wms --discover` against the simulator's default tenant
 * (in-process, free port). Usage: `node dist/tests/integration/tap/update-catalog.js <catalog file>`
 * (scripts/update-catalog.sh).
 */
import { writeFileSync } from 'node:fs';
import { runBin } from '../../helpers/run-bin.js';
import { startSim } from './sim.js';
import { scratchDir, tapConfig, writeJson } from './tap-harness.js';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: update-catalog.js <catalog file>\n');
  process.exitCode = 2;
} else {
  const sim = await startSim();
  try {
    const result = await runBin('tap-oracle-wms', [
      '--config',
      writeJson(scratchDir(), 'config.json', tapConfig(sim.baseUrl)),
      '--discover',
    ]);
    if (result.exitCode !== 0) throw new Error(`--discover failed (${result.exitCode}):\n${result.stderr}`);
    writeFileSync(target, `${result.stdout.trimEnd()}\n`);
    process.stderr.write(`wrote ${target}\n`);
  } finally {
    await sim.close();
  }
}
