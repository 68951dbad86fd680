import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { createOrchestrator, type Orchestrator } from '../../../orchestrator/orchestrator.js';
import type { RunResult } from '../../../orchestrator/run-result.js';
import { instantMicros } from '../../../orchestrator/consistency/compare-values.js';
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.js';
import { COMPANY, FACILITY, startPipelineFixture, STREAMS, type PipelineFixture } from './fixture.js';

describe('orchestrator syncs (real simulator over HTTP, real tap | target processes, real PostgreSQL)', function () {
  this.timeout(120_000);
  let fx: PipelineFixture;
  let hook: HttpReceiver;
  let orchestrator: Orchestrator;
  const runs: RunResult[] = [];
  const track = async (run: Promise<RunResult>): Promise<RunResult> => {
    const result = await run;
    runs.push(result);
    return result;
  };

  before(async function () {
    fx = await startPipelineFixture(this, 'orch_sync');
    hook = await startHttpReceiver('/hook');
    // replication_lag 0: rows the test changes "now" belong to the next incremental window right away.
    orchestrator = createOrchestrator(
      fx.settings({ alert_webhook_url: hook.url, tap_config: { replication_lag_seconds: 0 } }),
    );
  });
  after(async () => {
    orchestrator?.close();
    await hook?.close();
    await fx?.close();
  });

  it('full sync loads every scoped row of each stream; counts, consistency, state, report and resources agree', async () => {
    const result = await orchestrator.executeFullSync(COMPANY, FACILITY);
    runs.push(result);
    assert.equal(result.success, true, result.error);
    const expected: Record<string, number> = {};
    for (const stream of STREAMS) expected[stream] = await fx.wmsCount(stream);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    assert.ok(total > 100, `simulator scope has ${total} rows`);
    assert.equal(result.data.recordsProcessed, total);
    assert.equal(result.data.errorsCount, 0);
    assert.ok(result.data.durationSeconds > 0);
    for (const stream of STREAMS) {
      assert.equal(result.data.recordsByStream[stream].rows, expected[stream], stream);
      assert.equal(await fx.tableCount(stream), expected[stream], `table ${stream}`);
    }
    // The orchestrator's own consistency check agrees and compared sampled rows field by field.
    assert.equal(result.data.consistency?.ok, true, JSON.stringify(result.data.consistency));
    assert.equal(
      result.data.consistency?.streams.reduce((n, s) => n + s.sampled, 0),
      60,
    );
    // Full sync ran without state; when done the tap left no id ranges, only the instant each snapshot began.
    const saved = JSON.parse(await readFile(result.data.stateFile!, 'utf8')) as {
      bookmarks: Record<string, Record<string, unknown>>;
    };
    for (const bookmark of Object.values(saved.bookmarks))
      assert.deepEqual(Object.keys(bookmark).sort(), ['replication_key', 'replication_key_value']);
    const report = JSON.parse(await readFile(result.data.reportFile!, 'utf8'));
    assert.equal(report.success, true);
    assert.equal(report.recordsProcessed, total);
    assert.ok(!JSON.stringify(report).includes(fx.pg.password), 'report carries no secret');
    const r = result.data.resources!;
    assert.ok(r.peakMemoryMb > 20 && r.peakMemoryMb < 2048, `peak ${r.peakMemoryMb} MB`);
    assert.ok(r.samples >= 2);
    assert.equal(r.connectionLeaks, 0);
    assert.equal(r.connectionPoolEfficiency, 1);
    assert.equal(hook.requests.length, 0, 'no alert for a clean run');
  });

  it('incremental sync reads only rows changed since the stored state, and the table gets their new mod_ts', async () => {
    const first = await track(orchestrator.executeIncrementalSync(COMPANY, FACILITY));
    assert.equal(first.success, true, first.error);
    assert.equal(first.data.recordsProcessed, 0, 'nothing changed since the full sync');
    const bookmarkBefore = (first.data.state as { bookmarks: Record<string, { replication_key_value: string }> })
      .bookmarks.order_hdr.replication_key_value;

    const ids = (
      await fx.query<{ id: string }>(`SELECT id::text AS id FROM "${fx.schema.schema}".order_hdr ORDER BY id LIMIT 3`)
    ).map((r) => Number(r.id));
    for (const id of ids) fx.sim.admin.update('order_hdr', id, {});
    const second = await track(orchestrator.executeIncrementalSync(COMPANY, FACILITY));
    assert.equal(second.success, true, second.error);
    assert.equal(second.data.recordsByStream.order_hdr.rows, 3);
    assert.equal(second.data.recordsProcessed, 3);
    assert.equal(await fx.tableCount('order_hdr'), await fx.wmsCount('order_hdr'), 'updated, not duplicated');
    const bookmarkAfter = (second.data.state as { bookmarks: Record<string, { replication_key_value: string }> })
      .bookmarks.order_hdr.replication_key_value;
    assert.ok(instantMicros(bookmarkAfter)! > instantMicros(bookmarkBefore)!, 'bookmark advanced');

    const auth = { authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}` };
    for (const id of ids) {
      const wms = (await (
        await fetch(`${fx.sim.baseUrl}/wms/lgfapi/v10/entity/order_hdr/${id}/`, { headers: auth })
      ).json()) as { mod_ts: string };
      const [row] = await fx.query<{ mod_ts: Date }>(
        `SELECT mod_ts FROM "${fx.schema.schema}".order_hdr WHERE id = $1`,
        [id],
      );
      const [text] = await fx.query<{ t: string }>(
        `SELECT to_char(mod_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t FROM "${fx.schema.schema}".order_hdr WHERE id = $1`,
        [id],
      );
      assert.ok(row, `row ${id}`);
      assert.equal(instantMicros(text.t), instantMicros(wms.mod_ts), `mod_ts of ${id} as an instant`);
    }
    // A third run starts from the second run's state: only the overlap window (incremental_overlap_minutes, 15 by
    // default) is read again, i.e. the same 3 rows, upserted without duplicates.
    const third = await track(orchestrator.executeIncrementalSync(COMPANY, FACILITY));
    assert.equal(third.data.recordsProcessed, 3);
    assert.equal(await fx.tableCount('order_hdr'), await fx.wmsCount('order_hdr'));
  });

  it('detects a target that disagrees with WMS (row deleted, value changed) and sends a consistency alert', async () => {
    const table = `"${fx.schema.schema}".order_hdr`;
    const [newest] = await fx.query<{ id: string }>(`SELECT id::text AS id FROM ${table} ORDER BY id DESC LIMIT 2`);
    await fx.query(`DELETE FROM ${table} WHERE id = $1`, [newest.id]);
    await fx.query(
      `UPDATE ${table} SET order_nbr = order_nbr || '-tampered' WHERE id = (SELECT max(id) FROM ${table})`,
    );
    const result = await track(orchestrator.executeIncrementalSync(COMPANY, FACILITY));
    assert.equal(result.success, true, 'the run itself succeeded');
    const stream = result.data.consistency!.streams.find((s) => s.stream === 'order_hdr')!;
    assert.equal(stream.ok, false);
    assert.equal(stream.targetCount, (stream.sourceCount ?? 0) - 1);
    assert.equal(stream.rowsMissing, 1);
    assert.deepEqual(Object.keys(stream.fieldMismatches), ['order_nbr']);
    const requests = await hook.waitForRequests(1);
    const alert = requests.at(-1)!.json as {
      title: string;
      severity: string;
      context: Record<string, string>;
      message: string;
    };
    assert.match(alert.title, /consistency mismatch/);
    assert.equal(alert.severity, 'medium');
    assert.equal(alert.context.alert_type, 'data_quality_issue');
    assert.equal(alert.context.streams, 'order_hdr');
    assert.match(alert.message, /order_hdr: source \d+ rows, target \d+/);
    assert.ok(!alert.message.includes('-tampered'), 'alerts carry column names, never values');
    // Repair for later tests: a full sync reloads the table.
    assert.equal((await track(orchestrator.executeFullSync(COMPANY, FACILITY))).data.consistency?.ok, true);
  });

  it('exposes a snapshot of its metrics (runs, rows) and keeps them in state_dir', async () => {
    const text = orchestrator.metrics.registry.render();
    const count = (job: string) => runs.filter((r) => r.data.job === job && r.success).length;
    const rows = (job: string, stream: string) =>
      runs.filter((r) => r.data.job === job).reduce((n, r) => n + (r.data.recordsByStream[stream]?.rows ?? 0), 0);
    assert.ok(count('full') === 2 && count('incremental') === 4, `runs: ${runs.map((r) => r.data.job).join(',')}`);
    assert.ok(text.includes(`wms_pipeline_runs_total{job="full",mode="full",status="success"} ${count('full')}\n`));
    assert.ok(
      text.includes(
        `wms_pipeline_runs_total{job="incremental",mode="incremental",status="success"} ${count('incremental')}\n`,
      ),
    );
    assert.ok(
      text.includes(
        `wms_pipeline_rows_total{job="incremental",stream="order_hdr"} ${rows('incremental', 'order_hdr')}\n`,
      ),
    );
    assert.ok(text.includes(`wms_pipeline_rows_total{job="full",stream="allocation"} ${rows('full', 'allocation')}\n`));
    assert.ok((await stat(`${fx.dir}/state/metrics.json`)).size > 0);
  });
});
