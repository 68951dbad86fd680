import { ExitCode } from '../singer/index.js';

export function exitCodeName(code: number): string {
  return ExitCode[code]?.toLowerCase() ?? 'unknown';
}

/** Failures a retry cannot fix even though the component classed them Source/Database: refused credentials. */
const PERMANENT =
  /\b(401|403)\b|authentication failed|permission denied|password authentication|ORA-01017|ORA-28000|invalid username/i;

/**
 * Retriable: the source (4) or the database (5) failed in a way that may pass (unavailable, connection lost), never
 * a config (2), protocol (3) or internal (1) failure, and never refused credentials.
 */
export function isRetriable(code: number, message: string): boolean {
  return (code === Number(ExitCode.Source) || code === Number(ExitCode.Database)) && !PERMANENT.test(message);
}
