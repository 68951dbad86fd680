import { conformIdentifier } from '../../target-oracle/names.js';
import type { TargetDb, TargetDbConfig } from './target-db.js';

/** The part of node-oracledb used here (the package ships no type declarations). */
interface OracleConnection {
  execute(
    sql: string,
    binds?: Record<string, unknown>,
    options?: Record<string, unknown>,
  ): Promise<{ rows?: unknown[] }>;
  close(): Promise<void>;
}
interface OracleDriver {
  getConnection(options: Record<string, unknown>): Promise<OracleConnection>;
  OUT_FORMAT_OBJECT: number;
  STRING: unknown;
  DB_TYPE_CLOB: unknown;
}

// A variable specifier keeps tsc from looking for declarations the package does not have.
const DRIVER = 'oracledb';

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** node-oracledb Thin. Numbers and timestamps are fetched as strings so nothing goes through a double or a Date. */
export class OracleTargetDb implements TargetDb {
  private constructor(
    private readonly driver: OracleDriver,
    private readonly connection: OracleConnection,
    private readonly schema: string,
    private readonly prefix: string,
    private readonly maxBytes: number,
  ) {}

  static async open(config: TargetDbConfig): Promise<OracleTargetDb> {
    const driver = ((await import(DRIVER)) as { default: OracleDriver }).default;
    const connectString =
      config.connect_string ?? `${config.host}:${config.port ?? 1521}/${config.service_name ?? config.sid ?? ''}`;
    const connection = await driver.getConnection({
      user: config.user,
      password: config.password,
      connectString,
      connectTimeout: config.connect_timeout_seconds ?? 20,
    });
    const schema = (config.default_target_schema ?? config.user ?? '').toUpperCase();
    return new OracleTargetDb(
      driver,
      connection,
      schema,
      config.table_prefix ?? '',
      config.oracle_max_identifier_bytes ?? 128,
    );
  }

  async ping(): Promise<void> {
    await this.connection.execute('SELECT 1 FROM DUAL');
  }

  async tableName(stream: string): Promise<string | undefined> {
    const name = conformIdentifier(`${this.prefix}${stream}`, { case: 'upper', maxBytes: this.maxBytes });
    const found = await this.connection.execute('SELECT 1 FROM all_tables WHERE owner = :o AND table_name = :t', {
      o: this.schema,
      t: name,
    });
    return (found.rows?.length ?? 0) > 0 ? name : undefined;
  }

  async count(table: string): Promise<number> {
    const result = await this.connection.execute(
      `SELECT TO_CHAR(COUNT(*)) FROM ${quote(this.schema)}.${quote(table)} WHERE ${await this.#live(table)}`,
    );
    return Number((result.rows?.[0] as string[] | undefined)?.[0] ?? 0);
  }

  async rowsByIds(table: string, ids: readonly string[]): Promise<Record<string, unknown>[]> {
    if (ids.length === 0) return [];
    const binds = Object.fromEntries(ids.map((id, i) => [`i${i}`, id]));
    const list = ids.map((_, i) => `:i${i}`).join(', ');
    const result = await this.connection.execute(
      `SELECT * FROM ${quote(this.schema)}.${quote(table)} WHERE TO_CHAR("ID") IN (${list}) AND ${await this.#live(table)}`,
      binds,
      {
        outFormat: this.driver.OUT_FORMAT_OBJECT,
        fetchTypeHandler: (meta: { dbType: unknown }) =>
          meta.dbType === this.driver.DB_TYPE_CLOB ? undefined : { type: this.driver.STRING },
      },
    );
    return ((result.rows ?? []) as Record<string, unknown>[]).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])),
    );
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  /** The condition for rows not soft-deleted by a full sync (only tables with the `_sdc_*` columns have any). */
  async #live(table: string): Promise<string> {
    const deletedAt = conformIdentifier('_sdc_deleted_at', { case: 'upper', maxBytes: this.maxBytes });
    const found = await this.connection.execute(
      'SELECT 1 FROM all_tab_columns WHERE owner = :o AND table_name = :t AND column_name = :c',
      { o: this.schema, t: table, c: deletedAt },
    );
    return (found.rows?.length ?? 0) > 0 ? `${quote(deletedAt)} IS NULL` : '1 = 1';
  }
}
