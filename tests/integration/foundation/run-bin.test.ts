// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { runProcess, startProcess } from '../../helpers/run-bin.js';

// The helpers every bin test relies on, exercised on real `node -e` child processes.
describe('foundation: process helpers (real child processes)', () => {
  it('runProcess feeds stdin, passes env, removes env keys set to undefined, and returns a non-zero exit', async () => {
    process.env.FOUNDATION_DROPPED = 'x';
    const result = await runProcess(
      process.execPath,
      [
        '-e',
        `let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => {
        console.log(s.toUpperCase()); console.log(process.env.FOUNDATION_KEPT, process.env.FOUNDATION_DROPPED);
        console.error('to stderr'); process.exit(3); });`,
      ],
      { input: 'a\nb', env: { FOUNDATION_KEPT: 'kept', FOUNDATION_DROPPED: undefined } },
    );
    delete process.env.FOUNDATION_DROPPED;
    assert.equal(result.exitCode, 3);
    assert.deepEqual(result.stdoutLines, ['A', 'B', 'kept undefined']);
    assert.equal(result.stderr, 'to stderr');
  });

  it('startProcess waits for a line, then SIGTERM reaches the process handler', async () => {
    const running = startProcess(process.execPath, [
      '-e',
      `process.on('SIGTERM', () => { console.log('drained'); process.exit(0); });
       console.error('ready'); setInterval(() => {}, 1000);`,
    ]);
    assert.equal(await running.waitForLine('stderr', /^ready$/), 'ready');
    const result = await running.stop('SIGTERM');
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, 'drained');
  });

  it('startProcess reports a process killed by a signal it does not handle', async () => {
    const running = startProcess(process.execPath, ['-e', `console.log('up'); setInterval(() => {}, 1000);`]);
    await running.waitForLine('stdout', /up/);
    const result = await running.stop('SIGKILL');
    assert.equal(result.exitCode, undefined);
    assert.equal(result.signal, 'SIGKILL');
  });

  it('waitForLine rejects when the process exits without printing the line', async () => {
    const running = startProcess(process.execPath, ['-e', `console.error('something else')`]);
    await assert.rejects(running.waitForLine('stderr', /never/), /exited before/);
  });
});
