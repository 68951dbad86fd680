import { DatabaseError, SingerError } from '../singer/index.js';

/** Words after which a quoted name is an identifier (a table, a column, a type), not a value from a record. */
const IDENTIFIER_BEFORE =
  /(?:^ORA-\d+:\s*|\b(?:relation|column|table|constraint|index|schema|type|function|sequence|database|role|user|view|trigger|encoding|extension|domain|tablespace|operator|collation)\s+|\.)$/i;

/**
 * A driver message with every value masked: values appear quoted (PostgreSQL `value "9223372036854775808" is out of
 * range for type bigint`, `invalid input syntax for type integer: "x"`; Oracle 23ai `… string value containing 'x'
 * …`, `row with column values (ID:2)`), while names follow a word like `column` or `relation`. A value may hold the
 * quote character itself, so it runs to the last quote of the line.
 */
export function maskValues(message: string): string {
  let result = message.replace(/\bcolumn values \([^)]*\)/gi, 'column values (…)');
  for (const quote of ['"', "'"]) {
    let out = '';
    let rest = result;
    for (;;) {
      const open = rest.indexOf(quote);
      if (open === -1) break;
      const close = rest.indexOf(quote, open + 1);
      if (close === -1) break;
      if (IDENTIFIER_BEFORE.test(rest.slice(0, open))) {
        out += rest.slice(0, close + 1);
        rest = rest.slice(close + 1);
        continue;
      }
      const last = rest.lastIndexOf(quote);
      out += `${rest.slice(0, open)}${quote}…${quote}`;
      rest = rest.slice(last + 1);
    }
    result = out + rest;
  }
  return result;
}

/**
 * Driver error text without values: code and the first message line with quoted values masked; PostgreSQL `detail`
 * and `where` (which quote rows) are never read.
 */
export function describeDbError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const message = maskValues((e.message ?? String(error)).split('\n')[0]);
  return e.code && !message.includes(e.code) ? `${e.code} ${message}` : message;
}

/**
 * Driver codes of refused credentials (PostgreSQL 28P01/28000, Oracle ORA-01017 wrong user or password, ORA-28000
 * locked account): the one database failure a retry cannot fix, so it is reported as not retriable.
 */
const REFUSED_CREDENTIALS = new Set(['28P01', '28000', 'ORA-01017', 'ORA-28000']);

export function credentialsRefused(error: unknown): boolean {
  return REFUSED_CREDENTIALS.has(String((error as { code?: unknown } | undefined)?.code));
}

/**
 * Runs one database step; a driver failure becomes a DatabaseError naming the step (e.g. the chunk). The batch is
 * rolled back and a rerun resumes from the last emitted state, so it is retriable unless the credentials were refused.
 */
export async function dbStep<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SingerError) throw error;
    throw new DatabaseError(`${step}: ${describeDbError(error)}`, {
      code: (error as { code?: string }).code,
      cause: error,
      retriable: !credentialsRefused(error),
    });
  }
}
