import type {
  BindValue,
  ExecuteManyOptions,
  ExecuteManyResult,
  ExecuteResult,
  OracleSession,
} from '../../target-oracle/dialects/oracle/oracle-session.js';

export type SessionEvent =
  | { kind: 'execute'; sql: string; binds: BindValue[] }
  | { kind: 'executeMany'; sql: string; rows: BindValue[][]; options: ExecuteManyOptions }
  | { kind: 'commit' }
  | { kind: 'rollback' }
  | { kind: 'close' }
  | { kind: 'state'; value: unknown };

/**
 * An OracleSession that records every call in one ordered log (shared with a state sink, so tests can check that a STATE
 * comes after its COMMIT). Queries answer from `answer`; `failOn` makes a matching call throw like a driver error;
 * `hold` makes a call wait (a slow database) until the promise it returns settles, then the call completes or fails.
 * Not a database: tests using it are labelled "recording session".
 */
export class RecordingSession implements OracleSession {
  readonly events: SessionEvent[] = [];
  answer: (sql: string, binds: BindValue[]) => Record<string, unknown>[] = () => [];
  failOn: ((event: SessionEvent) => boolean) | undefined;
  hold: ((event: SessionEvent) => Promise<void> | undefined) | undefined;

  async #check(event: SessionEvent): Promise<void> {
    this.events.push(event);
    const held = this.hold?.(event);
    if (held) await held;
    if (this.failOn?.(event))
      throw Object.assign(new Error('ORA-00001: unique constraint (X.PK) violated'), { code: 'ORA-00001' });
  }

  async execute(sql: string, binds: BindValue[] = []): Promise<ExecuteResult> {
    await this.#check({ kind: 'execute', sql, binds });
    // Like a database with MAX_STRING_SIZE = STANDARD (the default): no VARCHAR2 over 4000 bytes, even in a CAST.
    if (/VARCHAR2\(32767\)/.test(sql))
      throw Object.assign(new Error('ORA-00910: specified length too long for its datatype'), { code: 'ORA-00910' });
    return { rows: this.answer(sql, binds), rowsAffected: 0 };
  }

  async executeMany(sql: string, rows: BindValue[][], options: ExecuteManyOptions = {}): Promise<ExecuteManyResult> {
    await this.#check({ kind: 'executeMany', sql, rows, options });
    return { rowsAffected: rows.length, dmlRowCounts: options.dmlRowCounts ? rows.map(() => 1) : undefined };
  }

  async commit(): Promise<void> {
    await this.#check({ kind: 'commit' });
  }

  async rollback(): Promise<void> {
    await this.#check({ kind: 'rollback' });
  }

  async close(): Promise<void> {
    this.events.push({ kind: 'close' });
  }

  /** A state sink writing into the same log. */
  readonly states = {
    writeValue: async (value: unknown): Promise<void> => {
      this.events.push({ kind: 'state', value });
    },
  };

  kinds(): string[] {
    return this.events.map((e) =>
      e.kind === 'execute' || e.kind === 'executeMany' ? `${e.kind}:${e.sql.split(' ').slice(0, 2).join(' ')}` : e.kind,
    );
  }
}
