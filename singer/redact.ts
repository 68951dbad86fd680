import { secretSettingNames, type SettingsSchema } from './settings-schema.js';

export const REDACTED = '********';

/** A copy of the config with every secret setting replaced by a mask. */
export function redactConfig(
  config: Readonly<Record<string, unknown>>,
  schema: SettingsSchema,
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const name of secretSettingNames(schema)) {
    if (copy[name] !== undefined && copy[name] !== null && copy[name] !== '') copy[name] = REDACTED;
  }
  return copy;
}

/** The secret values of a config, for scrubbing free text (log lines, error messages, URLs). */
export function secretValues(config: Readonly<Record<string, unknown>>, schema: SettingsSchema): string[] {
  return secretSettingNames(schema)
    .map((name) => config[name])
    .filter((value): value is string => typeof value === 'string' && value.length > 0);
}

/**
 * Replaces every occurrence of a secret in text: raw, URL-encoded, and JSON-escaped (log lines with `extra` and
 * structured logs are JSON, where a secret holding `"` or `\` appears escaped).
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      result = result.split(form).join(REDACTED);
    }
  }
  return result;
}
