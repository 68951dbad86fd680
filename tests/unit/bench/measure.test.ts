import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { GNU_TIME, startMeasured } from '../../../bench/measure.js';

describe('bench: measured processes (GNU time)', () => {
  it('a producer writes straight into a reader started with openStdin; the reader sees every byte and the end', async function () {
    if (!existsSync(GNU_TIME)) this.skip(); // scripts/bench.sh installs it; the bench cannot run without it
    this.timeout(20_000);
    const reader = await startMeasured(
      process.execPath,
      [
        '-e',
        `let n = 0; process.stdin.on('data', (c) => { n += c.length; }); process.stdin.on('end', () => process.stdout.write(String(n)));`,
      ],
      { openStdin: true },
    );
    const producer = await startMeasured(
      process.execPath,
      ['-e', `for (let i = 0; i < 1000; i++) process.stdout.write('x'.repeat(1000) + '\\n');`],
      { stdout: reader.child.stdin! },
    );
    assert.equal(producer.stdout, null, 'the bench holds no end of the pipe');
    assert.equal(reader.child.stdin!.destroyed, true, "the bench's copy of the pipe is closed");
    let received = '';
    reader.stdout!.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const [producerUsage, readerUsage] = await Promise.all([producer.usage, reader.usage]);
    assert.equal(producerUsage.exitCode, 0);
    assert.equal(readerUsage.exitCode, 0, readerUsage.stderrTail);
    assert.equal(received, '1001000', 'every byte arrived, then the end');
    assert.ok(producerUsage.cpuSeconds > 0 && producerUsage.peakRssMb > 0);
  });
});
