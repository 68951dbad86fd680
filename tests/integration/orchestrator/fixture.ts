import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../../wms-simulator/index.js';
import {
  createTestSchema,
  requireOwnDatabase,
  withClient,
  type PgConfig,
  type TestSchema,
} from '../../helpers/postgres.js';

export const STREAMS = ['order_hdr', 'order_dtl', 'allocation'] as const;
export const COMPANY = 'ACME';
export const FACILITY = 'DC01';

/** A real simulator on 127.0.0.1, a fresh PostgreSQL database with a schema, and private state/report dirs. */
export interface PipelineFixture {
  sim: RunningSimulator;
  pg: PgConfig;
  schema: TestSchema;
  dir: string;
  settings(extra?: Record<string, unknown>): Record<string, unknown>;
  /** The WMS row count of an entity for ACME/DC01 (paged result_count), asked over HTTP. */
  wmsCount(entity: string): Promise<number>;
  tableCount(table: string): Promise<number>;
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const SCOPE: Record<string, string> = {
  order_hdr: 'company_id__code=ACME&facility_id__code=DC01',
  order_dtl: 'order_id__company_id__code=ACME&order_id__facility_id__code=DC01',
  allocation: 'order_dtl_id__order_id__company_id__code=ACME&order_dtl_id__order_id__facility_id__code=DC01',
};

export async function startPipelineFixture(
  ctx: Mocha.Context,
  prefix: string,
  simOptions: SimulatorOptions = {},
): Promise<PipelineFixture> {
  // Every file runs ACME/DC01 jobs, and the target's run lock (wms-pipeline:<job>:ACME:DC01) is per database.
  const database = await requireOwnDatabase(ctx, `${prefix}_db`);
  const pg = database.config;
  const sim = await startSimulator({ port: 0, ...simOptions });
  const schema = await createTestSchema(prefix, pg);
  const dir = await mkdtemp(path.join(tmpdir(), `${prefix}-`));
  const auth = `Basic ${Buffer.from('demo:demo').toString('base64')}`;
  return {
    sim,
    pg,
    schema,
    dir,
    settings: (extra = {}) => ({
      wms_base_url: sim.baseUrl,
      wms_username: 'demo',
      wms_password: 'demo',
      entities: [...STREAMS],
      target_dialect: 'postgres',
      target_host: pg.host,
      target_port: pg.port,
      target_user: pg.user,
      target_password: pg.password,
      target_database: pg.database,
      target_schema: schema.schema,
      state_dir: path.join(dir, 'state'),
      report_dir: path.join(dir, 'reports'),
      max_retries: 0,
      retry_initial_delay_seconds: 0.05,
      monitor_interval_seconds: 0.1,
      alert_retry_delay_seconds: 0.01,
      ...extra,
    }),
    async wmsCount(entity) {
      const response = await fetch(
        `${sim.baseUrl}/wms/lgfapi/v10/entity/${entity}/?page_mode=paged&page_size=1&${SCOPE[entity]}`,
        { headers: { authorization: auth } },
      );
      return ((await response.json()) as { result_count: number }).result_count;
    },
    tableCount: (table) =>
      withClient(
        async (c) =>
          Number(
            (
              await c.query(
                `SELECT count(*) AS n FROM ${c.escapeIdentifier(schema.schema)}.${c.escapeIdentifier(table)}`,
              )
            ).rows[0].n,
          ),
        pg,
      ),
    query: (sql, params = []) => withClient(async (c) => (await c.query(sql, params)).rows, pg),
    async close() {
      await sim.close();
      await schema.drop();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
