import type { Session } from '../../session.js';

/** The postgres dialect's session: our narrow Session plus COPY FROM STDIN for bulk loads. */
export interface PostgresSession extends Session {
  /** Runs `COPY … FROM STDIN` fed by `chunks` (COPY text format); returns the rows copied. */
  copyIn(sql: string, chunks: Iterable<string>): Promise<number>;
}
