import pg from 'pg';
import { conformIdentifier } from '../../target-oracle/names.js';
import type { TargetDb, TargetDbConfig } from './target-db.js';

// Text for every type a JS number or Date would change: int8, numeric, timestamp(tz), date, time.
const TEXT_TYPES = new Set([20, 1700, 1114, 1184, 1082, 1083, 1266]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_TYPES.has(oid)
      ? (value: string) => value
      : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

/** The soft-delete column as the target names it (lower case, like every column). */
const DELETED_AT = conformIdentifier('_sdc_deleted_at', { case: 'lower', maxBytes: 63 });

export class PostgresTargetDb implements TargetDb {
  private constructor(
    private readonly client: pg.Client,
    private readonly schema: string,
    private readonly prefix: string,
  ) {}

  static async open(config: TargetDbConfig): Promise<PostgresTargetDb> {
    const client = new pg.Client({
      host: config.host,
      port: config.port ?? 5432,
      user: config.user,
      password: config.password,
      database: config.database,
      connectionTimeoutMillis: (config.connect_timeout_seconds ?? 20) * 1000,
      types,
    });
    client.on('error', () => undefined); // a dropped connection surfaces on the next query
    await client.connect();
    const schema =
      config.default_target_schema ?? (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0].s;
    return new PostgresTargetDb(client, schema, config.table_prefix ?? '');
  }

  async ping(): Promise<void> {
    await this.client.query('SELECT 1');
  }

  async tableName(stream: string): Promise<string | undefined> {
    const name = conformIdentifier(`${this.prefix}${stream}`, { case: 'lower', maxBytes: 63 });
    const found = await this.client.query(
      'SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2',
      [this.schema, name],
    );
    return found.rowCount ? name : undefined;
  }

  async count(table: string): Promise<number> {
    const result = await this.client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.#qualified(table)} WHERE ${await this.#live(table)}`,
    );
    return Number(result.rows[0].n);
  }

  async rowsByIds(table: string, ids: readonly string[]): Promise<Record<string, unknown>[]> {
    if (ids.length === 0) return [];
    const result = await this.client.query(
      `SELECT * FROM ${this.#qualified(table)} WHERE id::text = ANY($1::text[]) AND ${await this.#live(table)}`,
      [ids],
    );
    return result.rows.map((row: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])),
    );
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  /** The condition for rows not soft-deleted by a full sync (only tables with the `_sdc_*` columns have any). */
  async #live(table: string): Promise<string> {
    const found = await this.client.query(
      'SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3',
      [this.schema, table, DELETED_AT],
    );
    return found.rowCount ? `${this.client.escapeIdentifier(DELETED_AT)} IS NULL` : 'TRUE';
  }

  #qualified(table: string): string {
    return `${this.client.escapeIdentifier(this.schema)}.${this.client.escapeIdentifier(table)}`;
  }
}
