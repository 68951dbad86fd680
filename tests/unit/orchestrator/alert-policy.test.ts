// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { alertsForRun, failureKeyOf, type AlertThresholds } from '../../../orchestrator/alerts/alert-policy.js';
import type { ConsistencyReport } from '../../../orchestrator/consistency/consistency-check.js';
import type { ResourceReport } from '../../../orchestrator/resource-monitor.js';
import type { RunData, RunResult } from '../../../orchestrator/run-result.js';
import { ExitCode } from '../../../singer/index.js';

const THRESHOLDS: AlertThresholds = { alert_failure_threshold: 2, max_duration_seconds: 600, max_memory_mb: 1024 };

function data(overrides: Partial<RunData> = {}): RunData {
  return {
    runId: 'r1',
    job: 'alloc',
    mode: 'incremental',
    runner: 'direct',
    companyCode: 'ACME',
    facilityCode: 'DC01',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    recordsProcessed: 42,
    recordsRead: 50,
    recordsByStream: {},
    errorsCount: 0,
    durationSeconds: 60,
    attempts: [{ attempt: 1, success: true, durationSeconds: 60 }],
    metrics: {},
    alerts: [],
    exitCode: ExitCode.Ok,
    ...overrides,
  };
}

const ok = (overrides: Partial<RunData> = {}): RunResult => ({ success: true, data: data(overrides) });
const failed = (exitCode: ExitCode, overrides: Partial<RunData> = {}): RunResult => ({
  success: false,
  error: 'boom',
  retriable: false,
  data: data({ exitCode, errorsCount: 1, ...overrides }),
});

function resources(peakMemoryMb: number, leak?: string): ResourceReport {
  return {
    peakMemoryMb,
    memoryLeakDetected: leak !== undefined,
    leakVerdictReason: leak,
  } as Partial<ResourceReport> as ResourceReport;
}

const MISMATCH: ConsistencyReport = {
  ok: false,
  checkedAt: '2026-01-01T00:02:00.000Z',
  streams: [
    {
      stream: 'allocation',
      sourceCount: 10,
      targetCount: 9,
      countsMatch: false,
      sampled: 5,
      rowsMissing: 1,
      changedSinceRun: 0,
      fieldMismatches: { alloc_qty: 2 },
      missingColumns: [],
      ok: false,
    },
    {
      stream: 'order_hdr',
      countsMatch: true,
      sampled: 5,
      rowsMissing: 0,
      changedSinceRun: 0,
      fieldMismatches: {},
      missingColumns: [],
      ok: true,
    },
  ],
};

/** What a row expects: each alert as `severity alert_type[/threshold]`, and the failure key when one is counted. */
interface Row {
  name: string;
  result: RunResult;
  failuresBefore?: number;
  thresholds?: Partial<AlertThresholds>;
  expected: string[];
}

const KEY = 'run:alloc:ACME:DC01';

