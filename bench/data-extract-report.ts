/**
 * The Data Extract part of the bench report: its goals (30,000 rows/s end to end, so 100M rows load in under an hour;
 * peak RSS flat as the row count grows) and its Markdown table.
 */
import type { DataExtractFigure } from './data-extract-load.js';
import { cpuSum, SERVER_CPU_NOTE, serverCpu } from './cpu-columns.js';

export type DataExtractSection = { fileMb: number; figures: DataExtractFigure[] } | { skipped: string };

/** Peak RSS at the largest size may exceed the next size down's by this share at most: "flat". */
export const RSS_FLAT_PERCENT = 20;

const n = (value: number): string => value.toLocaleString('en-US');

interface DataExtractGoal {
  goal: string;
  measured: string;
  met: boolean;
}

/** Growth of peak RSS from the next size down to the largest, in percent, per process. */
export function rssGrowth(figures: DataExtractFigure[]): { tap: number; target: number } | undefined {
  const [smaller, largest] = figures.slice(-2);
  if (!smaller || !largest) return undefined;
  const growth = (from: number, to: number): number => Math.round(((to - from) / from) * 1000) / 10;
  return {
    tap: growth(smaller.tap.peakRssMb, largest.tap.peakRssMb),
    target: growth(smaller.target.peakRssMb, largest.target.peakRssMb),
  };
}

export function dataExtractGoals(section: DataExtractSection | undefined): DataExtractGoal[] {
  const speedGoal = 'Data Extract end to end (S3 files → tap → target → PostgreSQL): ≥ 30,000 rows/s';
  const flatGoal = `Data Extract: peak RSS flat (largest size ≤ ${RSS_FLAT_PERCENT} % over the next size down, tap and target)`;
  if (!section) return [];
  if ('skipped' in section) {
    const measured = `not run: ${section.skipped}`;
    return [
      { goal: speedGoal, measured, met: false },
      { goal: flatGoal, measured, met: false },
    ];
  }
  const largest = section.figures.at(-1);
  const growth = rssGrowth(section.figures);
  const sizes = section.figures.slice(-2).map((f) => n(f.rows));
  return [
    {
      goal: speedGoal,
      measured: largest
        ? `${n(largest.rowsPerSecond)} rows/s at ${n(largest.rows)} rows (load ${largest.load1})`
        : 'no figure',
      met: !!largest && largest.rowsPerSecond >= 30_000,
    },
    {
      goal: flatGoal,
      measured: growth
        ? `${sizes.join(' → ')} rows: tap ${growth.tap > 0 ? '+' : ''}${growth.tap} %, target ${growth.target > 0 ? '+' : ''}${growth.target} %`
        : 'needs two sizes',
      met: !!growth && growth.tap <= RSS_FLAT_PERCENT && growth.target <= RSS_FLAT_PERCENT,
    },
  ];
}

export function dataExtractMarkdown(section: DataExtractSection | undefined): string[] {
  if (!section) return [];
  const title = '## Data Extract initial load: simulator → S3 (moto) → tap → target → PostgreSQL';
  if ('skipped' in section) return [title, '', `not run: ${section.skipped}`, ''];
  return [
    title,
    '',
    `allocation rows as gzip CSV files of ${section.fileMb} MB of text each (Data Extract's default size), in the`,
    'S3-compatible server moto on 127.0.0.1 (in memory; not AWS, OCI or GCS). "write s" is the simulator writing the',
    "files (WMS's work, not in rows/s); rows/s and wall s are the tap | target load alone, every row counted in.",
    "During the load the simulator answers the tap's discovery only.",
    '',
    '| rows | files | CSV MB | gzip MB | write s | rows/s | wall s | tap µs/row | tap RSS MB | target µs/row | target RSS MB | simulator µs/row | PostgreSQL µs/row | moto µs/row | sum µs/row | load |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...section.figures.map(
      (f) =>
        `| ${n(f.rows)} | ${n(f.files)} | ${n(f.textMb)} | ${n(f.storedMb)} | ${f.writeSeconds} | ${n(f.rowsPerSecond)} | ${f.wallSeconds.toFixed(1)} | ${f.tap.cpuMicrosPerRow} | ${f.tap.peakRssMb} | ${f.target.cpuMicrosPerRow} | ${f.target.peakRssMb} | ${serverCpu(f.servers, 'simulator')} | ${serverCpu(f.servers, 'postgres')} | ${serverCpu(f.servers, 'objectStore')} | ${cpuSum([f.tap.cpuMicrosPerRow, f.target.cpuMicrosPerRow], f.servers)} | ${f.load1} |`,
    ),
    '',
    ...SERVER_CPU_NOTE,
    '',
  ];
}
