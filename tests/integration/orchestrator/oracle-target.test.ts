import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator } from '../../../wms-simulator/index.js';
import {
  FakeOracledb,
  inProcessLink,
  RULES_PASSWORD,
  RulesBackend,
  rulesProcessEnv,
  serveRules,
  type FakeConnection,
  type RulesServer,
} from '../../helpers/oracle-rules/index.js';
import { runBin } from '../../helpers/run-bin.js';
import { COMPANY, FACILITY, STREAMS } from './fixture.js';

interface StreamReport {
  stream: string;
  table?: string;
  sourceCount?: number;
  targetCount?: number;
  sampled: number;
  rowsMissing: number;
  fieldMismatches: Record<string, number>;
  missingColumns: string[];
  ok: boolean;
  error?: string;
}
interface PipelineJson {
  success: boolean;
  error?: string;
  data: { consistency?: { ok: boolean; streams: StreamReport[] } };
}

const TZ_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.FF6TZH:TZM';

/**
 * Defect 10: the orchestrator's Oracle code (health, consistency check) reads the target through the target's own
 * dialect (target-oracle/index.ts → openIntrospector): the same connect string (SID as SID, TCPS and the wallet
 * kept), the same conformed schema and table names, exact values (timestamps to the microsecond as text, CLOBs as
 * strings, BOOLEAN columns without NJS-119). The real wms-pipeline binary (its tap and target children too) against
 * the simulator and an Oracle rules session (a model of Oracle 23 with BOOLEAN columns; not Oracle).
 */
