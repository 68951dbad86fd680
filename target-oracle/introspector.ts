import type { TargetConfig } from './settings.js';

/**
 * What is read back from a target database after a run (the orchestrator's health and consistency checks), through
 * the dialect that wrote it: the same connection settings, the same conformed names. Rows come with lower-case
 * column names and exact values: numbers and timestamps as text (never through a JS double or Date), CLOBs as text.
 */
export interface Introspector {
  /** The database it reads, for messages: `postgres at host:5432/db`, `oracle at host:1521` or the connect_string. */
  readonly location: string;
  /** One round trip: the database answers. */
  ping(): Promise<void>;
  /** The table a stream loads into (named as the target names it), or undefined when it does not exist. */
  tableName(stream: string): Promise<string | undefined>;
  /** Live rows: rows soft-deleted by a full sync (`_sdc_deleted_at` set) are not counted. */
  count(table: string): Promise<number>;
  /** Live rows whose `id` is one of `ids` (compared as text). */
  rowsByIds(table: string, ids: readonly string[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export type IntrospectorConfig = Pick<
  TargetConfig,
  'dialect' | 'host' | 'port' | 'database' | 'connectString' | 'schema' | 'tablePrefix'
>;

export function databaseLocation(config: IntrospectorConfig): string {
  const database = config.database ? `/${config.database}` : '';
  return `${config.dialect} at ${config.connectString ?? `${config.host}:${config.port}`}${database}`;
}
