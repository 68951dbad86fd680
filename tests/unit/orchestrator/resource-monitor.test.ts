import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { leakVerdict, ResourceMonitor, slope, type ResourceSample } from '../../../orchestrator/resource-monitor.js';
import { parseStat, parseStatusRss, readProcessTree } from '../../../orchestrator/proc-stats.js';

const MB = 1024 * 1024;
const samples = (n: number, mbAt: (minute: number) => number): ResourceSample[] =>
  Array.from({ length: n }, (_, i) => ({ t: i * 6000, rssBytes: mbAt(i / 10) * MB, cpuPercent: 0, processes: 1 }));

describe('orchestrator resource monitor', () => {
  describe('leak verdict (pure)', () => {
    it('least-squares slope', () => {
      assert.equal(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]), 2);
    });
    it('flat memory after warm-up is no leak, even with a big start-up jump', () => {
      const verdict = leakVerdict(samples(40, (m) => (m < 1 ? 50 + 400 * m : 450)), 30);
      assert.deepEqual([verdict.leak, verdict.verdict, verdict.trend], [false, 'no-leak', 0]);
    });
    it('memory still growing 100 MB/min in the second half is a leak', () => {
      const verdict = leakVerdict(samples(40, (m) => 100 + 100 * m), 30);
      assert.equal(verdict.leak, true);
      assert.equal(verdict.trend, 100);
    });
    it('too few samples give no verdict', () => {
      assert.equal(leakVerdict(samples(5, (m) => 100 + 1000 * m), 30).verdict, 'insufficient-samples');
    });
  });

  describe('/proc parsing', () => {
    it('reads ppid and CPU ticks after the last parenthesis (command names may hold spaces and parens)', () => {
      const fields = ['S', '42', ...Array(9).fill('0'), '150', '50'];
      assert.deepEqual(parseStat(`123 (we(i)rd name) ${fields.join(' ')} 0 0`), { ppid: 42, cpuTicks: 200 });
      assert.equal(parseStatusRss('Name:\tnode\nVmRSS:\t  2048 kB\n'), 2048 * 1024);
      assert.equal(parseStatusRss('Name:\tzombie\n'), 0);
    });
  });

  it('samples a real child process tree from /proc: its RSS and CPU (Linux)', async function () {
    this.timeout(20_000);
    // A child that allocates ~120 MB and burns CPU for ~1.5 s, through a grandchild (like meltano → tap).
    const script = `const {spawn}=require('child_process');const c=spawn(process.execPath,['-e',"const a=[];for(let i=0;i<120;i++)a.push(Buffer.alloc(1<<20,1));const t=Date.now();while(Date.now()-t<1500){}"],{stdio:'inherit'});c.on('exit',()=>{});`;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const monitor = new ResourceMonitor({ pids: () => [child.pid!], intervalMs: 100, leakThresholdMbPerMinute: 1_000_000 });
    monitor.start();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const tree = await readProcessTree([child.pid!]);
    assert.equal(tree.length, 2, 'child and grandchild');
    await new Promise((resolve) => child.on('exit', resolve));
    const report = await monitor.stop();
    assert.ok(report.peakMemoryMb > 120, `peak ${report.peakMemoryMb} MB`);
    assert.ok(report.peakCpuPercent > 50, `peak CPU ${report.peakCpuPercent}%`);
    assert.ok(report.samples >= 5);
    assert.equal(report.connectionPoolEfficiency, null, 'no pool metric seen');
  });

  it('folds the target pool metrics into efficiency, utilization and leaks', () => {
    const monitor = new ResourceMonitor({ pids: () => [], intervalMs: 1000, leakThresholdMbPerMinute: 30 });
    const pool = (tags: Record<string, number>) => monitor.observeMetric({ type: 'counter', metric: 'pool', value: tags.connections_in_use, tags });
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
