import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.js';
import { createTestSchema, withClient, type TestSchema } from '../../helpers/postgres.js';
import { runBin } from '../../helpers/run-bin.js';
import { COMPANY, FACILITY, startPipelineFixture, type PipelineFixture } from './fixture.js';

/**
 * Issue 19 item 4: a run's counts mean what they say. Rows the tap read and rows the target committed are reported
 * apart; a failed run never calls rows "loaded" that were read but rolled back.
 */
describe('wms-pipeline counts: rows read vs rows committed (real binaries, simulator, PostgreSQL, webhook)', function () {
  this.timeout(120_000);
  let fx: PipelineFixture;
  let hook: HttpReceiver;
  let failing: TestSchema;

  before(async function () {
    fx = await startPipelineFixture(this, 'orch_counts', { rows: { order_hdr: 80 } });
    hook = await startHttpReceiver('/hook');
    // A table the target cannot write a single row into: its first batch fails at the database and is rolled back.
    failing = await createTestSchema('orch_counts_fail', fx.pg);
    await withClient(
      (c) =>
        c.query(
          `CREATE TABLE ${c.escapeIdentifier(failing.schema)}.order_hdr (id bigint PRIMARY KEY, CONSTRAINT refuse_all CHECK (false))`,
        ),
      fx.pg,
    );
  });
  after(async () => {
    await failing?.drop();
    await hook?.close();
    await fx?.close();
  });

  it('a run whose target fails: the summary shows rows read and 0 committed, says they were not loaded, exit 5', async () => {
    const config = path.join(fx.dir, 'failing.json');
    await writeFile(
      config,
      JSON.stringify(
        fx.settings({ entities: ['order_hdr'], target_schema: failing.schema, alert_webhook_url: hook.url }),
      ),
      { mode: 0o600 },
    );
    const result = await runBin('wms-pipeline', [
      'full',
      '--company',
      COMPANY,
      '--facility',
      FACILITY,
      '--config',
      config,
    ]);
    assert.equal(result.exitCode, 5, result.stderr.slice(-3000));
    const read = await fx.wmsCount('order_hdr');
    assert.ok(read > 0);
    assert.match(result.stdout, /: FAILED in /);
    assert.match(result.stdout, /^ {2}stream +read +committed +rows\/s +duration$/m);
    assert.match(result.stdout, new RegExp(`^  order_hdr +${read} +0 +`, 'm'));
    assert.match(result.stdout, new RegExp(`^  ${read} rows read were not committed \\(not loaded; `, 'm'));
    const [alert] = await hook.waitForRequests(1);
    assert.match(alert.body, new RegExp(`before the failure ${read} rows were read and 0 committed`));
    for (const text of [result.stdout, alert.body]) assert.doesNotMatch(text, /rows loaded|loaded before/);
  });
});
