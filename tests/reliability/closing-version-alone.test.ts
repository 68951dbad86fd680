import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tapConfigFor, targetConfigFor, type RunRequest } from '../../orchestrator/plugin-configs.js';
import { resolvePipelineSettings } from '../../orchestrator/settings.js';
import { captureOutputs, registerConfigSecrets } from '../helpers/captured-output.js';
import { runBin, type ProcessResult } from '../helpers/run-bin.js';
import { COMPANY, FACILITY, startPipelineFixture, type PipelineFixture } from '../integration/orchestrator/fixture.js';

captureOutputs();

/**
 * A full sync whose run carries no rows between the ACTIVATE_VERSION messages of its version (issue 15): the rerun of
 * a full sync killed after its last id range was loaded but before its closing ACTIVATE_VERSION, and a full sync of
 * an entity with no rows left in WMS. The target told the closing message from the opening one by rows arriving in
 * between, so it took the closing message for an opening one and never applied the version: rows deleted in WMS
 * stayed live. Real tap and target processes (configured as wms-pipeline configures a full sync), the simulator and
 * PostgreSQL; the tap's output is handed to the target whole, cut where a kill -9 of the tap would have cut it.
 */
const ENTITY = 'order_hdr';
const WMS_USER = { username: 'closing', password: 'closing-version-fake-password', canRead: true };

describe('reliability: a full sync with no rows between its ACTIVATE_VERSION messages retires the rows gone from WMS (real tap and target, simulator, PostgreSQL)', function () {
  this.timeout(180_000);
  let fx: PipelineFixture;
  let files = 0;

  before(async function () {
    fx = await startPipelineFixture(this, 'rel_closing', { rows: { order_hdr: 300 }, seed: 15, users: [WMS_USER] });
  });
  after(async () => fx?.close());

  const request: RunRequest = {
    job: 'closing-full',
    mode: 'full',
    companyCode: COMPANY,
    facilityCode: FACILITY,
    maxRetries: 0,
    runTimeoutSeconds: 120,
  };
  const settings = () =>
    resolvePipelineSettings(
      fx.settings({
        entities: [ENTITY],
        wms_username: WMS_USER.username,
        wms_password: WMS_USER.password,
        // Several id ranges, each checkpointed as done on its own.
        tap_config: { page_size: 10, full_sync_partitions: 3, replication_lag_seconds: 0 },
      }),
    );

  async function file(content: string): Promise<string> {
    const name = path.join(fx.dir, `f${(files += 1)}.json`);
    await writeFile(name, content, { mode: 0o600 });
    return name;
  }

  async function tap(state?: string): Promise<ProcessResult> {
    const config = tapConfigFor(settings(), request);
    registerConfigSecrets(config);
    const args = ['--config', await file(JSON.stringify(config))];
    if (state !== undefined) args.push('--state', await file(state));
    const result = await runBin('tap-oracle-wms', args, { timeoutMs: 120_000 });
    assert.equal(result.exitCode, 0, result.stderr);
    return result;
  }

  /** The target fed `lines`; returns the last state it emitted (after its commit). */
  async function target(lines: readonly string[]): Promise<string> {
    const config = targetConfigFor(settings(), request);
    registerConfigSecrets(config);
    const result = await runBin('target-oracle', ['--config', await file(JSON.stringify(config))], {
      input: `${lines.join('\n')}\n`,
      timeoutMs: 120_000,
    });
    assert.equal(result.exitCode, 0, result.stderr);
    const last = result.stdoutLines.at(-1);
    assert.ok(last !== undefined, `the target emitted no state:\n${result.stderr}`);
    return last;
  }

  /** id → live or deleted, as the target table has it. */
  async function table(): Promise<Map<number, 'live' | 'deleted'>> {
    const rows = await fx.query<{ id: string; deleted: boolean }>(
      `SELECT id::text AS id, _sdc_deleted_at IS NOT NULL AS deleted FROM "${fx.schema.schema}".${ENTITY}`,
    );
    return new Map(rows.map((row) => [Number(row.id), row.deleted ? 'deleted' : 'live']));
  }

  const isActivateVersion = (line: string) => line.startsWith('{"type":"ACTIVATE_VERSION"');

  it('killed after its last id range, before the closing ACTIVATE_VERSION: the resumed run retires the row deleted in WMS', async () => {
    const clean = await tap();
    await target(clean.stdoutLines);
    const ids = [...(await table()).keys()].sort((a, b) => a - b);
    // The simulator spreads its rows over companies and facilities: this run's share of them.
    assert.ok(ids.length >= 20, `${ids.length} rows loaded`);
    const gone = ids[Math.floor(ids.length / 2)];
    assert.ok(fx.sim.admin.delete(ENTITY, gone));

    // The next full sync, cut where the tap's kill -9 would cut it: every range loaded and checkpointed as done,
    // the closing ACTIVATE_VERSION not yet written.
    const full = (await tap()).stdoutLines;
    const closing = full.findLastIndex(isActivateVersion);
    assert.ok(closing > full.findIndex(isActivateVersion), 'an opening and a closing ACTIVATE_VERSION');
    const cut = full.slice(0, closing);
    const lastState = JSON.parse(cut.findLast((line) => line.startsWith('{"type":"STATE"'))!) as {
      value: { bookmarks: Record<string, { partitions?: { complete?: boolean }[] }> };
    };
    const partitions = lastState.value.bookmarks[ENTITY].partitions ?? [];
    assert.ok(partitions.length > 1, 'several id ranges');
    assert.ok(
      partitions.every((partition) => partition.complete === true),
      'every range done before the cut',
    );
    const state = await target(cut);
    assert.equal((await table()).get(gone), 'live', 'the cut run retires nothing');

    // The rerun resumes from the state the target emitted: nothing left to read, only the version to close.
    const resumed = await tap(state);
    assert.ok(
      !resumed.stdoutLines.some((line) => line.startsWith('{"type":"RECORD"')),
      'the resumed run has no rows to send',
    );
    await target(resumed.stdoutLines);
    const after = await table();
    assert.equal(after.get(gone), 'deleted', `row ${gone} (deleted in WMS) is retired by the resumed run`);
    assert.deepEqual(
      ids.filter((id) => id !== gone && after.get(id) !== 'live'),
      [],
      'every row still in WMS is live',
    );
  });

  it('an entity with no rows left in WMS: the full sync retires every row', async () => {
    const live = [...(await table())].filter(([, status]) => status === 'live').map(([id]) => id);
    assert.ok(live.length > 0);
    for (const id of live) assert.ok(fx.sim.admin.delete(ENTITY, id));
    const empty = await tap();
    assert.equal(empty.stdoutLines.filter(isActivateVersion).length, 2, 'an opening and a closing ACTIVATE_VERSION');
    assert.ok(!empty.stdoutLines.some((line) => line.startsWith('{"type":"RECORD"')));
    await target(empty.stdoutLines);
    assert.deepEqual(
      [...(await table())].filter(([, status]) => status === 'live'),
      [],
      'no row is live',
    );
  });
});
