import { databaseLocation, type Introspector, type IntrospectorConfig } from '../../introspector.js';
import { conformIdentifier, type NamingRules } from '../../names.js';
import { tableOf } from '../../table-spec.js';
import type { OracleSession } from './oracle-session.js';
import { COLUMNS_SQL, DATE_FORMAT, quote, tableName, TIMESTAMP_TZ_FORMAT } from './oracle-sql.js';

/** Oracle allows at most 1000 expressions in an IN list. */
const IDS_PER_QUERY = 1000;

/** A column read as exact text: numbers in full (TM9), timestamps with microseconds and offset, dates as the day. */
export function exactColumn(name: string, dataType: string): string {
  const column = quote(name);
  if (dataType === 'NUMBER' || dataType === 'FLOAT') return `TO_CHAR(${column}, 'TM9') AS ${column}`;
  if (/^TIMESTAMP\(\d\) WITH (LOCAL )?TIME ZONE$/.test(dataType))
    return `TO_CHAR(${column}, '${TIMESTAMP_TZ_FORMAT}') AS ${column}`;
  if (/^TIMESTAMP\(\d\)$/.test(dataType)) return `TO_CHAR(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.FF6') AS ${column}`;
  if (dataType === 'DATE') return `TO_CHAR(${column}, '${DATE_FORMAT}') AS ${column}`;
  return column;
}

/** Oracle's introspector: dictionary views and exact-text reads over one OracleSession. */
export class OracleIntrospector implements Introspector {
  readonly #session: OracleSession;
  readonly location: string;
  readonly #config: IntrospectorConfig;
  readonly #naming: NamingRules;
  /** The conformed schema, or undefined for the session's current one. */
  readonly #schema: string | undefined;

  constructor(session: OracleSession, config: IntrospectorConfig, naming: NamingRules) {
    this.#session = session;
    this.#config = config;
    this.location = databaseLocation(config);
    this.#naming = naming;
    this.#schema = tableOf('', config, naming).schema;
  }

  async ping(): Promise<void> {
    await this.#session.execute('SELECT 1 FROM DUAL');
  }

  async tableName(stream: string): Promise<string | undefined> {
    const { name } = tableOf(stream, this.#config, this.#naming);
    return (await this.#columns(name)).length > 0 ? name : undefined;
  }

  async count(table: string): Promise<number> {
    const live = this.#liveCondition(await this.#columns(table));
    const result = await this.#session.execute(`SELECT TO_CHAR(COUNT(*)) AS N FROM ${this.#qualified(table)}${live}`);
    return Number(result.rows?.[0]?.N ?? 0);
  }

  async rowsByIds(table: string, ids: readonly string[]): Promise<Record<string, unknown>[]> {
    const columns = await this.#columns(table);
    const select = columns.map((c) => exactColumn(String(c.COLUMN_NAME), String(c.DATA_TYPE))).join(', ');
    const id = quote(conformIdentifier('id', this.#naming));
    const live = this.#liveCondition(columns);
    const rows: Record<string, unknown>[] = [];
    for (let start = 0; start < ids.length; start += IDS_PER_QUERY) {
      const group = ids.slice(start, start + IDS_PER_QUERY);
      const list = group.map((_, i) => `:${i + 1}`).join(', ');
      const where = `${live ? `${live} AND` : ' WHERE'} TO_CHAR(${id}) IN (${list})`;
      const result = await this.#session.execute(`SELECT ${select} FROM ${this.#qualified(table)}${where}`, group);
      for (const row of result.rows ?? [])
        rows.push(Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v])));
    }
    return rows;
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

  /** ` WHERE "_SDC_DELETED_AT" IS NULL` when the table has the column (only tables with `_sdc_*` columns do). */
  #liveCondition(columns: Record<string, unknown>[]): string {
    const deletedAt = conformIdentifier('_sdc_deleted_at', this.#naming);
    return columns.some((c) => c.COLUMN_NAME === deletedAt) ? ` WHERE ${quote(deletedAt)} IS NULL` : '';
  }
}
