/**
 * The bench report: one JSON file with every figure, a Markdown page that reads it out against the goals, and an
 * SVG bar chart of the side-by-side first loads (a small template: one bar per target, no plotting library).
 */
import type { RoundTripFigure } from './oracle-round-trips.js';
import type { HotFunction } from './cpu-profile.js';
import { dataExtractGoals, dataExtractMarkdown, type DataExtractSection } from './data-extract-report.js';
import { cpuSum, SERVER_CPU_NOTE, serverCpu } from './cpu-columns.js';
import type { FixedCostFigure, PairFigure, ProcessFigure } from './pipeline-runs.js';
import type { RangeWorkersFigure } from './range-workers.js';
import type { LoadFigure, TargetFigure } from './target-side-by-side.js';

export interface BenchReport {
  date: string;
  commit: string;
  command: string;
  machine: string;
  tap: ProcessFigure;
  /** Ours alone on the large file (first load, upsert). */
  target: TargetFigure;
  /** Ours and the peers on one smaller file. */
  sideBySide: TargetFigure[];
  oracleRoundTrips: RoundTripFigure[];
  pair: PairFigure[];
  fixedCost: FixedCostFigure;
  /** One entity by 1, 2, 4, 8 separate range-worker pipelines (simulator at 2 ms/row); absent in older reports. */
  rangeWorkers?: RangeWorkersFigure[];
  /** A Data Extract initial load at several sizes (files in moto); absent in older reports. */
  dataExtract?: DataExtractSection;
  profile: { tap: HotFunction[]; target: HotFunction[] };
}

export interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

const n = (value: number): string => value.toLocaleString('en-US');

/** The fastest peer whose stored probe is exact, and our first load's ratio to it. */
export function peerRatio(figures: TargetFigure[]): { peer: string; ratio: number } | undefined {
  const ours = figures.find((f) => f.target.includes('(ours)'))?.firstLoad;
  const exactPeers = figures.filter(
    (f) => !f.target.includes('(ours)') && f.firstLoad && f.stored?.decimalExact && f.stored.instantExact,
  );
  const best = exactPeers.sort((a, b) => b.firstLoad!.rowsPerSecond - a.firstLoad!.rowsPerSecond)[0];
  if (!ours || !best) return undefined;
  return {
    peer: `${best.target} ${best.mode}`,
    ratio: Math.round((ours.rowsPerSecond / best.firstLoad!.rowsPerSecond) * 10) / 10,
  };
}

export function goals(report: BenchReport): Goal[] {
  const first = report.target.firstLoad;
  const maxRss = Math.max(0, ...report.pair.flatMap((p) => [p.tap.peakRssMb, p.target.peakRssMb]));
  const largest = report.pair.at(-1);
  const ratio = peerRatio(report.sideBySide);
  return [
    {
      goal: 'target alone into PostgreSQL: ≤ 7 CPU µs/row',
      measured: first ? `${first.cpuMicrosPerRow} µs/row` : 'no figure',
      met: !!first && first.cpuMicrosPerRow <= 7,
    },
    {
      goal: 'target alone into PostgreSQL: ≥ 120,000 rows/s',
      measured: first ? `${n(first.rowsPerSecond)} rows/s (load ${first.load1})` : 'no figure',
      met: !!first && first.rowsPerSecond >= 120_000,
    },
    {
      goal: 'tap alone against the simulator: ≥ 60,000 rows/s',
      measured: `${n(report.tap.rowsPerSecond)} rows/s (load ${report.tap.load1})`,
      met: report.tap.rowsPerSecond >= 60_000,
    },
    {
      goal: 'end to end: ≥ 30,000 rows/s',
      measured: largest
        ? `${n(largest.rowsPerSecond)} rows/s at ${n(largest.rows)} rows (load ${largest.load1})`
        : 'no figure',
      met: !!largest && largest.rowsPerSecond >= 30_000,
    },
    {
      goal: 'peak RSS ≤ 200 MB per process at any size',
      measured: `${maxRss} MB`,
      met: maxRss > 0 && maxRss <= 200,
    },
    {
      goal: 'fixed cost of a 1-row incremental run, catalog cached: ≤ 1.0 s',
      measured: `${report.fixedCost.oneRowRunSeconds.toFixed(2)} s`,
      met: report.fixedCost.oneRowRunSeconds <= 1,
    },
    {
      goal: '≥ 35× the fastest exact peer target',
      measured: ratio ? `${ratio.ratio}× ${ratio.peer}` : 'no exact peer measured',
      met: !!ratio && ratio.ratio >= 35,
    },
    ...dataExtractGoals(report.dataExtract),
  ];
}

const load = (f: LoadFigure | undefined): string =>
  f ? `${n(f.rowsPerSecond)} rows/s, ${f.cpuMicrosPerRow} µs/row, ${f.peakRssMb} MB (load ${f.load1})` : '—';

