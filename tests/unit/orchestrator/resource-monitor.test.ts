import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { CpuMeter } from '../../../orchestrator/cpu-meter.js';
import { assessLeak, median, theilSenSlope, type MemoryPoint } from '../../../orchestrator/leak-verdict.js';
import { parseStat, parseStatusRss, readProcessTree, type ProcessReading } from '../../../orchestrator/proc-stats.js';
import { ResourceMonitor } from '../../../orchestrator/resource-monitor.js';

const MB = 1024 * 1024;
/** One memory reading per second for `seconds` seconds. */
const trace = (seconds: number, mbAt: (second: number) => number, everyMs = 1000): MemoryPoint[] =>
  Array.from({ length: Math.floor((seconds * 1000) / everyMs) + 1 }, (_, i) => ({
    t: i * everyMs,
    rssBytes: mbAt((i * everyMs) / 1000) * MB,
  }));
/** A GC sawtooth: +12 MB/s for 5 s, then back down. */
const sawtooth = (second: number): number => 12 * (second % 5);
const LEAK = { thresholdMbPerMinute: 30 };

const exited = (child: ChildProcess): Promise<unknown> =>
  new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** node -e: burn CPU on `workers` processes for `ms` (more processes than cores asks for more than the machine has). */
const burner = (workers: number, ms: number): string =>
  `const {spawn}=require('child_process');for(let i=0;i<${workers};i++)spawn(process.execPath,['-e','const t=Date.now();while(Date.now()-t<${ms}){}'],{stdio:'inherit'});`;

