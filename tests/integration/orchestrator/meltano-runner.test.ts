import assert from 'node:assert/strict';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { createOrchestrator } from '../../../orchestrator/orchestrator.js';
import { requireMeltano } from '../../helpers/meltano.js';
import { repoRoot } from '../../helpers/repo-root.js';
import { COMPANY, FACILITY, startPipelineFixture, type PipelineFixture } from './fixture.js';

describe('orchestrator meltano runner (real `meltano run` with the repo meltano.yml, simulator, PostgreSQL)', function () {
  this.timeout(180_000);
  let fx: PipelineFixture;
  let meltano: string;
  let project: string;

  before(async function () {
    meltano = requireMeltano(this);
    fx = await startPipelineFixture(this, 'orch_meltano', { rows: { order_hdr: 60 } });
    // A private project dir (Meltano keeps its state DB there) with the repo's meltano.yml and executables.
    project = path.join(fx.dir, 'project');
    await mkdir(project);
    await copyFile(path.join(repoRoot, 'meltano.yml'), path.join(project, 'meltano.yml'));
    for (const entry of ['bin', 'dist', 'node_modules', 'package.json'])
      await symlink(path.join(repoRoot, entry), path.join(project, entry));
  });
  after(async () => {
    await fx?.close();
  });

  it('runs meltano with the company/facility as plugin env, parses relayed METRIC lines; no orchestrator state file; an incremental run follows', async () => {
    const orchestrator = createOrchestrator(
      fx.settings({
        runner: 'meltano',
        meltano_bin: meltano,
        meltano_project_dir: project,
        entities: ['order_hdr'],
        // A full sync leaves no mod_ts bookmark, so the incremental starts at start_date: from now it finds nothing
        // new (the dev environment's own start_date, older than the simulator's data, would re-read every row).
        tap_config: { start_date: new Date().toISOString() },
      }),
    );
    try {
      const full = await orchestrator.executeFullSync(COMPANY, FACILITY);
      assert.equal(full.success, true, full.error);
      const expected = await fx.wmsCount('order_hdr');
      assert.equal(await fx.tableCount('order_hdr'), expected);
      assert.equal(
        full.data.recordsByStream.order_hdr?.rows,
        expected,
        'rows from the target METRIC lines Meltano relayed',
      );
      assert.equal(full.data.stateFile, undefined, 'no orchestrator state file: Meltano keeps state');
      assert.equal(full.data.resources?.connectionLeaks, 0);
      assert.equal(full.data.consistency?.ok, true);
      const incremental = await orchestrator.executeIncrementalSync(COMPANY, FACILITY);
      assert.equal(incremental.success, true, incremental.error);
      assert.equal(incremental.data.recordsProcessed, 0);
    } finally {
      orchestrator.close();
    }
  });
});
