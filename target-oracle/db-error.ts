import { DatabaseError, SingerError } from '../singer/index.js';

/** Driver error text without values: code and first message line; PostgreSQL `detail` (which quotes rows) is dropped. */
export function describeDbError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const message = (e.message ?? String(error)).split('\n')[0].replace(/(: )"[^"]*"$/, '$1"…"');
  return e.code && !message.includes(e.code) ? `${e.code} ${message}` : message;
}

/** Runs one database step; a driver failure becomes a DatabaseError naming the step (e.g. the chunk). */
export async function dbStep<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SingerError) throw error;
    throw new DatabaseError(`${step}: ${describeDbError(error)}`, {
      code: (error as { code?: string }).code,
      cause: error,
    });
  }
}