describe('orchestrator resource monitor', () => {
  describe('leak verdict (pure, synthetic traces)', () => {
    it('Theil–Sen slope and median', () => {
      const line = [0, 1, 2, 3, 4, 5, 6].map((x) => ({ x, y: 1 + 2 * x }));
      line[5].y = 500;
      assert.equal(theilSenSlope(line), 2, 'one outlier does not move it');
      assert.equal(median([3, 1, 2]), 2);
      assert.equal(median([4, 1, 2, 3]), 2.5);
    });

    it('steady memory with a GC sawtooth (±60 MB every 5 s) is no leak', () => {
      const verdict = assessLeak(
        trace(60, (s) => 300 + sawtooth(s)),
        LEAK,
      );
      assert.equal(verdict.verdict, 'no-leak', verdict.reason);
      assert.equal(verdict.leak, false);
      assert.ok(Math.abs(verdict.growthMb!) < 10, verdict.reason);
    });

    it('steady linear growth (120 MB/min under a GC sawtooth) is a leak', () => {
      const verdict = assessLeak(
        trace(60, (s) => 100 + 2 * s + sawtooth(s)),
        LEAK,
      );
      assert.equal(verdict.verdict, 'leak', verdict.reason);
      assert.equal(verdict.leak, true);
      assert.ok(verdict.trendMbPerMinute! > 90 && verdict.trendMbPerMinute! < 150, verdict.reason);
      assert.ok(verdict.growthMb! > 30, verdict.reason);
    });

    it('a big start-up climb then flat memory is no leak (the first half is warm-up)', () => {
      const verdict = assessLeak(
        trace(40, (s) => (s < 15 ? 50 + 25 * s : 425)),
        LEAK,
      );
      assert.equal(verdict.verdict, 'no-leak', verdict.reason);
      assert.equal(verdict.trendMbPerMinute, 0);
    });

    it('slow growth small against the heap (40 MB/min on 2 GB) is no leak: the growth threshold is relative', () => {
      const verdict = assessLeak(
        trace(60, (s) => 2000 + (40 / 60) * s),
        LEAK,
      );
      assert.equal(verdict.verdict, 'no-leak', verdict.reason);
      assert.ok(verdict.trendMbPerMinute! > 30, 'the slope alone would have said leak');
    });

    it('one late spike is no leak (medians and Theil–Sen ignore it)', () => {
      const verdict = assessLeak(
        trace(60, (s) => (s === 58 ? 900 : 300)),
        LEAK,
      );
      assert.equal(verdict.verdict, 'no-leak', verdict.reason);
    });

    it('runs of a few seconds give no verdict, whatever the slope, and say why', () => {
      for (const mbAt of [(s: number) => 100 + 500 * s, (s: number) => 600 - 400 * s]) {
        const verdict = assessLeak(trace(4, mbAt, 100), LEAK);
        assert.equal(verdict.verdict, 'insufficient-samples');
        assert.equal(verdict.leak, false);
        assert.equal(verdict.trendMbPerMinute, null);
        assert.match(verdict.reason, /41 memory samples over 4 s; a leak verdict needs at least 10 samples over 20 s/);
      }
      assert.equal(
        assessLeak(
          trace(60, () => 100, 10_000),
          LEAK,
        ).verdict,
        'insufficient-samples',
        '7 samples are too few even over a minute',
      );
    });
  });

  describe('CPU meter (pure, synthetic /proc readings)', () => {
    const BOOT_OFFSET = 1000; // uptime (s) at performance.now() = 0
    const uptimeOf = (ms: number): number => BOOT_OFFSET + ms / 1000;
    const reading = (pid: number, cpuTicks: number, startedAtUptime: number): ProcessReading => ({
      pid,
      ppid: 1,
      cpuTicks,
      startTicks: Math.round(startedAtUptime * 100),
      rssBytes: 0,
      at: 0,
    });

    it('a process first seen mid-run that started before the window does not count its earlier CPU', () => {
      const meter = new CpuMeter({ startedAt: 0, cores: 2, uptimeOf });
      // 50 s of CPU before the monitor saw it: the old monitor put all of it into one interval.
      assert.equal(meter.observe([reading(7, 5000, 900)], 600)?.cpuPercent, 0);
      assert.equal(meter.observe([reading(7, 5060, 900)], 1200)?.cpuPercent, 100);
    });

    it('a process that started inside the window counts all its ticks there (stat starttime)', () => {
      const meter = new CpuMeter({ startedAt: 0, cores: 2, uptimeOf });
      const window = meter.observe([reading(8, 30, BOOT_OFFSET + 0.1)], 600);
      assert.equal(window?.cpuPercent, 50);
      assert.equal(window?.seconds, 0.6);
    });

    it('without a boot clock a new process only sets its baseline', () => {
      const meter = new CpuMeter({ startedAt: 0, cores: 2 });
      assert.equal(meter.observe([reading(8, 30, BOOT_OFFSET + 0.1)], 600)?.cpuPercent, 0);
    });

    it('short intervals are accumulated into windows of at least 0.5 s', () => {
      const meter = new CpuMeter({ startedAt: 0, cores: 2, uptimeOf });
      meter.observe([reading(9, 0, 0)], 0);
      const closed: (number | undefined)[] = [];
      for (let ms = 100; ms <= 1000; ms += 100) closed.push(meter.observe([reading(9, ms / 10, 0)], ms)?.cpuPercent);
      assert.deepEqual(closed, [
        undefined,
        undefined,
        undefined,
        undefined,
        100,
        undefined,
        undefined,
        undefined,
        undefined,
        100,
      ]);
      assert.equal(meter.windows.length, 2);
      assert.equal(meter.averagePercent, 100);
    });

    it('never reports more than cores × 100 (tick rounding, clocks)', () => {
      const meter = new CpuMeter({ startedAt: 0, cores: 2, uptimeOf });
      meter.observe([reading(1, 0, 0), reading(2, 0, 0)], 0);
      const window = meter.observe([reading(1, 150, 0), reading(2, 150, 0)], 500);
      assert.equal(window?.cpuPercent, 200);
    });

    it('a process that exited counts up to its last reading; a reused pid is another process', () => {
      const meter = new CpuMeter({ startedAt: 0, cores: 4, uptimeOf });
      meter.observe([reading(1, 100, 0), reading(2, 100, 0)], 0);
      meter.observe([reading(1, 120, 0), reading(2, 110, 0)], 300);
      // pid 2 is gone; pid 1 is now a new process started after the window began.
      const window = meter.observe([reading(1, 5, BOOT_OFFSET + 0.4)], 500);
      assert.equal(window?.cpuPercent, ((20 + 10 + 5) / 100 / 0.5) * 100);
    });

    it('finish() closes the last window at the last reading, if long enough', () => {
      const meter = new CpuMeter({ startedAt: 0, cores: 2, uptimeOf });
      meter.observe([reading(1, 0, 0)], 0);
      meter.observe([reading(1, 40, 0)], 400);
      assert.equal(meter.finish(), undefined, '0.4 s is too short');
      const other = new CpuMeter({ startedAt: 0, cores: 2, uptimeOf });
      other.observe([reading(1, 0, 0)], 0);
      other.observe([reading(1, 70, 0)], 700);
      assert.equal(other.finish(), undefined, 'closed by observe already');
      assert.equal(other.windows.length, 1);
    });
  });

  describe('/proc parsing', () => {
    it('reads ppid, CPU ticks and start time after the last parenthesis (command names may hold spaces and parens)', () => {
      const fields = ['S', '42', ...Array(9).fill('0'), '150', '50', '0', '0', '20', '0', '1', '0', '98765', '0'];
      assert.deepEqual(parseStat(`123 (we(i)rd name) ${fields.join(' ')}`), {
        ppid: 42,
        cpuTicks: 200,
        startTicks: 98765,
      });
      assert.equal(parseStatusRss('Name:\tnode\nVmRSS:\t  2048 kB\n'), 2048 * 1024);
      assert.equal(parseStatusRss('Name:\tzombie\n'), 0);
    });
  });

  describe('real processes (Linux /proc)', function () {
    this.timeout(30_000);

    it('samples a child process tree: its RSS and CPU, through a grandchild', async () => {
      // A child that starts a grandchild (like meltano → tap). The grandchild allocates ~120 MB, says "ready", burns
      // 1 s of CPU time (not of wall time: on a loaded machine it only takes longer), prints what it burned and exits
      // when its stdin closes, so the test can take a last reading first. Nothing here depends on the machine's speed.
      const grandchild =
        "const a=[];for(let i=0;i<120;i++)a.push(Buffer.alloc(1<<20,1));console.log('ready');" +
        'const c0=process.cpuUsage();let u;do{u=process.cpuUsage(c0)}while(u.user+u.system<1e6);' +
        "console.log((u.user+u.system)/1e6);process.stdin.on('end',()=>process.exit(0)).resume();";
      const script = `require('child_process').spawn(process.execPath,['-e',${JSON.stringify(grandchild)}],{stdio:'inherit'});`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'ignore'] });
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const monitor = new ResourceMonitor({ pids: () => [child.pid!], intervalMs: 100, leakThresholdMbPerMinute: 30 });
      const started = performance.now();
      monitor.start();
      assert.equal((await lines.next()).value, 'ready');
      const tree = await readProcessTree([child.pid!]);
      assert.equal(tree.length, 2, 'child and grandchild');
      const burnedSeconds = Number((await lines.next()).value);
      await monitor.sampleNow();
      child.stdin.end();
      await exited(child);
      const report = await monitor.stop();
      const wallSeconds = (performance.now() - started) / 1000;
      assert.ok(report.peakMemoryMb > 120, `peak ${report.peakMemoryMb} MB`);
      // The busiest window is at least the run's mean, and the mean is at least the CPU burned over the wall time
      // (half of it, for clock-tick rounding and the part before the first window).
      const floor = ((burnedSeconds / wallSeconds) * 100) / 2;
      assert.ok(report.peakCpuPercent! >= floor, `peak CPU ${report.peakCpuPercent}% (floor ${floor.toFixed(1)}%)`);
      assert.ok(report.samples >= 2);
      assert.equal(report.connectionPoolEfficiency, null, 'no pool metric seen');
      if (wallSeconds < 20) {
        assert.equal(report.leakVerdict, 'insufficient-samples', 'a run of seconds gets no leak verdict');
        assert.match(report.leakVerdictReason, /needs at least 10 samples over 20 s/);
      }
    });

    it(`CPU-burning children: peak CPU never exceeds the machine (${availableParallelism()} cores × 100%), even with 50 ms samples and a process first seen after burning`, async () => {
      const cores = availableParallelism();
      const workers = cores + 1;
      // The first burner runs 1 s before the monitor is told about it (like a process found late in the tree).
      const early = spawn(process.execPath, ['-e', burner(workers, 2500)], { stdio: 'ignore' });
      const pids: number[] = [];
      const monitor = new ResourceMonitor({ pids: () => pids, intervalMs: 50, leakThresholdMbPerMinute: 30 });
      monitor.start();
      await sleep(1000);
      pids.push(early.pid!);
      void monitor.sampleNow();
      await exited(early);
      await sleep(2000);
      const report = await monitor.stop();
      assert.equal(report.cpuCores, cores);
      assert.ok(report.cpuWindows >= 2, `${report.cpuWindows} windows`);
      assert.ok(report.peakCpuPercent! <= cores * 100, `peak ${report.peakCpuPercent}% on ${cores} cores`);
      assert.ok(report.peakCpuPercentOfMachine! <= 100);
      // No floor beyond "seen": other work on a shared machine may take most of the cores.
      assert.ok(report.peakCpuPercent! > 0, `peak ${report.peakCpuPercent}%: the burners were seen`);
      // Both figures are rounded to 0.1 from the same unrounded peak.
      assert.ok(
        Math.abs(report.peakCpuPercentOfMachine! - report.peakCpuPercent! / cores) <= 0.1,
        `${report.peakCpuPercentOfMachine} vs ${report.peakCpuPercent} / ${cores}`,
      );
      assert.ok(report.averageCpuPercent! <= report.peakCpuPercent!);
    });

    it('a run shorter than the interval still has a peak: sampleNow() at spawn, and the peak the process reports', async () => {
      const pids: number[] = [];
      const monitor = new ResourceMonitor({ pids: () => pids, intervalMs: 60_000, leakThresholdMbPerMinute: 30 });
      monitor.start();
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)'], { stdio: 'ignore' });
      pids.push(child.pid!);
      await monitor.sampleNow();
      await exited(child);
      monitor.observeMetric(
        {
          type: 'counter',
          metric: 'process_peak_rss_bytes',
          value: 400 * MB,
          tags: { executable: 'tap-x', pid: child.pid! },
        },
        'tap',
      );
      const report = await monitor.stop();
      assert.ok(report.samples >= 1);
      assert.ok(report.sampledPeakMemoryMb > 0, 'sampled at spawn');
      assert.equal(report.reportedPeakMemoryMb, 400);
      assert.equal(report.peakMemoryMb, 400, 'the larger of the two');
      assert.deepEqual(report.processPeakMemoryMb, { [`tap-x pid ${child.pid}`]: 400 });
      // Whether a 0.5 s CPU window closed depends on how loaded the machine is: only the report's consistency is fixed.
      assert.equal(report.peakCpuPercent === null, report.cpuWindows === 0, 'a CPU peak exactly when a window closed');
    });
  });

  it('sums the peaks reported by concurrent processes; takes the sampled peak when it is higher', () => {
    const monitor = new ResourceMonitor({ pids: () => [], intervalMs: 1000, leakThresholdMbPerMinute: 30 });
    const peak = (executable: string, pid: number, mb: number): void =>
      monitor.observeMetric({
        type: 'counter',
        metric: 'process_peak_rss_bytes',
        value: mb * MB,
        tags: { executable, pid },
      });
    peak('tap-oracle-wms', 10, 80);
    peak('target-oracle', 11, 120);
    peak('target-oracle', 11, 100);
    const report = monitor.report();
    assert.equal(report.reportedPeakMemoryMb, 200);
    assert.equal(report.peakMemoryMb, 200);
    assert.equal(report.sampledPeakMemoryMb, 0);
  });

  it('folds the target pool metrics into efficiency, utilization and leaks', () => {
    const monitor = new ResourceMonitor({ pids: () => [], intervalMs: 1000, leakThresholdMbPerMinute: 30 });
    const pool = (tags: Record<string, number>) =>
      monitor.observeMetric({ type: 'counter', metric: 'pool', value: tags.connections_in_use, tags });
    pool({ pool_max: 2, connections_open: 2, connections_in_use: 1, connections_opened: 2, connections_closed: 0 });
    pool({ pool_max: 2, connections_open: 2, connections_in_use: 2, connections_opened: 4, connections_closed: 2 });
    pool({ pool_max: 2, connections_open: 0, connections_in_use: 1, connections_opened: 4, connections_closed: 3 });
    const report = monitor.report();
    assert.equal(report.connectionPoolEfficiency, 0.5, 'reopened connections halve the reuse');
    assert.equal(report.connectionPoolUtilization, 0.75);
    assert.equal(report.connectionLeaks, 1);
    assert.equal(report.poolMetricsSeen, 3);
  });
});
