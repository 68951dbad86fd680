// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger, parseMetricLine, type Logger } from '../../../singer/log.js';
import { Metrics } from '../../../singer/metrics.js';

/** singer-python's METRIC regex (singer/metrics.py). */
const SINGER_PYTHON_METRIC = /^INFO METRIC: (.*)$/;
/** Keys Meltano's singer-sdk log parser requires on a structured line (meltano/core/logging/parsers.py). */
const MELTANO_KEYS = ['level', 'pid', 'logger_name', 'ts', 'thread_name', 'app_name', 'stream_name', 'message'];

function capture(env: NodeJS.ProcessEnv, secrets: string[] = []): { logger: Logger; lines: () => string[] } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const logger = createLogger({ name: 'tap-oracle-wms', env, out, secrets });
  return { logger, lines: () => text.split('\n').filter((line) => line !== '') };
}

function logAll(logger: Logger): void {
  logger.debug('d');
  logger.info('i');
  logger.warning('w');
  logger.error('e');
  logger.critical('c');
}

describe('singer/log: levels', () => {
  const table: [string, NodeJS.ProcessEnv, string[]][] = [
    ['default is info', {}, ['INFO i', 'WARNING w', 'ERROR e', 'CRITICAL c']],
    ['LOGLEVEL=debug', { LOGLEVEL: 'debug' }, ['DEBUG d', 'INFO i', 'WARNING w', 'ERROR e', 'CRITICAL c']],
    ['LOGLEVEL is case-insensitive, WARN means warning', { LOGLEVEL: 'WARN' }, ['WARNING w', 'ERROR e', 'CRITICAL c']],
    [
      '<PLUGIN>_LOGLEVEL beats LOGLEVEL',
      { LOGLEVEL: 'debug', TAP_ORACLE_WMS_LOGLEVEL: 'error' },
      ['ERROR e', 'CRITICAL c'],
    ],
    [
      'another plugin’s level is ignored',
      { TARGET_ORACLE_LOGLEVEL: 'error' },
      ['INFO i', 'WARNING w', 'ERROR e', 'CRITICAL c'],
    ],
    ['an unknown level falls back to info', { LOGLEVEL: 'chatty' }, ['INFO i', 'WARNING w', 'ERROR e', 'CRITICAL c']],
  ];
  for (const [description, env, expected] of table) {
    it(description, () => {
      const { logger, lines } = capture(env);
      logAll(logger);
      assert.deepEqual(lines(), expected);
    });
  }

  it('appends extra as compact JSON', () => {
    const { logger, lines } = capture({});
    logger.info('Synced', { stream: 'allocation', records: 3 });
    assert.deepEqual(lines(), ['INFO Synced {"stream":"allocation","records":3}']);
  });
});

describe('singer/log: METRIC lines', () => {
  it('are INFO METRIC: {json} as singer-python parses them', () => {
    const { logger, lines } = capture({});
    const metrics = new Metrics(logger);
    metrics.counter('record_count', 100, { stream: 'allocation' });
    metrics.timer('http_request_duration', 1.2345678, {
      endpoint: 'allocation',
      http_status_code: 200,
      status: 'succeeded',
    });
    const [counter, timer] = lines();
    assert.deepEqual(JSON.parse(SINGER_PYTHON_METRIC.exec(counter)![1]), {
      type: 'counter',
      metric: 'record_count',
      value: 100,
      tags: { stream: 'allocation' },
    });
    assert.deepEqual(JSON.parse(SINGER_PYTHON_METRIC.exec(timer)![1]), {
      type: 'timer',
      metric: 'http_request_duration',
      value: 1.234568,
      tags: { endpoint: 'allocation', http_status_code: 200, status: 'succeeded' },
    });
    assert.deepEqual(parseMetricLine(counter), {
      type: 'counter',
      metric: 'record_count',
      value: 100,
      tags: { stream: 'allocation' },
    });
  });

  it('follow the log level like other INFO lines (hidden at LOGLEVEL=warning)', () => {
    const { logger, lines } = capture({ LOGLEVEL: 'warning' });
    logger.metric({ type: 'counter', metric: 'record_count', value: 1, tags: {} });
    assert.deepEqual(lines(), []);
  });

  it('Metrics.time tags succeeded and failed', async () => {
    const { logger, lines } = capture({});
    const metrics = new Metrics(logger);
    assert.equal(await metrics.time('job_duration', { job_type: 'sync' }, async () => 7), 7);
    await assert.rejects(
      metrics.time('job_duration', { job_type: 'sync' }, async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    const points = lines().map((line) => parseMetricLine(line)!);
    assert.deepEqual(
      points.map((p) => [p.type, p.metric, p.tags.status, p.tags.job_type]),
      [
        ['timer', 'job_duration', 'succeeded', 'sync'],
        ['timer', 'job_duration', 'failed', 'sync'],
      ],
    );
    assert.ok(points.every((p) => typeof p.value === 'number' && p.value >= 0 && p.value < 5));
  });

  it('parseMetricLine ignores other lines', () => {
    assert.equal(parseMetricLine('INFO Synced'), undefined);
    assert.equal(parseMetricLine('INFO METRIC: {not json'), undefined);
  });
});

describe('singer/log: structured JSON when SINGER_SDK_LOG_CONFIG selects the StructuredFormatter', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'singer-log-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('emits one JSON object per line with every key Meltano requires', async () => {
    const config = path.join(dir, 'logging.yml');
    await writeFile(
      config,
      'version: 1\nformatters:\n  structured:\n    (): singer_sdk.logging.StructuredFormatter\nroot:\n  level: INFO\n',
    );
    const { logger, lines } = capture({ SINGER_SDK_LOG_CONFIG: config });
    logger.info('Synced', { stream: 'allocation', records: 3 });
    new Metrics(logger).counter('record_count', 3, { stream: 'allocation' });
    const [plain, metric] = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const key of MELTANO_KEYS) {
      assert.ok(key in plain, `missing ${key}`);
      assert.ok(key in metric, `missing ${key} on metric`);
    }
    assert.equal(plain.level, 'info');
    assert.equal(plain.pid, process.pid);
    assert.equal(plain.app_name, 'tap-oracle-wms');
    assert.equal(plain.stream_name, 'allocation');
    assert.equal(plain.message, 'Synced');
    assert.deepEqual(plain.extra, { stream: 'allocation', records: 3 });
    assert.ok(typeof plain.ts === 'number' && Math.abs(plain.ts - Date.now() / 1000) < 60);
    assert.deepEqual(metric.metric_info, {
      type: 'counter',
      metric: 'record_count',
      value: 3,
      tags: { stream: 'allocation' },
    });
    assert.deepEqual(parseMetricLine(lines()[1]), {
      type: 'counter',
      metric: 'record_count',
      value: 3,
      tags: { stream: 'allocation' },
    });
  });

  it('stays plain when the config does not mention StructuredFormatter, or does not exist', async () => {
    const config = path.join(dir, 'console.yml');
    await writeFile(config, 'version: 1\nformatters:\n  console:\n    (): singer_sdk.logging.ConsoleFormatter\n');
    for (const file of [config, path.join(dir, 'missing.yml')]) {
      const { logger, lines } = capture({ SINGER_SDK_LOG_CONFIG: file });
      logger.info('hello');
      assert.deepEqual(lines(), ['INFO hello']);
    }
  });
});
