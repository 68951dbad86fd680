import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { type Catalog, stringifyJson } from '../../../singer/index.js';
import { LocalDirectoryStore } from '../../../tap-oracle-wms/index.js';
import { parseInstant } from '../../../tap-oracle-wms/instant.js';
import { startSim, type Sim } from '../tap/sim.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig } from '../tap/tap-harness.js';

/** Every value of every record the same; date-time fields the same instant (REST's offset vs the file's UTC). */
function assertSameRecords(
  rest: Record<string, unknown>[],
  files: Record<string, unknown>[],
  dateTimes: ReadonlySet<string>,
): void {
  assert.ok(rest.length > 0, 'REST sent records');
  assert.equal(files.length, rest.length, 'record count');
  const byId = new Map(files.map((record) => [stringifyJson(record.id), record]));
  for (const expected of rest) {
    const actual = byId.get(stringifyJson(expected.id));
    assert.ok(actual, `record ${stringifyJson(expected.id)} missing from the Data Extract load`);
    assert.deepEqual(
      Object.keys(actual).sort(),
      Object.keys(expected).sort(),
      `fields of ${stringifyJson(expected.id)}`,
    );
    for (const [field, value] of Object.entries(expected)) {
      if (dateTimes.has(field) && typeof value === 'string')
        assert.equal(
          parseInstant(String(actual[field])),
          parseInstant(value),
          `${field} of ${stringifyJson(expected.id)}`,
        );
      else
        assert.equal(stringifyJson(actual[field]), stringifyJson(value), `${field} of ${stringifyJson(expected.id)}`);
    }
  }
}

describe('Data Extract files → the same RECORDs as REST (real tap processes, simulator, local directory)', function () {
  this.timeout(180_000);
  let sim: Sim;
  let dir: string;
  let catalog: Catalog;

  before(async () => {
    sim = await startSim();
    dir = scratchDir();
    catalog = selectStreams(await discoverCatalog(dir, tapConfig(sim.baseUrl)), ['order_hdr', 'allocation']);
  });
  after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const format of ['csv', 'json'] as const)
    for (const compressed of [false, true])
      it(`${format}${compressed ? ' gzip' : ''}: order_hdr and allocation, split into several files`, async () => {
        const root = path.join(dir, `store-${format}-${compressed}`);
        const store = new LocalDirectoryStore(root);
        for (const entity of ['order_hdr', 'allocation']) {
          const result = await sim.writeDataExtract(store, {
            entity,
            format,
            compressed,
            fileSizeBytes: 256 * 1024,
            prefix: 'export/',
          });
          assert.ok(result.files.length > 1, `${entity} split into ${result.files.length} files`);
        }
        const config = tapConfig(sim.baseUrl, { enable_incremental: false });
        const rest = await runTap({ dir, config, catalog });
        assert.equal(rest.exitCode, 0, rest.stderr);
        const files = await runTap({
          dir,
          config: {
            ...config,
            data_extract: { directory: root, prefix: 'export/', entity_prefix: '{entity}_', format },
          },
          catalog,
        });
        assert.equal(files.exitCode, 0, files.stderr);
        assert.deepEqual(files.report.problems, []);
        for (const entry of catalog.streams.filter((stream) =>
          ['order_hdr', 'allocation'].includes(stream.tap_stream_id),
        )) {
          const stream = entry.tap_stream_id;
          const schemaOf = (run: typeof rest) =>
            run.report.messages.find((message) => message.type === 'SCHEMA' && message.stream === stream);
          assert.deepEqual(schemaOf(files), schemaOf(rest), `${stream} SCHEMA`);
          const dateTimes = new Set(
            Object.entries(entry.schema.properties ?? {})
              .filter(([, schema]) => schema.format === 'date-time')
              .map(([name]) => name),
          );
          assert.ok(dateTimes.size > 0);
          assertSameRecords(rest.report.records[stream], files.report.records[stream], dateTimes);
        }
      });
});
