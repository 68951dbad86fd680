/** A bind value: text (exact), NULL, or a text array (`$n::text[]`). */
export type BindValue = string | number | null | (string | null)[];

export interface ExecuteResult {
  /** Rows keyed by column name; int8, numeric, timestamps, dates and times as the server's text. */
  rows?: Record<string, unknown>[];
  rowsAffected?: number;
}

/**
 * The slice of a `pg` client the postgres dialect and introspector use, inside one transaction held open between
 * commits: postgres-driver.ts implements it, tests may substitute their own.
 */
export interface PostgresSession {
  execute(sql: string, binds?: BindValue[]): Promise<ExecuteResult>;
  /** Runs `COPY … FROM STDIN` fed by `chunks` (COPY text format); returns the rows copied. */
  copyIn(sql: string, chunks: Iterable<Buffer | string>): Promise<number>;
  /** Commits and opens the next transaction. */
  commit(): Promise<void>;
  /** Rolls back and opens the next transaction. */
  rollback(): Promise<void>;
  close(): Promise<void>;
}
