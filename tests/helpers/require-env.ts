/**
 * Skips the calling test (or the whole `describe`, from a `before` hook) when environment variables set by
 * scripts/test.sh are missing, e.g. under a bare `npx mocha`. Under CI it fails instead: there a missing server
 * is a broken setup, not a reason to skip.
 */
export function requireEnvOrSkip(ctx: Mocha.Context, names: readonly string[], howToSet: string): void {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length === 0) return;
  const reason = `${missing.join(', ')} not set: ${howToSet}`;
  if (process.env.CI) throw new Error(`${reason} (CI does not skip)`);
  console.warn(`      skipped: ${reason}`);
  ctx.skip();
}