export function markdown(report: BenchReport, chartFile: string): string {
  const lines: string[] = [
    `# Bench ${report.date}`,
    '',
    `- command: \`${report.command}\``,
    `- commit: ${report.commit}`,
    `- machine: ${report.machine}`,
    '- CPU µs/row is user + system time of the measured process (GNU time for the tap and the target, /proc for the',
    '  servers they run against) per row; RSS is its peak. "load" is the 1-minute load average around the',
    '  measurement: the machine may be shared, so compare figures within one report.',
    '',
    '## Goals',
    '',
    '| goal | measured | met |',
    '|---|---|---|',
    ...goals(report).map((g) => `| ${g.goal} | ${g.measured} | ${g.met ? 'yes' : '**no**'} |`),
    '',
    `## Targets side by side (${n(report.sideBySide[0]?.rows ?? 0)} allocation rows, one file, one PostgreSQL)`,
    '',
    `![first load rows/s](${chartFile})`,
    '',
    '| target | mode | first load | upsert | stored 12345678901234567.891 | stored 2024-06-30T23:59:59.123456+14:00 |',
    '|---|---|---|---|---|---|',
    ...report.sideBySide.map((f) =>
      f.error
        ? `| ${f.target} | ${f.mode} | ${f.error} | | | |`
        : `| ${f.target} | ${f.mode} | ${load(f.firstLoad)} | ${load(f.upsert)} | ${f.stored?.decimal ?? 'null'} (${f.stored?.decimalExact ? 'exact' : 'not exact'}) | ${f.stored?.instant ?? 'null'} (${f.stored?.instantExact ? 'exact' : 'not exact'}) |`,
    ),
    '',
    `## target-oracle alone, ${n(report.target.rows)} rows into PostgreSQL`,
    '',
    report.target.error
      ? `failed: ${report.target.error}`
      : `- first load: ${load(report.target.firstLoad)}\n- upsert: ${load(report.target.upsert)}`,
    '',
    `## tap-oracle-wms alone, ${n(report.tap.rows)} rows from the simulator (no latency)`,
    '',
    `${n(report.tap.rowsPerSecond)} rows/s, ${report.tap.cpuMicrosPerRow} µs/row, peak RSS ${report.tap.peakRssMb} MB (load ${report.tap.load1}); the simulator serving it: ${serverCpu(report.tap.servers, 'simulator')} µs/row`,
    '',
    '## End to end: simulator → tap → target → PostgreSQL',
    '',
    '| rows | rows/s | wall s | tap µs/row | tap RSS MB | target µs/row | target RSS MB | simulator µs/row | PostgreSQL µs/row | sum µs/row | load |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...report.pair.map(
      (p) =>
        `| ${n(p.rows)} | ${n(p.rowsPerSecond)} | ${p.wallSeconds.toFixed(2)} | ${p.tap.cpuMicrosPerRow} | ${p.tap.peakRssMb} | ${p.target.cpuMicrosPerRow} | ${p.target.peakRssMb} | ${serverCpu(p.servers, 'simulator')} | ${serverCpu(p.servers, 'postgres')} | ${cpuSum([p.tap.cpuMicrosPerRow, p.target.cpuMicrosPerRow], p.servers)} | ${p.load1} |`,
    ),
    '',
    ...SERVER_CPU_NOTE,
    '',
    '## Fixed cost per run',
    '',
    `- process start (\`tap-oracle-wms --version\`): ${report.fixedCost.processStartSeconds.toFixed(2)} s`,
    `- discovery of one entity with a cached catalog: ${report.fixedCost.cachedDiscoverySeconds.toFixed(2)} s`,
    `- 1-row incremental run, tap | target, catalog cached: ${report.fixedCost.oneRowRunSeconds.toFixed(2)} s`,
    '',
    ...(report.rangeWorkers
      ? [
          `## Range workers: one entity, ${n(report.rangeWorkers[0]?.rows ?? 0)} rows, separate tap | target processes (simulator at 2 ms/row)`,
          '',
          '| workers | rows/s | wall s | speed-up |',
          '|---|---|---|---|',
          ...report.rangeWorkers.map(
            (w) =>
              `| ${w.workers} | ${n(w.rowsPerSecond)} | ${w.seconds.toFixed(1)} | ${(w.rowsPerSecond / (report.rangeWorkers?.[0]?.rowsPerSecond ?? w.rowsPerSecond)).toFixed(2)}× |`,
          ),
          '',
        ]
      : []),
    ...dataExtractMarkdown(report.dataExtract),
    '## Oracle: round trips per 1,000 rows (real target process → Oracle rules session, not a live Oracle)',
    '',
    '| table | strategy | database | round trips / 1,000 rows | temporary LOBs |',
    '|---|---|---|---|---|',
    ...report.oracleRoundTrips.map((f) =>
      f.error
        ? `| ${f.table} | ${f.strategy} | ${f.database} | failed: ${f.error} | |`
        : `| ${f.table} | ${f.strategy} | ${f.database} | ${n(f.perThousandRows)} | ${n(f.temporaryLobs)} |`,
    ),
    '',
    '## Where the CPU goes (self time, V8 sampling profiler)',
    '',
    ...(['tap', 'target'] as const).flatMap((side) => [
      `${side}:`,
      '',
      '| % self | function |',
      '|---|---|',
      ...report.profile[side].map((h) => `| ${h.selfPercent} | \`${h.where}\` |`),
      '',
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

const escapeXml = (text: string): string => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Horizontal bars of first-load rows/s, one per target that has a figure. */
export function chart(figures: TargetFigure[]): string {
  const bars = figures
    .filter((f) => f.firstLoad)
    .map((f) => ({ label: `${f.target} ${f.mode}`, value: f.firstLoad!.rowsPerSecond }));
  const max = Math.max(1, ...bars.map((b) => b.value));
  const width = 760;
  const labelWidth = 330;
  const barHeight = 26;
  const height = 40 + bars.length * (barHeight + 8);
  const rows = bars.map((b, i) => {
    const y = 30 + i * (barHeight + 8);
    const w = Math.max(1, Math.round(((width - labelWidth - 110) * b.value) / max));
    return [
      `<text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end">${escapeXml(b.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${w}" height="${barHeight}" fill="${b.label.includes('(ours)') ? '#c74634' : '#7a8b99'}"/>`,
      `<text x="${labelWidth + w + 6}" y="${y + 18}">${n(b.value)} rows/s</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<text x="10" y="18" font-weight="bold">First load into PostgreSQL, rows/s (same file, same database, same run)</text>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}
