import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { watchParent } from '../../../singer/parent-watch.js';

/** The pid of a process that has already exited (and been reaped). */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

describe('singer/parent-watch: children of a supervisor stop when it dies', () => {
  it('the supervisor named in WMS_PIPELINE_PID is gone: stop the work, then exit if the stop hangs', async () => {
    const reasons: string[] = [];
    const exits: number[] = [];
    // Waits for the exit itself, not for a fixed time: on a loaded machine timers fire late.
    const exited = new Promise<void>((resolve) => {
      const stop = watchParent({
        env: { WMS_PIPELINE_PID: String(deadPid()) },
        onOrphaned: (why) => reasons.push(why),
        exit: (code) => {
          exits.push(code);
          stop();
          resolve();
        },
        pollMs: 10,
        hardStopMs: 30,
      });
    });
    await exited;
    assert.equal(reasons.length, 1);
    assert.match(reasons[0], /^supervisor process \d+ exited$/);
    assert.deepEqual(exits, [130]);
  });

  it('a live supervisor, or no supervisor at all (started by hand, e.g. under nohup), is left alone', async () => {
    const reasons: string[] = [];
    const stops = [
      watchParent({
        env: { WMS_PIPELINE_PID: String(process.pid) },
        onOrphaned: (why) => reasons.push(why),
        pollMs: 10,
      }),
      watchParent({ env: {}, onOrphaned: (why) => reasons.push(why), pollMs: 10 }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 60));
    for (const stop of stops) stop();
    assert.deepEqual(reasons, []);
  });
});
