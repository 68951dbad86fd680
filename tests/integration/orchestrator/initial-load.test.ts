import type { S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalDirectoryStore, S3Store } from '../../../tap-oracle-wms/index.js';
import { createTestSchema, type TestSchema } from '../../helpers/postgres.js';
import { runBin, type ProcessResult } from '../../helpers/run-bin.js';
import { createTestBucket, dropTestBucket, requireS3, s3Client, type S3Server } from '../../helpers/s3-server.js';
import { COMPANY, FACILITY, startPipelineFixture, type PipelineFixture } from './fixture.js';

interface Result {
  success: boolean;
  data: {
    job: string;
    mode: string;
    exitCode: number;
    stateFile?: string;
    handoffs?: string[];
    recordsByStream: Record<string, { rows: number; rowsRead: number }>;
  };
}

type Bookmark = Record<string, unknown> & { replication_key_value?: string; data_extract?: { complete: boolean } };
interface State {
  bookmarks: Record<string, Bookmark>;
}

// No lag and no overlap: an incremental run reads exactly what changed after its bookmark.
const TAP = { replication_lag_seconds: 0, incremental_overlap_minutes: 0 };

describe('wms-pipeline initial-load (real bin/wms-pipeline.js, tap and target processes, simulator, PostgreSQL, moto S3)', function () {
  this.timeout(240_000);
  let fx: PipelineFixture;
  const schemas: TestSchema[] = [];

  before(async function () {
    fx = await startPipelineFixture(this, 'orch_init', { rows: { order_hdr: 60, order_dtl: 1, allocation: 1 } });
  });
  after(async () => {
    for (const schema of schemas) await schema.drop();
    await fx?.close();
  });

  async function newSchema(): Promise<string> {
    const schema = await createTestSchema('orch_init', fx.pg);
    schemas.push(schema);
    return schema.schema;
  }

  async function configFile(name: string, extra: Record<string, unknown>): Promise<string> {
    const file = path.join(fx.dir, `${name}.json`);
    await writeFile(file, JSON.stringify(fx.settings({ entities: ['order_hdr'], tap_config: TAP, ...extra })), {
      mode: 0o600,
    });
    return file;
  }

  async function pipeline(config: string, args: string[]): Promise<{ run: ProcessResult; result: Result }> {
    const run = await runBin('wms-pipeline', [...args, '--config', config, '--json'], { timeoutMs: 120_000 });
    let result: Result;
    try {
      result = JSON.parse(run.stdout) as Result;
    } catch {
      assert.fail(`exit ${run.exitCode}, no JSON result:\n${run.stdout}\n${run.stderr}`);
    }
    return { run, result };
  }

  /** The table's rows without the _sdc_* columns (their times and versions differ between loads), by id. */
  async function rowsOf(schema: string): Promise<Record<string, unknown>[]> {
    const rows = await fx.query<Record<string, unknown>>(`SELECT * FROM "${schema}".order_hdr ORDER BY id`);
    return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([name]) => !name.startsWith('_sdc_'))));
  }

  /** A state file of the direct runner (state-store.ts: `*` is written `~2A`). */
  async function stateOf(stateDir: string, company: string, facility: string, job: string): Promise<State> {
    const dir = path.join(stateDir, company === '*' ? '~2A' : company, facility === '*' ? '~2A' : facility);
    return JSON.parse(await readFile(path.join(dir, `${job}.json`), 'utf8')) as State;
  }

  const states = (): string => path.join(fx.dir, 'state');

  it('over REST: the table a full run loads; the incremental states of its scope start where it began, others untouched; the next incremental run brings a change', async () => {
    const schema = await newSchema();
    const config = await configFile('rest', {
      target_schema: schema,
      jobs: [
        { name: 'hdr-incremental', mode: 'incremental', company_code: COMPANY, facility_code: FACILITY },
        { name: 'dtl-incremental', mode: 'incremental', entities: ['order_dtl'] },
        { name: 'other-facility', mode: 'incremental', company_code: COMPANY, facility_code: 'DC99' },
      ],
    });
    const { run, result } = await pipeline(config, [
      'initial-load',
      '--entity',
      'order_hdr',
      '--company',
      COMPANY,
      '--facility',
      FACILITY,
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(result.data.job, 'initial-load-order_hdr');
    assert.equal(result.data.mode, 'full');
    assert.deepEqual(Object.keys(result.data.recordsByStream), ['order_hdr']);
    assert.match(
      run.stderr,
      /INFO order_hdr: initial load of ACME\/DC01 over the REST API \(data_extract is not set\)/,
    );

    const loaded = await stateOf(states(), COMPANY, FACILITY, 'initial-load-order_hdr');
    const start = loaded.bookmarks.order_hdr.replication_key_value;
    assert.ok(typeof start === 'string', JSON.stringify(loaded));
    assert.deepEqual(result.data.handoffs, [
      `order_hdr: 'incremental' of ${COMPANY}/${FACILITY} now starts at ${start}, where the initial load began`,
      `order_hdr: 'hdr-incremental' of ${COMPANY}/${FACILITY} now starts at ${start}, where the initial load began`,
    ]);
    for (const job of ['incremental', 'hdr-incremental'])
      assert.deepEqual((await stateOf(states(), COMPANY, FACILITY, job)).bookmarks.order_hdr, {
        replication_key: 'mod_ts',
        replication_key_value: start,
        full_load_taken_over: start,
      });

    // The same table as a `full` run of the entity, loaded into a schema of its own.
    const fullSchema = await newSchema();
    const full = await pipeline(await configFile('rest-full', { target_schema: fullSchema }), [
      'full',
      '--company',
      COMPANY,
      '--facility',
      FACILITY,
    ]);
    assert.equal(full.run.exitCode, 0, full.run.stderr);
    const rows = await rowsOf(schema);
    assert.equal(rows.length, await fx.wmsCount('order_hdr'));
    assert.deepEqual(rows, await rowsOf(fullSchema));

    const changed = Number(rows[5].id);
    fx.sim.admin.update('order_hdr', changed, { cust_field_1: 'CHANGED' });
    const next = await pipeline(config, ['incremental', '--company', COMPANY, '--facility', FACILITY]);
    assert.equal(next.run.exitCode, 0, next.run.stderr);
    assert.equal(next.result.data.recordsByStream.order_hdr.rowsRead, 1, 'only the row changed after the load began');
    const after = await fx.query<{ cust_field_1: string }>(
      `SELECT cust_field_1 FROM "${schema}".order_hdr WHERE id = $1`,
      [changed],
    );
    assert.equal(after[0].cust_field_1, 'CHANGED');

    // A completed load is not resumed: a second run is a new load, whose start is handed over in turn.
    const again = await pipeline(config, [
      'initial-load',
      '--entity',
      'order_hdr',
      '--company',
      COMPANY,
      '--facility',
      FACILITY,
    ]);
    assert.equal(again.run.exitCode, 0, again.run.stderr);
    const restart = (await stateOf(states(), COMPANY, FACILITY, 'initial-load-order_hdr')).bookmarks.order_hdr;
    assert.notEqual(restart.replication_key_value, start);
    assert.match(again.result.data.handoffs?.[0] ?? '', /^order_hdr: 'incremental' of ACME\/DC01 now starts at /);
  });

  it('through Data Extract (files in moto S3, keys from the pipeline settings): the table REST loads; the incremental run brings the row changed mid-export', async function () {
    const server: S3Server = requireS3(this);
    const client: S3Client = s3Client(server);
    const bucket = await createTestBucket(client, 'orch-init');
    try {
      const restSchema = await newSchema();
      const rest = await pipeline(await configFile('de-rest', { target_schema: restSchema }), [
        'initial-load',
        '--entity',
        'order_hdr',
        '--company',
        '*',
        '--facility',
        '*',
      ]);
      assert.equal(rest.run.exitCode, 0, rest.run.stderr);

      let changed: number | undefined;
      const exported = await fx.sim.writeDataExtract(new S3Store({ ...server, bucket, forcePathStyle: true }), {
        entity: 'order_hdr',
        format: 'csv',
        fileSizeBytes: 4 * 1024,
        prefix: 'run-1/order_hdr/',
        // After the first file: a row it holds changes in WMS (the file keeps the value before).
        afterFile: async () => {
          if (changed !== undefined) return;
          changed = Number((await rowsOf(restSchema))[0].id);
          fx.sim.admin.update('order_hdr', changed, { cust_field_1: 'MID-EXPORT' });
        },
      });
      assert.ok(exported.files.length >= 2, `${exported.files.length} files`);
      const schema = await newSchema();
      const config = await configFile('de', {
        target_schema: schema,
        data_extract: {
          store: 's3',
          bucket,
          region: server.region,
          endpoint: server.endpoint,
          force_path_style: true,
          prefix: 'run-1/',
          export_started_at: exported.startedAt,
        },
        data_extract_access_key_id: server.accessKeyId,
        data_extract_secret_access_key: server.secretAccessKey,
      });
      const load = await pipeline(config, [
        'initial-load',
        '--entity',
        'order_hdr',
        '--company',
        '*',
        '--facility',
        '*',
      ]);
      assert.equal(load.run.exitCode, 0, load.run.stderr);
      assert.match(load.run.stderr, /INFO order_hdr: initial load from Data Extract files \(data_extract is set\)/);
      assert.equal(load.result.data.recordsByStream.order_hdr.rows, exported.rows);
      assert.deepEqual(await rowsOf(schema), await rowsOf(restSchema), 'the same rows and columns as over REST');

      const handoff = (await stateOf(states(), '*', '*', 'incremental')).bookmarks.order_hdr;
      assert.equal(handoff.full_load_taken_over, handoff.replication_key_value);
      assert.equal(Date.parse(String(handoff.replication_key_value)), Date.parse(exported.startedAt));

      const next = await pipeline(config, ['incremental', '--company', '*', '--facility', '*']);
      assert.equal(next.run.exitCode, 0, next.run.stderr);
      const after = await fx.query<{ cust_field_1: string }>(
        `SELECT cust_field_1 FROM "${schema}".order_hdr WHERE id = $1`,
        [changed],
      );
      assert.equal(after[0].cust_field_1, 'MID-EXPORT');
    } finally {
      await dropTestBucket(client, bucket);
    }
  });

  it('over REST, stopped by a WMS failure partway: the rerun reads only the id ranges not done, into the same version', async () => {
    const schema = await newSchema();
    // A state dir of its own: the loads of the other tests left states of the same company, facility and job.
    const stateDir = path.join(fx.dir, 'state-rest-resume');
    // One request at a time, four id ranges of two 10-row pages each, no retries: the 503s from the 7th order_hdr
    // request on (after the min and max lookups and two ranges) stop the tap partway, the ranges read before committed.
    const config = await configFile('rest-resume', {
      target_schema: schema,
      state_dir: stateDir,
      max_retries: 0,
      tap_config: {
        ...TAP,
        full_sync_partitions: 4,
        page_size: 10,
        max_concurrent_requests: 1,
        max_retries: 0,
        connect_retry_seconds: 0,
      },
    });
    const args = ['initial-load', '--entity', 'order_hdr', '--company', COMPANY, '--facility', FACILITY];
    const total = await fx.wmsCount('order_hdr');

    fx.sim.admin.setFaults('order_hdr:503@7+');
    let stopped: Awaited<ReturnType<typeof pipeline>>;
    try {
      stopped = await pipeline(config, args);
    } finally {
      fx.sim.admin.setFaults('');
    }
    assert.notEqual(stopped.run.exitCode, 0, stopped.run.stderr);
    assert.equal(stopped.result.success, false);
    const committed = stopped.result.data.recordsByStream.order_hdr?.rows ?? 0;
    assert.ok(committed > 0 && committed < total, `${committed} of ${total} rows committed before the failure`);
    const progress = await stateOf(stateDir, COMPANY, FACILITY, 'initial-load-order_hdr');
    const ranges = (progress.bookmarks.order_hdr?.partitions ?? []) as { complete?: boolean }[];
    assert.equal(ranges.length, 4, JSON.stringify(progress));
    const done = ranges.filter((range) => range.complete === true).length;
    assert.ok(done > 0 && done < 4, `${done} of 4 id ranges done in the stopped load's state`);
    const versions = async (): Promise<string[]> =>
      (await fx.query<{ v: string }>(`SELECT DISTINCT _sdc_table_version::text AS v FROM "${schema}".order_hdr`)).map(
        (row) => row.v,
      );
    const versionBefore = await versions();
    assert.equal(versionBefore.length, 1);

    const resumed = await pipeline(config, args);
    assert.equal(resumed.run.exitCode, 0, resumed.run.stderr);
    assert.equal(
      resumed.result.data.recordsByStream.order_hdr.rowsRead,
      total - committed,
      'the id ranges committed before are not read again',
    );
    const rows = await rowsOf(schema);
    assert.equal(rows.length, total);
    assert.equal(new Set(rows.map((row) => String(row.id))).size, total);
    assert.deepEqual(await versions(), versionBefore, 'the resumed load writes the version the stopped one began');
    assert.equal(
      (await stateOf(stateDir, COMPANY, FACILITY, 'incremental')).bookmarks.order_hdr?.full_load_taken_over,
      (await stateOf(stateDir, COMPANY, FACILITY, 'initial-load-order_hdr')).bookmarks.order_hdr.replication_key_value,
    );
  });

  it('through Data Extract, stopped by a corrupt file: the rerun loads only the files after the last committed one', async () => {
    const root = path.join(fx.dir, 'extract');
    const exported = await fx.sim.writeDataExtract(new LocalDirectoryStore(root), {
      entity: 'order_hdr',
      format: 'csv',
      compressed: true,
      fileSizeBytes: 4 * 1024,
      prefix: 'run-2/order_hdr/',
    });
    assert.ok(exported.files.length >= 4, `${exported.files.length} files`);
    const third = path.join(root, ...exported.files[2].key.split('/'));
    const bytes = await readFile(third);
    await writeFile(third, bytes.subarray(0, bytes.length - 100));
    const schema = await newSchema();
    // A state dir of its own: the loads of the other tests left states of the same company, facility and job.
    const stateDir = path.join(fx.dir, 'state-resume');
    const config = await configFile('de-resume', {
      target_schema: schema,
      state_dir: stateDir,
      data_extract: { directory: root, prefix: 'run-2/', export_started_at: exported.startedAt, concurrent_files: 1 },
    });
    const args = ['initial-load', '--entity', 'order_hdr', '--company', '*', '--facility', '*'];

    const stopped = await pipeline(config, args);
    assert.equal(stopped.run.exitCode, 3, stopped.run.stderr);
    assert.equal(stopped.result.success, false);
    const committed = exported.files[0].rows + exported.files[1].rows;
    assert.equal(stopped.result.data.recordsByStream.order_hdr.rows, committed);
    const progress = (await stateOf(stateDir, '*', '*', 'initial-load-order_hdr')).bookmarks.order_hdr;
    assert.equal(progress.data_extract?.complete, false);

    await writeFile(third, bytes);
    const resumed = await pipeline(config, args);
    assert.equal(resumed.run.exitCode, 0, resumed.run.stderr);
    assert.equal(
      resumed.result.data.recordsByStream.order_hdr.rowsRead,
      exported.rows - committed,
      'the files committed before are not read again',
    );
    const count = await fx.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".order_hdr`);
    assert.equal(Number(count[0].n), exported.rows);
  });

  describe('refused before anything starts: exit 2 (configuration), no run', () => {
    const refused = async (config: string, args: string[]): Promise<string> => {
      const run = await runBin('wms-pipeline', [...args, '--config', config]);
      assert.equal(run.exitCode, 2, `${run.stdout}\n${run.stderr}`);
      assert.equal(run.stdout, '');
      return run.stderr;
    };

    it('Data Extract with a company or facility other than *: says why and what to do', async () => {
      const config = await configFile('de-scope', { data_extract: { directory: fx.dir } });
      const stderr = await refused(config, ['initial-load', '--entity', 'order_hdr', '--company', COMPANY]);
      assert.match(
        stderr,
        /'initial-load' with 'data_extract' loads the whole tenant \(a Data Extract export holds every company and facility\), not ACME\/\*: run it with --company '\*' --facility '\*', or remove 'data_extract' to load ACME\/\* over the REST API/,
      );
    });

    it('Data Extract with flatten_relations false: names both settings', async () => {
      const config = await configFile('de-flat', {
        data_extract: { directory: fx.dir },
        tap_config: { ...TAP, flatten_relations: false },
      });
      const stderr = await refused(config, ['initial-load', '--entity', 'order_hdr']);
      assert.match(stderr, /'data_extract' needs 'tap_config.flatten_relations' true/);
    });

    it('an entity the WMS does not list, a pattern, or no --entity', async () => {
      const config = await configFile('plain', {});
      assert.match(
        await refused(config, ['initial-load', '--entity', 'order_hdrs']),
        /unknown entity 'order_hdrs': the WMS entity list \(\d+ entities\) does not hold it/,
      );
      assert.match(
        await refused(config, ['initial-load', '--entity', 'ORDER_HDR']),
        /unknown entity 'ORDER_HDR'.*\(did you mean 'order_hdr'\?\)/,
      );
      assert.match(
        await refused(config, ['initial-load', '--entity', 'order_*']),
        /initial-load loads one entity: --entity 'order_\*' is a pattern/,
      );
      assert.match(await refused(config, ['initial-load']), /initial-load needs --entity <name>/);
    });
  });
});
