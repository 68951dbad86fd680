import { primaryType, type SettingSchema, type SettingsSchema } from '../singer/index.js';
import type { YamlValue } from './yaml-text.js';

/** One entry of a plugin's `settings:` list in meltano.yml (`$defs.base_setting` of Meltano's schema). */
export interface MeltanoSetting {
  [key: string]: YamlValue | undefined;
  name: string;
  label: string;
  kind: string;
  value?: YamlValue;
  sensitive?: boolean;
  description: string;
  aliases?: string[];
  options?: { label: string; value: string | number }[];
}

const ACRONYMS: Record<string, string> = {
  api: 'API',
  ca: 'CA',
  id: 'ID',
  oauth: 'OAuth',
  sid: 'SID',
  tls: 'TLS',
  url: 'URL',
  wms: 'WMS',
  json: 'JSON',
  mb: 'MB',
  sdc: 'SDC',
};

/** `oauth_client_id` → `OAuth Client ID`. */
export function settingLabel(name: string): string {
  return name
    .split('_')
    .filter((word) => word !== '')
    .map((word) => ACRONYMS[word] ?? word[0].toUpperCase() + word.slice(1))
    .join(' ');
}

/**
 * Meltano's `kind` for a JSON Schema setting. Meltano casts env values by kind (integer, decimal, boolean, array,
 * object), so non-string enums keep their base kind and only string enums become `options`.
 */
export function settingKind(schema: SettingSchema): string {
  const type = primaryType(schema);
  if (schema.enum && type === 'string') return 'options';
  switch (type) {
    case 'string':
      return schema.format === 'date-time' || schema.format === 'date' ? 'date_iso8601' : 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'decimal';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'array';
    case 'object':
      return 'object';
    default:
      throw new Error(`no Meltano kind for a setting of type ${JSON.stringify(schema.type)}`);
  }
}

export function isSensitive(schema: SettingSchema): boolean {
  return schema.secret === true || schema.writeOnly === true;
}

/** Every property of the plugin's settings schema, in schema order, as a Meltano setting definition. */
export function meltanoSettings(schema: SettingsSchema): MeltanoSetting[] {
  return Object.entries(schema.properties).map(([name, setting]) => {
    if (!setting.description) throw new Error(`setting '${name}' has no description`);
    const kind = settingKind(setting);
    return {
      name,
      label: settingLabel(name),
      kind,
      value: setting.default as YamlValue | undefined,
      sensitive: isSensitive(setting) ? true : undefined,
      description: setting.description,
      aliases: setting.aliases && setting.aliases.length > 0 ? [...setting.aliases] : undefined,
      options: setting.enum
        ? setting.enum.map((value) => {
            if (typeof value !== 'string' && typeof value !== 'number')
              throw new Error(`setting '${name}': enum value ${JSON.stringify(value)} is not a string or number`);
            return { label: String(value), value };
          })
        : undefined,
    };
  });
}