describe('wms-pipeline with an Oracle target (rules session: real wms-pipeline, tap and target processes, Oracle model)', function () {
  this.timeout(180_000);
  let backend: RulesBackend;
  let server: RulesServer;
  let sim: RunningSimulator;
  let dir: string;
  let reader: FakeConnection | undefined;
  let oracledb: FakeOracledb;

  before(async () => {
    backend = new RulesBackend({ version: 23, users: ['TEST', 'WMS_STAGE'], services: ['FREEPDB1'], sids: ['FREE'] });
    server = await serveRules(backend);
    sim = await startSimulator({ port: 0, rows: { order_hdr: 40, order_dtl: 60, allocation: 80 } });
    dir = await mkdtemp(path.join(tmpdir(), 'orch-oracle-'));
    oracledb = new FakeOracledb(inProcessLink(backend));
    // The test's own reader (a plain TCP connection by service name), opened before the runs it looks at.
    reader = await oracledb.getConnection({
      user: 'test',
      password: RULES_PASSWORD,
      connectString: `${server.host}:${server.port}/FREEPDB1`,
    });
    await reader.execute("ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,' TIME_ZONE = '+00:00'");
  });
  after(async () => {
    await reader?.close().catch(() => undefined);
    await server?.close();
    await sim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /**
   * Pipeline settings for the rules server: a SID (not a service name), TCPS with a wallet, a schema and a prefix
   * the target conforms (wms-stage → WMS_STAGE, wms- → WMS_).
   */
  const settings = (targetConfig: Record<string, unknown> = {}) => ({
    wms_base_url: sim.baseUrl,
    wms_username: 'demo',
    wms_password: 'demo',
    entities: [...STREAMS],
    target_dialect: 'oracle',
    target_host: server.host,
    target_port: server.port,
    target_user: 'test',
    target_password: RULES_PASSWORD,
    target_schema: 'wms-stage',
    target_config: {
      sid: 'FREE',
      protocol: 'tcps',
      wallet_location: path.join(dir, 'wallet'),
      table_prefix: 'wms-',
      oracle_boolean_type: 'boolean',
      ...targetConfig,
    },
    consistency_sample_size: 1000,
    state_dir: path.join(dir, 'state'),
    report_dir: path.join(dir, 'reports'),
    max_retries: 0,
    retry_initial_delay_seconds: 0.05,
    monitor_interval_seconds: 0.1,
  });

  async function pipeline(args: string[], extra: Record<string, unknown> = {}) {
    const file = path.join(dir, `settings-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify({ ...settings(), ...extra }), { mode: 0o600 });
    return runBin('wms-pipeline', [...args, '--config', file], { env: rulesProcessEnv(), timeoutMs: 150_000 });
  }

  async function query(sql: string, binds: unknown[] = []): Promise<Record<string, unknown>[]> {
    const result = await reader!.execute(sql, binds, { outFormat: oracledb.OUT_FORMAT_OBJECT });
    return (result.rows ?? []) as Record<string, unknown>[];
  }

  it('full: loads into the conformed schema; the consistency check compares every row exactly (counts, µs, BOOLEAN)', async () => {
    const opened = backend.connections.length;
    const result = await pipeline(['full', '--company', COMPANY, '--facility', FACILITY, '--json']);
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const run = JSON.parse(result.stdout) as PipelineJson;
    const consistency = run.data.consistency!;
    assert.equal(consistency.ok, true, JSON.stringify(consistency));
    for (const stream of consistency.streams) {
      assert.equal(stream.table, `WMS_${stream.stream.toUpperCase()}`);
      assert.ok(stream.sourceCount! > 0 && stream.sourceCount === stream.targetCount, JSON.stringify(stream));
      assert.equal(stream.sampled, stream.sourceCount, `${stream.stream}: every row compared`);
      assert.deepEqual(stream.fieldMismatches, {});
    }
    // The tables are where the target put them: schema and names conformed (WMS_STAGE.WMS_*), not "wms-stage".
    const tables = await query("SELECT table_name FROM all_tables WHERE owner = 'WMS_STAGE' ORDER BY table_name");
    assert.deepEqual(
      tables.map((t) => t.TABLE_NAME).filter((name) => !String(name).endsWith('$STG')), // staging tables aside
      // SDC_RUN_LOCKS: the target's run lock (one row per job key), in the target schema too.
      ['SDC_RUN_LOCKS', 'WMS_ALLOCATION', 'WMS_ORDER_DTL', 'WMS_ORDER_HDR'],
    );
    // What was compared is what this test is about: BOOLEAN and microsecond TIMESTAMP WITH TIME ZONE columns.
    const types = await query(
      "SELECT table_name, column_name, data_type FROM all_tab_columns WHERE owner = 'WMS_STAGE' ORDER BY table_name, column_id",
    );
    const typeOf = (table: string, column: string) =>
      types.find((t) => t.TABLE_NAME === table && t.COLUMN_NAME === column)?.DATA_TYPE;
    assert.equal(typeOf('WMS_ORDER_HDR', 'STOP_SHIP_FLG'), 'BOOLEAN');
    assert.equal(typeOf('WMS_ALLOCATION', 'IS_PICKING_FLG'), 'BOOLEAN');
    assert.match(String(typeOf('WMS_ORDER_HDR', 'MOD_TS')), /^TIMESTAMP\(6\) WITH TIME ZONE$/);
    const micros = await query(
      `SELECT COUNT(*) AS n FROM "WMS_STAGE"."WMS_ORDER_HDR" WHERE TO_CHAR("MOD_TS", 'FF6') <> '000000'`,
    );
    assert.ok(Number(micros[0].N) > 0, 'timestamps with microseconds were compared');
    // Every connection (the target's, the consistency check's) used the SID, TCPS and the wallet.
    const connections = backend.connections.slice(opened);
    assert.ok(connections.length >= 2, `target and consistency check connected (${connections.length})`);
    for (const c of connections) {
      assert.equal(c.protocol, 'tcps', c.connectString);
      assert.equal(c.walletLocation, path.join(dir, 'wallet'));
      assert.match(c.connectString, /\(CONNECT_DATA=\(SID=FREE\)\)/);
    }
  });

  it('a column the target widened to CLOB compares as text (not a Lob object)', async () => {
    // What the target does when a value outgrows its VARCHAR2 (oracle-rebuild.ts): add a CLOB twin, copy, swap.
    const table = '"WMS_STAGE"."WMS_ORDER_HDR"';
    await query(`ALTER TABLE ${table} ADD ("CUST_NAME__NEW" CLOB)`);
    await query(`UPDATE ${table} SET "CUST_NAME__NEW" = TO_CLOB("CUST_NAME")`);
    await query('COMMIT');
    await query(`ALTER TABLE ${table} DROP COLUMN "CUST_NAME"`);
    await query(`ALTER TABLE ${table} RENAME COLUMN "CUST_NAME__NEW" TO "CUST_NAME"`);
    const [type] = await query(
      "SELECT data_type FROM all_tab_columns WHERE owner = 'WMS_STAGE' AND table_name = 'WMS_ORDER_HDR' AND column_name = 'CUST_NAME'",
    );
    assert.equal(type.DATA_TYPE, 'CLOB');
    // An incremental run with nothing new in WMS: the check compares every row again, CUST_NAME now a CLOB.
    const result = await pipeline(['incremental', '--company', COMPANY, '--facility', FACILITY, '--json']);
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    const run = JSON.parse(result.stdout) as PipelineJson;
    const orderHdr = run.data.consistency!.streams.find((s) => s.stream === 'order_hdr')!;
    assert.equal(orderHdr.sampled, orderHdr.sourceCount);
    assert.deepEqual(orderHdr.fieldMismatches, {}, 'CUST_NAME read as the text it holds');
    assert.equal(run.data.consistency!.ok, true, JSON.stringify(run.data.consistency));
  });

  it('a target row one microsecond, one CLOB character or one boolean off is a field mismatch, named by column', async () => {
    const rows = await query(
      `SELECT TO_CHAR("ID", 'TM9') AS id, TO_CHAR("MOD_TS", '${TZ_FORMAT}') AS mod_ts, "STOP_SHIP_FLG" AS flag ` +
        'FROM "WMS_STAGE"."WMS_ORDER_HDR" ORDER BY "ID"',
    );
    const row = rows.find((r) => r.FLAG === false)!;
    const id = String(row.ID);
    const modTs = String(row.MOD_TS);
    const fraction = /\.(\d{6})/.exec(modTs)![1];
    // One microsecond later, within the same millisecond (a JS Date would not see the difference).
    const micro = Number(fraction) + (Number(fraction) % 1000 === 999 ? -1 : 1);
    const shifted = modTs.replace(`.${fraction}`, `.${String(micro).padStart(6, '0')}`);
    await query(
      `UPDATE "WMS_STAGE"."WMS_ORDER_HDR" SET "MOD_TS" = TO_TIMESTAMP_TZ(:1, '${TZ_FORMAT}'), ` +
        `"STOP_SHIP_FLG" = TO_BOOLEAN(:2), "CUST_NAME" = TO_CLOB(:3) WHERE "ID" = TO_NUMBER(:4)`,
      [shifted, 'true', 'changed by the test', id],
    );
    await query('COMMIT');
    // An incremental run with nothing new in WMS: the check compares the sampled rows again.
    const result = await pipeline(['incremental', '--company', COMPANY, '--facility', FACILITY, '--json']);
    const run = JSON.parse(result.stdout) as PipelineJson;
    const orderHdr = run.data.consistency!.streams.find((s) => s.stream === 'order_hdr')!;
    assert.deepEqual(orderHdr.fieldMismatches, {
      mod_ts: 1,
      stop_ship_flg: 1,
      cust_name: 1,
    });
    assert.equal(run.data.consistency!.ok, false);
    assert.equal(orderHdr.error, undefined);
  });

  it('health: the database check connects like the target (SID, TCPS, wallet); a SID given as a service name fails', async () => {
    const opened = backend.connections.length;
    const ok = await pipeline(['health', '--json']);
    const report = JSON.parse(ok.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
    const database = report.checks.find((c) => c.name === 'database')!;
    assert.equal(database.ok, true, database.detail);
    const [connection] = backend.connections.slice(opened);
    assert.equal(connection.protocol, 'tcps');
    assert.equal(connection.walletLocation, path.join(dir, 'wallet'));
    assert.match(connection.connectString, /\(PROTOCOL=TCPS\).*\(CONNECT_DATA=\(SID=FREE\)\)/);

    // The service name FREEPDB1 is not a SID this listener knows: the check must say so, not connect somewhere else.
    const wrong = await pipeline(['health', '--json'], {
      target_config: { ...settings().target_config, sid: 'FREEPDB1' },
    });
    const failed = (JSON.parse(wrong.stdout) as typeof report).checks.find((c) => c.name === 'database')!;
    assert.equal(wrong.exitCode, 5, wrong.stdout);
    assert.equal(failed.ok, false);
    assert.match(failed.detail, /NJS-519: cannot connect to Oracle Database\. SID ".*" is not registered/);
    // And a service name is used as one.
    const service = await pipeline(['health', '--json'], {
      target_service_name: 'FREEPDB1',
      target_config: { ...settings().target_config, sid: undefined, protocol: 'tcp' },
    });
    const byService = (JSON.parse(service.stdout) as typeof report).checks.find((c) => c.name === 'database')!;
    assert.equal(byService.ok, true, byService.detail);
    assert.match(backend.connections.at(-1)!.connectString, /^[^(]+\/FREEPDB1$/);
  });
});
