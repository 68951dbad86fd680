import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { RecordCounter } from '../../../bench/measure.js';
import { parseStat, treeCpu, treeMeter, treeOf, treeTicks, type ProcStat } from '../../../bench/process-cpu.js';
import { startSimulatorProcess } from '../../../bench/simulator-process.js';

const stat = (pid: number, ppid: number, ownTicks: number, childTicks = 0): ProcStat => ({
  pid,
  ppid,
  ownTicks,
  childTicks,
});

/**
 * A function for `node -e`: burns `us` µs of user CPU (whatever the load: it reads its own usage, not the clock, and
 * seldom, so system time stays small), then returns the process's whole CPU so far, user + system, in seconds.
 */
const BURN = `const burn = (us) => {
  for (let x = 0; ; ) {
    for (let i = 0; i < 1e6; i++) x += i % 7;
    const u = process.cpuUsage();
    if (u.user >= us) return (u.user + u.system) / 1e6;
  }
};`;
/** `node -e` of a grandchild that burns `us` and prints its CPU seconds. */
const grandchild = (us: number) => `${BURN} process.stdout.write(String(burn(${us})));`;

describe('bench: CPU of the servers a load runs against (/proc)', () => {
  it('parses a stat line whose command name holds spaces and parentheses', () => {
    const fields = ['S', '7', ...Array.from({ length: 9 }, () => '0'), '120', '30', '5', '2', '20', '0', '1'];
    assert.deepEqual(parseStat(`4242 (postgres: a) b) ${fields.join(' ')}`), {
      pid: 4242,
      ppid: 7,
      ownTicks: 150,
      childTicks: 7,
    });
    assert.throws(() => parseStat('not a stat line'), /not a \/proc stat line/);
  });

  it('sums a root and every descendant, own and waited-for children, nothing outside the tree', () => {
    const stats = [stat(1, 0, 1000), stat(10, 1, 5, 40), stat(11, 10, 3), stat(12, 10, 2, 1), stat(20, 1, 900)];
    const tree = treeOf(stats, 10);
    assert.deepEqual(tree.map((s) => s.pid).sort(), [10, 11, 12]);
    assert.equal(treeTicks(tree), 5 + 40 + 3 + 2 + 1);
    assert.deepEqual(treeOf(stats, 99), []);
  });

  it("reads a live process's CPU, its exited and reaped child included", async function () {
    this.timeout(20_000);
    // Runs a child that burns 0.3 s and waits for it (spawnSync), burns 0.3 s itself, prints both, and idles.
    const child = spawn(process.execPath, [
      '-e',
      `${BURN}
       const done = require('node:child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(grandchild(300_000))}]);
       process.stdout.write(done.stdout + ' ' + burn(300000));
       setTimeout(() => {}, 60000);`,
    ]);
    try {
      const [text] = (await once(child.stdout, 'data')) as [Buffer];
      const [grandchildSeconds, ownSeconds] = text.toString().split(' ').map(Number);
      assert.ok(grandchildSeconds >= 0.3 && ownSeconds >= 0.3, text.toString());
      const seconds = (await treeCpu(child.pid!))!.cpuSeconds;
      // /proc counts in clock ticks (10 ms): the sum of both, within a few ticks and what printing took.
      const expected = grandchildSeconds + ownSeconds;
      assert.ok(Math.abs(seconds - expected) < 0.1, `${seconds} CPU s read, ${expected} used`);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'close');
    }
    assert.equal(await treeCpu(child.pid!), undefined, 'gone');
  });

  it('a meter counts what a child that starts and exits during the measurement used, once', async function () {
    this.timeout(20_000);
    const parent = spawn(process.execPath, [
      '-e',
      `process.stdout.write('ready');
       process.stdin.once('data', () => {
         const done = require('node:child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(grandchild(400_000))}]);
         process.stdout.write(String(done.stdout));
       });`,
    ]);
    try {
      await once(parent.stdout, 'data');
      const meter = treeMeter(parent.pid!);
      await meter.start();
      parent.stdin.write('go');
      const [text] = (await once(parent.stdout, 'data')) as [Buffer];
      const used = Number(text.toString());
      const seconds = await meter.stop();
      // The grandchild's time, in its parent's cutime once reaped (not lost, not twice), and the parent's spawning.
      assert.ok(seconds >= used - 0.03 && seconds < used + 0.25, `${seconds} CPU s read, the grandchild used ${used}`);
    } finally {
      parent.kill('SIGKILL');
      await once(parent, 'close');
    }
  });

  it('counts RECORD lines across chunk boundaries, the first line included', () => {
    const stream = Buffer.from(
      [
        '{"type":"RECORD","stream":"a","record":{}}',
        '{"type":"SCHEMA","stream":"a"}',
        '{"type":"RECORD","stream":"a","record":{"x":"{\\"type\\":\\"RECORD\\""}}',
        '{"type":"STATE","value":{}}',
        '{"type":"RECORD","stream":"a","record":{}}',
        '',
      ].join('\n'),
    );
    for (const size of [1, 2, 7, 16, 17, 18, 1000]) {
      const counter = new RecordCounter();
      for (let at = 0; at < stream.length; at += size) counter.add(stream.subarray(at, at + size));
      assert.equal(counter.records, 3, `chunks of ${size} bytes`);
    }
    const counter = new RecordCounter();
    counter.add(Buffer.from('{"type":"SCHEMA"}\n{"type":"RECO'));
    counter.add(Buffer.alloc(0));
    counter.add(Buffer.from('RD"}\n'));
    assert.equal(counter.records, 1);
  });

  it('the simulator child prints its URL, answers, and is gone after close', async function () {
    this.timeout(30_000);
    const sim = await startSimulatorProcess(10);
    let closed = false;
    try {
      assert.match(sim.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\//);
      await sim.cpu.start();
      const response = await fetch(`${sim.baseUrl}/wms/lgfapi/v10/entity/allocation/?page_size=5`, {
        headers: { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` },
      });
      assert.equal(response.status, 200);
      assert.ok((await sim.cpu.stop()) >= 0);
      await sim.close();
      closed = true;
      assert.equal(await treeCpu(sim.pid), undefined, 'the simulator process exited');
    } finally {
      if (!closed) await sim.close();
    }
  });

  it('a bench stopped by SIGTERM kills its simulator child, and still ends by SIGTERM', async function () {
    this.timeout(30_000);
    const module = path.resolve(fileURLToPath(import.meta.url), '../../../../bench/simulator-process.js');
    const bench = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { startSimulatorProcess } = await import(${JSON.stringify(module)});
         const sim = await startSimulatorProcess(10);
         process.stdout.write(String(sim.pid));
         setTimeout(() => {}, 60000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [pid] = (await once(bench.stdout, 'data')) as [Buffer];
    const simulator = Number(pid.toString());
    const alive = async (): Promise<boolean> => {
      try {
        return !/\) Z /.test(await readFile(`/proc/${simulator}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    assert.equal(await alive(), true);
    bench.kill('SIGTERM');
    const [code, signal] = (await once(bench, 'exit')) as [number | null, string | null];
    assert.deepEqual([code, signal], [null, 'SIGTERM']);
    for (let i = 0; i < 100 && (await alive()); i++) await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(await alive(), false, 'the simulator is gone (or a zombie waiting for init)');
  });
});
