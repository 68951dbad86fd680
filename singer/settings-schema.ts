import type { JsonSchema } from './messages.js';

/** A plugin's settings: one JSON Schema drives validation, defaults, redaction, `--about` and meltano.yml. */
export interface SettingsSchema extends JsonSchema {
  type: 'object';
  properties: Record<string, SettingSchema>;
  required?: string[];
}

export interface SettingSchema extends JsonSchema {
  description?: string;
  default?: unknown;
  /** Redact everywhere (logs, errors, --about, reports). Mirrors the SDK's `secret=True`. */
  secret?: boolean;
  writeOnly?: boolean;
  /** Older names accepted for this setting (e.g. `username` for `user`). */
  aliases?: string[];
  enum?: unknown[];
}

export function primaryType(schema: JsonSchema): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  return types.find((type) => type !== 'null');
}

export function secretSettingNames(schema: SettingsSchema): string[] {
  return Object.entries(schema.properties)
    .filter(([, setting]) => setting.secret === true || setting.writeOnly === true)
    .map(([name]) => name);
}

/** `tap-oracle-wms` → `TAP_ORACLE_WMS` (Meltano's `to_env_var`). */
export function envPrefix(pluginName: string): string {
  return pluginName.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

export function settingEnvVar(pluginName: string, setting: string): string {
  return `${envPrefix(pluginName)}_${setting.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}`;
}
