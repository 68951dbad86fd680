/**
 * `npm run bench` (scripts/bench.sh starts PostgreSQL, installs the peers, builds, then runs this): every figure
 * of the bench report in one run on one machine, written to bench/results/<date>.md, .json and .svg, with
 * bench/results/README.md listing the reports, newest first.
 *
 *   node dist/bench/run.js [--rows 1000000] [--peer-rows 100000] [--tap-rows 200000] [--pair 10000,100000,1000000]
 *     [--profile-rows 100000] [--range-rows 40000] [--de-rows 100000,1000000,10000000] [--de-file-mb 10]
 *     [--out bench/results]
 *
 * The Data Extract step needs the S3-compatible server (TEST_S3_*, scripts/bench.sh starts it); without it the
 * report says the step did not run. `--de-rows 0` skips it.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeAllocationFile } from './allocation-file.js';
import { machine, pgConnection, root } from './bench-env.js';
import { cpuProfiles } from './cpu-profile.js';
import { benchS3, dataExtractScaling } from './data-extract-load.js';
import { oracleRoundTrips } from './oracle-round-trips.js';
import { fixedCost, pairScaling, tapAlone } from './pipeline-runs.js';
import { benchRangeWorkers } from './range-workers.js';
import { chart, goals, markdown, type BenchReport } from './report.js';
import { OURS, PEERS, targetsSideBySide } from './target-side-by-side.js';

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const step = (text: string): void => void process.stderr.write(`[bench] ${text}\n`);

async function main(): Promise<void> {
  const rows = Number(option('rows', '1000000'));
  const peerRows = Number(option('peer-rows', '100000'));
  const tapRows = Number(option('tap-rows', '200000'));
  const pairSizes = option('pair', '10000,100000,1000000').split(',').map(Number);
  const profileRows = Number(option('profile-rows', '100000'));
  const rangeRows = Number(option('range-rows', '40000'));
  const deSizes = option('de-rows', '100000,1000000,10000000')
    .split(',')
    .map(Number)
    .filter((size) => size > 0);
  const deFileMb = Number(option('de-file-mb', '10'));
  const out = path.resolve(root, option('out', 'bench/results'));
  const connection = pgConnection();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'bench-'));
  try {
    const bigFile = path.join(scratch, 'allocation-large.singer');
    const peerFile = path.join(scratch, 'allocation-peers.singer');
    step(`writing ${rows} and ${peerRows} allocation RECORDs`);
    await writeAllocationFile(bigFile, rows);
    await writeAllocationFile(peerFile, peerRows);

    step(`tap alone, ${tapRows} rows`);
    const tap = await tapAlone(tapRows);
    step(`target alone, ${rows} rows`);
    const [target] = await targetsSideBySide(connection, [OURS], bigFile, rows, scratch);
    step(`targets side by side, ${peerRows} rows: ours and ${PEERS.length} peers`);
    const sideBySide = await targetsSideBySide(connection, [OURS, ...PEERS], peerFile, peerRows, scratch);
    step('Oracle round trips (rules session)');
    const roundTrips = await oracleRoundTrips(1000);
    step(`end to end at ${pairSizes.join(', ')} rows`);
    const pair = await pairScaling(connection, pairSizes);
    step('fixed cost per run');
    const fixed = await fixedCost(connection);
    step(`range workers 1, 2, 4, 8 on ${rangeRows} rows (simulator at 2 ms/row)`);
    const rangeWorkers = await benchRangeWorkers({ pg: connection, rows: rangeRows, msPerRow: 2 });
    const s3 = benchS3();
    let dataExtract: BenchReport['dataExtract'];
    if (deSizes.length === 0) dataExtract = { skipped: 'not asked for (--de-rows 0)' };
    else if (!s3) dataExtract = { skipped: 'no S3-compatible server (TEST_S3_* unset: scripts/s3-server.sh)' };
    else {
      step(`Data Extract load at ${deSizes.join(', ')} rows (${deFileMb} MB files, moto)`);
      dataExtract = { fileMb: deFileMb, figures: await dataExtractScaling(connection, s3, deSizes, deFileMb, step) };
    }
    step(`CPU profiles, ${profileRows} rows`);
    const profileFile = path.join(scratch, 'allocation-profile.singer');
    await writeAllocationFile(profileFile, profileRows);
    const profile = await cpuProfiles(connection, profileFile, profileRows);

    const date = new Date().toISOString().slice(0, 16).replace(':', '');
    const report: BenchReport = {
      date,
      commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: machine(),
      tap,
      target,
      sideBySide,
      oracleRoundTrips: roundTrips,
      pair,
      fixedCost: fixed,
      rangeWorkers,
      dataExtract,
      profile,
    };
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, `${date}.json`), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(path.join(out, `${date}.svg`), chart(sideBySide));
    await writeFile(path.join(out, `${date}.md`), markdown(report, `${date}.svg`));
    const reports = (await readdir(out))
      .filter((f) => /^\d{4}-.*\.md$/.test(f))
      .sort()
      .reverse();
    await writeFile(
      path.join(out, 'README.md'),
      `# Bench reports\n\nWritten by \`npm run bench\`, newest first.\n\n${reports.map((f) => `- [${f.replace(/\.md$/, '')}](${f})`).join('\n')}\n`,
    );
    process.stdout.write(markdown(report, `${date}.svg`));
    const missed = goals(report).filter((g) => !g.met).length;
    step(`report: ${path.relative(root, path.join(out, `${date}.md`))} (${missed} goal(s) not met)`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
