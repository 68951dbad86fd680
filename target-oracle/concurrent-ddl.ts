/**
 * Parallel jobs into one database (Meltano jobs, range workers) create the same schema or table at the same moment.
 * The loser's CREATE (or ADD COLUMN, ADD PRIMARY KEY) fails with the dialect's "already exists" error although the
 * object it wanted now exists: that is success. The dialect undoes what it started (PostgreSQL rolls back to a
 * savepoint; Oracle DDL has nothing to undo) and the whole step runs again from its introspection, so it re-reads the
 * table the winner made and only changes what still differs.
 */

/** Enough for every writer to see the others' committed DDL: each retry follows someone else's progress. */
export const CREATE_RACE_ATTEMPTS = 5;

export interface CreateRace {
  /** True for the dialect's "already exists" codes (e.g. ORA-00955, PostgreSQL 42P07). */
  lost(error: unknown): boolean;
  /** Before an attempt (e.g. a savepoint). */
  begin(): Promise<void>;
  /** After a successful attempt. */
  end(): Promise<void>;
  /** After a lost race, before the next attempt. */
  undo(): Promise<void>;
}

export async function retryLostCreateRace<T>(race: CreateRace, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n += 1) {
    await race.begin();
    try {
      const result = await attempt();
      await race.end();
      return result;
    } catch (error) {
      if (n >= CREATE_RACE_ATTEMPTS || !race.lost(error)) throw error;
      await race.undo();
    }
  }
}

/** The driver code a failure carries (DatabaseError keeps it from the driver error). */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
