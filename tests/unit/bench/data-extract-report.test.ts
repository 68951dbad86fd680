import assert from 'node:assert/strict';
import { dataExtractGoals, dataExtractMarkdown, rssGrowth } from '../../../bench/data-extract-report.js';
import type { DataExtractFigure } from '../../../bench/data-extract-load.js';

const figure = (rows: number, rowsPerSecond: number, tapRss: number, targetRss: number): DataExtractFigure => ({
  rows,
  rowsPerSecond,
  wallSeconds: rows / rowsPerSecond,
  tap: { cpuMicrosPerRow: 30, peakRssMb: tapRss },
  target: { cpuMicrosPerRow: 20, peakRssMb: targetRss },
  load1: 1.5,
  files: Math.ceil(rows / 28_000),
  textMb: Math.round(rows / 2850),
  storedMb: Math.round(rows / 20_000),
  writeSeconds: rows / 10_000,
});

describe('bench report: the Data Extract section (pure parts)', () => {
  it('RSS growth is the largest size against the next size down, per process', () => {
    const figures = [
      figure(100_000, 9000, 100, 90),
      figure(1_000_000, 9000, 200, 120),
      figure(10_000_000, 9000, 230, 150),
    ];
    assert.deepEqual(rssGrowth(figures), { tap: 15, target: 25 });
    assert.equal(rssGrowth(figures.slice(0, 1)), undefined, 'one size has no growth');
  });

  it('the speed goal reads the largest size; flat RSS needs both processes within 20 %', () => {
    const met = (figures: DataExtractFigure[]) =>
      dataExtractGoals({ fileMb: 10, figures }).map((goal) => [goal.met, goal.measured]);
    const [[fast, fastText], [flat, flatText]] = met([
      figure(1_000_000, 10_000, 200, 100),
      figure(10_000_000, 31_000, 240, 120),
    ]);
    assert.equal(fast, true);
    assert.match(String(fastText), /31,000 rows\/s at 10,000,000 rows \(load 1\.5\)/);
    assert.equal(flat, true, 'tap +20 % and target +20 % are within 20 %');
    assert.match(String(flatText), /1,000,000 → 10,000,000 rows: tap \+20 %, target \+20 %/);
    const [[slow], [grows]] = met([figure(1_000_000, 40_000, 200, 100), figure(10_000_000, 29_999, 200, 121)]);
    assert.equal(slow, false);
    assert.equal(grows, false, 'the target grew 21 %');
  });

  it('a step that did not run says why, and fails its goals; an older report without it has none', () => {
    const goals = dataExtractGoals({ skipped: 'no S3-compatible server' });
    assert.equal(goals.length, 2);
    for (const goal of goals) {
      assert.equal(goal.met, false);
      assert.equal(goal.measured, 'not run: no S3-compatible server');
    }
    assert.deepEqual(dataExtractGoals(undefined), []);
    assert.deepEqual(dataExtractMarkdown(undefined), []);
    assert.match(
      dataExtractMarkdown({ skipped: 'no S3-compatible server' }).join('\n'),
      /not run: no S3-compatible server/,
    );
  });

  it("prints one table line per size, the file writing apart, with the servers' CPU and the sum", () => {
    const measured = {
      ...figure(100_000, 8000, 150, 110),
      servers: { simulator: 0.1, postgres: 14.2, objectStore: 6 },
    };
    const text = dataExtractMarkdown({ fileMb: 10, figures: [measured, figure(200_000, 8000, 150, 110)] }).join('\n');
    assert.match(text, /gzip CSV files of 10 MB of text each/);
    assert.match(text, /\| simulator µs\/row \| PostgreSQL µs\/row \| moto µs\/row \| sum µs\/row \| load \|/);
    assert.match(
      text,
      /\| 100,000 \| 4 \| 35 \| 5 \| 10 \| 8,000 \| 12\.5 \| 30 \| 150 \| 20 \| 110 \| 0\.1 \| 14\.2 \| 6 \| 70\.3 \| 1\.5 \|/,
    );
    // An older report's figures have no server columns: — each, the sum of the tap and the target only.
    assert.match(text, /\| 200,000 \| .* \| 30 \| 150 \| 20 \| 110 \| — \| — \| — \| 50 \| 1\.5 \|/);
    assert.match(text, /moto µs\/row is\s+scripts\/s3-server\.sh's moto_server process/);
  });
});
