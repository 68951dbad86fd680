import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cpuSum, serverCpu } from '../../../bench/cpu-columns.js';
import { hottest } from '../../../bench/cpu-profile.js';
import { chart, goals, markdown, peerRatio, type BenchReport } from '../../../bench/report.js';
import { judgeProbe, type TargetFigure } from '../../../bench/target-side-by-side.js';

const load = (rowsPerSecond: number, cpuMicrosPerRow = 10, peakRssMb = 100) => ({
  rowsPerSecond,
  cpuMicrosPerRow,
  peakRssMb,
  wallSeconds: 1,
  load1: 0.5,
});
const exact = judgeProbe('12345678901234567.8910', '2024-06-30 09:59:59.123456+00');
const figure = (target: string, rowsPerSecond: number, stored = exact, mode = 'default'): TargetFigure => ({
  target,
  mode,
  rows: 1000,
  firstLoad: load(rowsPerSecond),
  upsert: load(rowsPerSecond),
  stored,
});

describe('bench report (pure parts)', () => {
  it('judges the probe: trailing zeros are the same decimal, a rounded one is not; instants compare as UTC microseconds', () => {
    assert.deepEqual(exact, {
      decimal: '12345678901234567.8910',
      instant: '2024-06-30 09:59:59.123456+00',
      decimalExact: true,
      instantExact: true,
    });
    const rounded = judgeProbe('12345678901234568', '2024-06-30 23:59:59.123456');
    assert.equal(rounded.decimalExact, false);
    assert.equal(rounded.instantExact, false, 'the +14:00 offset was dropped: another instant');
    assert.equal(judgeProbe('1.2345678901234568e+16', null).decimalExact, false);
    assert.equal(judgeProbe(null, '2024-06-30T23:59:59.123456+14:00').instantExact, true);
    assert.equal(judgeProbe(null, '2024-06-30 09:59:59.123+00').instantExact, false, 'microseconds lost');
  });

  it('compares ours with the fastest exact peer only', () => {
    const figures = [
      figure('target-oracle (ours)', 40_000),
      figure('fast but rounding', 20_000, judgeProbe('12345678901234568', null)),
      figure('slow exact', 1_000),
      figure('faster exact', 2_000),
    ];
    assert.deepEqual(peerRatio(figures), { peer: 'faster exact default', ratio: 20 });
    assert.equal(peerRatio([figure('target-oracle (ours)', 1)]), undefined);
  });

  it('reads every goal against its figure', () => {
    const report = {
      tap: { rows: 1, rowsPerSecond: 60_000, cpuMicrosPerRow: 1, peakRssMb: 1, wallSeconds: 1, load1: 0 },
      target: figure('target-oracle (ours)', 120_000),
      sideBySide: [figure('target-oracle (ours)', 35_000), figure('peer', 1_000)],
      pair: [
        {
          rows: 10,
          rowsPerSecond: 30_000,
          wallSeconds: 1,
          tap: { cpuMicrosPerRow: 1, peakRssMb: 150 },
          target: { cpuMicrosPerRow: 1, peakRssMb: 201 },
          load1: 0,
        },
      ],
      fixedCost: { processStartSeconds: 0.1, cachedDiscoverySeconds: 0.2, oneRowRunSeconds: 1.0 },
    } as unknown as BenchReport;
    const met = Object.fromEntries(goals(report).map((g) => [g.goal, g.met]));
    assert.equal(met['target alone into PostgreSQL: ≤ 7 CPU µs/row'], false, '10 µs/row');
    assert.equal(met['target alone into PostgreSQL: ≥ 120,000 rows/s'], true);
    assert.equal(met['tap alone against the simulator: ≥ 60,000 rows/s'], true);
    assert.equal(met['end to end: ≥ 30,000 rows/s'], true);
    assert.equal(met['peak RSS ≤ 200 MB per process at any size'], false, 'the target peaked at 201 MB');
    assert.equal(met['fixed cost of a 1-row incremental run, catalog cached: ≤ 1.0 s'], true);
    assert.equal(met['≥ 35× the fastest exact peer target'], true);
  });

  it('prints rows/s for 1, 2, 4 and 8 range workers (issue 16)', () => {
    const report = {
      date: 'd',
      commit: 'c',
      command: 'npm run bench',
      machine: 'm',
      tap: { rows: 1, rowsPerSecond: 1, cpuMicrosPerRow: 1, peakRssMb: 1, wallSeconds: 1, load1: 0 },
      target: figure('target-oracle (ours)', 1),
      sideBySide: [],
      oracleRoundTrips: [],
      pair: [],
      fixedCost: { processStartSeconds: 0.1, cachedDiscoverySeconds: 0.2, oneRowRunSeconds: 1.0 },
      rangeWorkers: [1, 2, 4, 8].map((workers) => ({
        workers,
        rows: 40_000,
        seconds: 80 / workers,
        rowsPerSecond: 500 * workers,
      })),
      profile: { tap: [], target: [] },
    } as BenchReport;
    const text = markdown(report, 'x.svg');
    assert.match(text, /## Range workers: one entity, 40,000 rows/);
    for (const [workers, rate, speedUp] of [
      [1, '500', '1.00'],
      [2, '1,000', '2.00'],
      [4, '2,000', '4.00'],
      [8, '4,000', '8.00'],
    ])
      assert.match(text, new RegExp(`\\| ${workers} \\| ${rate} \\| [0-9.]+ \\| ${speedUp}× \\|`));
  });

  it("prints every process's CPU per row: the simulator beside the tap, the servers and their sum end to end", () => {
    const report = {
      date: 'd',
      commit: 'c',
      command: 'npm run bench',
      machine: 'm',
      tap: {
        rows: 200_000,
        rowsPerSecond: 20_000,
        cpuMicrosPerRow: 28,
        peakRssMb: 90,
        wallSeconds: 10,
        load1: 1,
        servers: { simulator: 38.2 },
      },
      target: figure('target-oracle (ours)', 1),
      sideBySide: [],
      oracleRoundTrips: [],
      pair: [
        {
          rows: 10_000,
          rowsPerSecond: 9_000,
          wallSeconds: 1.11,
          tap: { cpuMicrosPerRow: 30, peakRssMb: 80 },
          target: { cpuMicrosPerRow: 28.5, peakRssMb: 120 },
          servers: { simulator: 39, postgres: 12.3 },
          load1: 1.2,
        },
        {
          // A report from before the server columns: no figures, no sum beyond the two plugins.
          rows: 100_000,
          rowsPerSecond: 10_000,
          wallSeconds: 10,
          tap: { cpuMicrosPerRow: 30, peakRssMb: 80 },
          target: { cpuMicrosPerRow: 28, peakRssMb: 120 },
          load1: 1.3,
        },
      ],
      fixedCost: { processStartSeconds: 0.1, cachedDiscoverySeconds: 0.2, oneRowRunSeconds: 1.0 },
      profile: { tap: [], target: [] },
    } as BenchReport;
    const text = markdown(report, 'x.svg');
    assert.match(
      text,
      /20,000 rows\/s, 28 µs\/row, peak RSS 90 MB \(load 1\); the simulator serving it: 38\.2 µs\/row/,
    );
    assert.match(
      text,
      /\| rows \| rows\/s \| wall s \| tap µs\/row \| tap RSS MB \| target µs\/row \| target RSS MB \| simulator µs\/row \| PostgreSQL µs\/row \| sum µs\/row \| load \|/,
    );
    assert.match(text, /\| 10,000 \| 9,000 \| 1\.11 \| 30 \| 80 \| 28\.5 \| 120 \| 39 \| 12\.3 \| 109\.8 \| 1\.2 \|/);
    assert.match(text, /\| 100,000 \| 10,000 \| 10\.00 \| 30 \| 80 \| 28 \| 120 \| — \| — \| 58 \| 1\.3 \|/);
    assert.match(text, /PostgreSQL µs\/row is the whole server over the load/);
    const met = Object.fromEntries(goals(report).map((g) => [g.goal, g.measured]));
    assert.equal(met['tap alone against the simulator: ≥ 60,000 rows/s'], '20,000 rows/s (load 1)');
  });

  it("sums the plugins' and the measured servers' CPU; a server not measured prints —", () => {
    assert.equal(cpuSum([28, 30.1], { simulator: 38, postgres: 11.2, objectStore: 4 }), 111.3);
    assert.equal(cpuSum([28, 30], undefined), 58);
    assert.equal(serverCpu({ simulator: 0 }, 'simulator'), '0');
    assert.equal(serverCpu({ simulator: 1 }, 'postgres'), '—');
    assert.equal(serverCpu(undefined, 'objectStore'), '—');
  });

  it('draws one bar per measured target, labels escaped', () => {
    const svg = chart([figure('a <b> & "c"', 10), { target: 'broken', mode: 'x', rows: 1, error: 'not installed' }]);
    assert.equal(svg.match(/<rect /g)?.length, 1);
    assert.match(svg, /a &#60;b&#62; &#38; &#34;c&#34; default/);
  });

  it('sums self samples per function across profiles, idle excluded', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-prof-test-'));
    try {
      const node = (id: number, functionName: string, hitCount: number, url = 'node:internal/x', lineNumber = 0) => ({
        id,
        hitCount,
        callFrame: { functionName, url, lineNumber },
      });
      await writeFile(
        path.join(dir, 'a.cpuprofile'),
        JSON.stringify({ nodes: [node(1, '(idle)', 50), node(2, 'parse', 30, 'node:internal/x', 9)] }),
      );
      await writeFile(
        path.join(dir, 'b.cpuprofile'),
        JSON.stringify({ nodes: [node(1, 'parse', 10, 'node:internal/x', 9), node(2, 'encode', 10)] }),
      );
      await writeFile(path.join(dir, 'ignored.txt'), 'not a profile');
      assert.deepEqual(await hottest(dir, 5), [
        { where: 'parse node:internal/x:10', selfPercent: 80 },
        { where: 'encode node:internal/x:1', selfPercent: 20 },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
