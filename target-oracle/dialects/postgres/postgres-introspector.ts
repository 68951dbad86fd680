import { databaseLocation, type Introspector, type IntrospectorConfig } from '../../introspector.js';
import { conformIdentifier } from '../../names.js';
import { tableOf } from '../../table-spec.js';
import { POSTGRES_NAMING } from './postgres-dialect.js';
import type { PostgresSession } from './postgres-session.js';
import { COLUMNS_SQL, quote, tableName } from './postgres-sql.js';

/** PostgreSQL's introspector: information_schema and plain reads over one PostgresSession (exact text values). */
export class PostgresIntrospector implements Introspector {
  readonly #session: PostgresSession;
  readonly location: string;
  readonly #config: IntrospectorConfig;
  /** The conformed schema, or undefined for the session's current one. */
  readonly #schema: string | undefined;

  constructor(session: PostgresSession, config: IntrospectorConfig) {
    this.#session = session;
    this.#config = config;
    this.location = databaseLocation(config);
    this.#schema = tableOf('', config, POSTGRES_NAMING).schema;
  }

  async ping(): Promise<void> {
    await this.#session.execute('SELECT 1');
  }

  async tableName(stream: string): Promise<string | undefined> {
    const { name } = tableOf(stream, this.#config, POSTGRES_NAMING);
    return (await this.#columns(name)).length > 0 ? name : undefined;
  }

  async count(table: string): Promise<number> {
    const live = this.#liveCondition(await this.#columns(table));
    const result = await this.#session.execute(`SELECT count(*) AS n FROM ${this.#qualified(table)}${live}`);
    return Number(result.rows?.[0]?.n ?? 0);
  }

  async rowsByIds(table: string, ids: readonly string[]): Promise<Record<string, unknown>[]> {
    if (ids.length === 0) return [];
    const live = this.#liveCondition(await this.#columns(table));
    const id = quote(conformIdentifier('id', POSTGRES_NAMING));
    const where = `${live ? `${live} AND` : ' WHERE'} ${id}::text = ANY($1::text[])`;
    const result = await this.#session.execute(`SELECT * FROM ${this.#qualified(table)}${where}`, [[...ids]]);
    return (result.rows ?? []).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])),
    );
  }

  async close(): Promise<void> {
    // A connection already gone is closed enough.
    await this.#session.close().catch(() => undefined);
  }

  #qualified(table: string): string {
    return tableName({ schema: this.#schema, name: table });
  }

  async #columns(table: string): Promise<Record<string, unknown>[]> {
    return (await this.#session.execute(COLUMNS_SQL, [this.#schema ?? null, table])).rows ?? [];
  }

  /** ` WHERE "_sdc_deleted_at" IS NULL` when the table has the column (only tables with `_sdc_*` columns do). */
  #liveCondition(columns: Record<string, unknown>[]): string {
    const deletedAt = conformIdentifier('_sdc_deleted_at', POSTGRES_NAMING);
    return columns.some((c) => c.column_name === deletedAt) ? ` WHERE ${quote(deletedAt)} IS NULL` : '';
  }
}