const TABLE: Row[] = [
  { name: 'a clean success', result: ok(), expected: [] },
  { name: 'a success after fewer failures than the threshold', result: ok(), failuresBefore: 1, expected: [] },
  { name: 'a success after threshold failures', result: ok(), failuresBefore: 2, expected: ['info recovery'] },
  { name: 'a source failure', result: failed(ExitCode.Source), expected: [`critical source_failure key=${KEY}`] },
  { name: 'a database failure', result: failed(ExitCode.Database), expected: [`critical database_failure key=${KEY}`] },
  { name: 'a config failure', result: failed(ExitCode.Config), expected: [`high configuration_error key=${KEY}`] },
  { name: 'an internal failure', result: failed(ExitCode.Internal), expected: [`high pipeline_failure key=${KEY}`] },
  {
    name: 'an interrupted run: no failure alert (and never a recovery)',
    result: { ...failed(ExitCode.Interrupted), interrupted: true },
    failuresBefore: 5,
    expected: [],
  },
  {
    name: 'a failure never counts as a recovery',
    result: failed(ExitCode.Source),
    failuresBefore: 9,
    expected: [`critical source_failure key=${KEY}`],
  },
  {
    name: 'a consistency mismatch',
    result: ok({ consistency: MISMATCH }),
    expected: ['medium data_quality_issue'],
  },
  {
    name: 'a consistent run',
    result: ok({ consistency: { ...MISMATCH, ok: true, streams: [] } }),
    expected: [],
  },
  {
    name: 'a slow run',
    result: ok({ durationSeconds: 601 }),
    expected: ['medium threshold_breach/max_duration_seconds'],
  },
  { name: 'exactly at the duration threshold', result: ok({ durationSeconds: 600 }), expected: [] },
  {
    name: 'the duration threshold off',
    result: ok({ durationSeconds: 10_000 }),
    thresholds: { max_duration_seconds: 0 },
    expected: [],
  },
  {
    name: 'memory over the threshold',
    result: ok({ resources: resources(2000) }),
    expected: ['high threshold_breach/max_memory_mb'],
  },
  {
    name: 'the memory threshold off',
    result: ok({ resources: resources(2000) }),
    thresholds: { max_memory_mb: 0 },
    expected: [],
  },
  {
    name: 'a leak verdict',
    result: ok({ resources: resources(100, 'slope 40 MB/min') }),
    expected: ['medium threshold_breach/memory_leak_mb_per_minute'],
  },
  {
    name: 'a failed, slow, memory-hungry, leaking run: every alert, failure first',
    result: failed(ExitCode.Database, { durationSeconds: 900, resources: resources(4096, 'slope 99 MB/min') }),
    expected: [
      `critical database_failure key=${KEY}`,
      'medium threshold_breach/max_duration_seconds',
      'high threshold_breach/max_memory_mb',
      'medium threshold_breach/memory_leak_mb_per_minute',
    ],
  },
  {
    name: 'a recovery with a consistency mismatch',
    result: ok({ consistency: MISMATCH }),
    failuresBefore: 3,
    expected: ['info recovery', 'medium data_quality_issue'],
  },
];

describe('alert policy: run result → alerts (pure)', () => {
  for (const row of TABLE) {
    it(row.name, () => {
      const alerts = alertsForRun(row.result, { ...THRESHOLDS, ...row.thresholds }, row.failuresBefore);
      assert.deepEqual(
        alerts.map(({ alert, failureKey }) => {
          const context = alert.context ?? {};
          const type = `${String(context.alert_type)}${context.threshold ? `/${String(context.threshold)}` : ''}`;
          return `${alert.severity} ${type}${failureKey ? ` key=${failureKey}` : ''}`;
        }),
        row.expected,
      );
    });
  }

  it('names the job, company, facility and run; context identifies the run (the dedupe fingerprint)', () => {
    const [failure] = alertsForRun(failed(ExitCode.Source, { attempts: [] }), THRESHOLDS);
    assert.equal(failure?.alert.title, 'wms-pipeline incremental sync failed: alloc (ACME/DC01)');
    assert.equal(
      failure?.alert.message,
      'boom\nExit code 4 (source), 0 attempt(s); before the failure 50 rows were read and 42 committed. Run r1.',
    );
    assert.deepEqual(failure?.alert.context, {
      job: 'alloc',
      mode: 'incremental',
      company: 'ACME',
      facility: 'DC01',
      alert_type: 'source_failure',
    });
    const [recovery] = alertsForRun(ok(), THRESHOLDS, 4);
    assert.equal(
      recovery?.alert.message,
      'The incremental sync succeeded after 4 failed run(s): 42 rows committed in 60 s. Run r1.',
    );
    const [mismatch] = alertsForRun(ok({ consistency: MISMATCH }), THRESHOLDS);
    assert.equal(
      mismatch?.alert.message,
      'allocation: source 10 rows, target 9; 1 sampled rows missing; differing columns: alloc_qty',
    );
    assert.equal(mismatch?.alert.context?.streams, 'allocation');
    assert.equal(failureKeyOf(data()), KEY);
  });
});
