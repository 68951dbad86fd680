/**
 * Skips the calling test (or the whole `describe`, from a `before` hook) when environment variables set by
 * scripts/test.sh are missing, e.g. under a bare `npx mocha`. Under CI it fails instead: there a missing server
 * is a broken setup, not a reason to skip.
 */
export function requireEnvOrSkip(ctx: Mocha.Context, names: readonly string[], howToSet: string): void {
  const reason = missingReason(names, howToSet);
  if (reason === undefined) return;
  if (process.env.CI) throw new Error(`${reason} (CI does not skip)`);
  skipWith(ctx, reason);
}

function missingReason(names: readonly string[], howToSet: string): string | undefined {
  const missing = names.filter((name) => !process.env[name]);
  return missing.length === 0 ? undefined : `${missing.join(', ')} not set: ${howToSet}`;
}

function skipWith(ctx: Mocha.Context, reason: string): void {
  console.warn(`      skipped: ${reason}`);
  ctx.skip();
}
