import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { meltanoFailureOf } from '../../../orchestrator/runners/meltano-runner.js';
import { StderrCollector } from '../../../orchestrator/stderr-collector.js';
import {
  ConfigError,
  createLogger,
  ExitCode,
  exitCodeOf,
  failureReport,
  InterruptedError,
  parseFailureLine,
  ProtocolError,
  runCli,
} from '../../../singer/index.js';
import { HttpFailure, sourceErrorOf } from '../../../tap-oracle-wms/http/errors.js';
import { dbStep } from '../../../target-oracle/db-error.js';

/** The DatabaseError a driver failure with this code becomes. */
async function databaseError(code: string, message: string): Promise<unknown> {
  return dbStep('load of stream s', () => Promise.reject(Object.assign(new Error(message), { code }))).catch(
    (error: unknown) => error,
  );
}

const report = (error: unknown) => failureReport(error, exitCodeOf(error));

describe('singer/failure: a failed process reports its class and retriability as data', () => {
  it('retries source and database failures, never config, protocol, internal or refused credentials', async () => {
    const unreachable = sourceErrorOf(
      new HttpFailure('connection failed (ECONNREFUSED)', { kind: 'retriable' }),
      'GET /entity/',
      3,
    );
    assert.deepEqual(
      [report(unreachable).exit_class, report(unreachable).retriable],
      ['source', true],
      'WMS unreachable',
    );
    const terminated = report(await databaseError('57P01', 'Connection terminated'));
    assert.deepEqual([terminated.exit_class, terminated.retriable], ['database', true], 'connection lost');
    const refused = sourceErrorOf(new HttpFailure('HTTP 401', { kind: 'fatal', status: 401 }), 'GET /entity/', 1);
    assert.deepEqual([report(refused).exit_class, report(refused).retriable], ['source', false], 'WMS 401');
    const password = report(await databaseError('28P01', 'password authentication failed for user "u"'));
    assert.deepEqual([password.exit_class, password.retriable], ['database', false], 'database password');
    const oracle = report(await databaseError('ORA-01017', 'ORA-01017: invalid credential or not authorized'));
    assert.equal(oracle.retriable, false, 'Oracle refused credentials');
    for (const error of [
      new ConfigError('x'),
      new ProtocolError('y'),
      new TypeError('z'),
      new InterruptedError('SIGTERM'),
    ])
      assert.equal(report(error).retriable, false, error.constructor.name);
  });

  it('is read back from a plain line, an SDK structured record and a Meltano relay; other lines are not reports', () => {
    const failure = failureReport(new ConfigError(['a', 'b']), ExitCode.Config);
    let plain = '';
    createLogger({
      name: 'tap-x',
      env: {},
      out: new PassThrough().on('data', (c: Buffer) => (plain += String(c))),
    }).critical(JSON.stringify(failure));
    assert.deepEqual(parseFailureLine(plain.trimEnd()), failure);
    const structured = JSON.stringify({ level: 'critical', app_name: 'tap-x', message: JSON.stringify(failure) });
    assert.deepEqual(parseFailureLine(structured), failure);
    const relayed = `2026-12-02T18:00:00Z [info     ] ${JSON.stringify(failure)} cmd_type=elb consumer=True job_name=dev:tap-to-target name=target-oracle producer=False run_id=1 stdio=stderr`;
    assert.deepEqual(meltanoFailureOf(relayed), { source: 'target', failure });
    assert.equal(
      meltanoFailureOf(
        relayed.replace('consumer=True', 'consumer=False').replace('name=target-oracle', 'name=tap-oracle-wms'),
      )?.source,
      'tap',
    );
    for (const line of [
      'CRITICAL Invalid configuration: a',
      'INFO METRIC: {"type":"counter","metric":"record_count","value":1,"tags":{}}',
      'CRITICAL {"type":"failure","exit_code":4}',
      '{"level":"info","message":"hello"}',
    ])
      assert.equal(parseFailureLine(line), undefined, line);
  });

  it('runCli writes the report as the last CRITICAL line of a failure, and none on success or a requested stop', async () => {
    const run = async (main: () => Promise<void>): Promise<string[]> => {
      let text = '';
      const stderr = new PassThrough().on('data', (c: Buffer) => (text += String(c)));
      const saved = process.exitCode;
      await runCli('tap-x', main, { env: {}, stdin: Readable.from([]), stdout: new PassThrough(), stderr });
      process.exitCode = saved;
      return text.trimEnd().split('\n');
    };
    const failed = await run(() =>
      Promise.reject(sourceErrorOf(new HttpFailure('HTTP 503', { kind: 'retriable', status: 503 }), 'GET /entity/', 6)),
    );
    assert.deepEqual(parseFailureLine(failed.at(-1) ?? ''), {
      type: 'failure',
      exit_code: 4,
      exit_class: 'source',
      retriable: true,
      message: 'GET /entity/ failed after 6 attempts: HTTP 503',
    });
    assert.equal(failed.filter((line) => parseFailureLine(line)).length, 1);
    assert.deepEqual(await run(() => Promise.resolve()), ['']);
    assert.deepEqual(await run(() => Promise.reject(new InterruptedError('SIGTERM'))), ['WARNING Stopped by SIGTERM']);
  });

  it('the orchestrator keeps the report as data: not a tail line, not an error line', () => {
    const collector = new StderrCollector();
    const failure = failureReport(new ConfigError('x'), ExitCode.Config);
    collector.push(`CRITICAL Invalid configuration: x\nCRITICAL ${JSON.stringify(failure)}\n`);
    collector.end();
    assert.deepEqual(collector.failure, failure);
    assert.deepEqual(collector.tail, ['CRITICAL Invalid configuration: x']);
    assert.equal(collector.errorLines, 1);
  });
});
