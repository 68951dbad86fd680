import assert from 'node:assert/strict';
import { createLogger } from '../../../singer/index.js';
import { createPipelineRegistry } from '../../../orchestrator/pipeline-metrics.js';
import { checkSchedule, Scheduler } from '../../../orchestrator/scheduler.js';
import { Writable } from 'node:stream';

describe('orchestrator scheduler (croner, real timers)', function () {
  this.timeout(15_000);

  it('runs a job on a seconds schedule, one run at a time; ticks during a run are logged and counted, not stacked', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      name: 'test',
      out: new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }),
    });
    const registry = createPipelineRegistry();
    let concurrent = 0;
    let maxConcurrent = 0;
    let runs = 0;
    const scheduler = new Scheduler(
      [
        { name: 'slow', mode: 'incremental', schedule: '* * * * * *' },
        { name: 'unscheduled', mode: 'full' },
      ],
      async () => {
        runs += 1;
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((resolve) => setTimeout(resolve, 2500));
        concurrent -= 1;
      },
      logger,
      registry,
    );
    scheduler.start();
    assert.deepEqual(
      scheduler.status().map((s) => s.name),
      ['slow'],
    );
    await new Promise((resolve) => setTimeout(resolve, 4200));
    scheduler.stop();
    while (scheduler.busy) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(maxConcurrent, 1);
    assert.ok(runs >= 1 && runs <= 2, `runs ${runs}`);
    const missed = scheduler.status()[0].missedTicks;
    assert.ok(missed >= 2, `missed ${missed}`);
    assert.equal(registry.get('wms_pipeline_missed_ticks_total', { job: 'slow' }), missed);
    assert.ok(lines.some((line) => /Job 'slow': schedule tick skipped/.test(line)));
  });

  it('validates cron expressions', () => {
    checkSchedule('*/2 * * * * *');
    checkSchedule('0 */2 * * *');
    assert.throws(() => checkSchedule('every minute'));
  });
});
