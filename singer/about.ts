import { settingEnvVar, type SettingsSchema } from './settings-schema.js';

export type AboutFormat = 'text' | 'json' | 'markdown';

export interface PluginInfo {
  name: string;
  description: string;
  version: string;
  capabilities: readonly string[];
  settings: SettingsSchema;
}

/** `--about` with the SDK's field set, rendered from the same settings schema that validates config. */
export function renderAbout(info: PluginInfo, format: AboutFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(
        {
          name: info.name,
          description: info.description,
          version: info.version,
          sdk_version: `singer (wms-oracle-pipeline) ${info.version}`,
          supported_python_versions: null,
          capabilities: info.capabilities,
          settings: info.settings,
        },
        null,
        2,
      );
    case 'markdown':
      return renderMarkdown(info);
    case 'text':
      return renderText(info);
  }
}

function settingRows(
  info: PluginInfo,
): { name: string; type: string; required: boolean; secret: boolean; def: string; description: string; env: string }[] {
  const required = new Set(info.settings.required ?? []);
  return Object.entries(info.settings.properties).map(([name, setting]) => ({
    name,
    type: Array.isArray(setting.type)
      ? setting.type.filter((t) => t !== 'null').join('|')
      : String(setting.type ?? 'any'),
    required: required.has(name),
    secret: setting.secret === true,
    def: setting.default === undefined ? '' : JSON.stringify(setting.default),
    description: (setting.description ?? '').replace(/\s+/g, ' '),
    env: settingEnvVar(info.name, name),
  }));
}

function renderText(info: PluginInfo): string {
  const lines = [
    `Name: ${info.name}`,
    `Description: ${info.description}`,
    `Version: ${info.version}`,
    `Capabilities: ${info.capabilities.join(', ')}`,
    'Settings:',
  ];
  for (const row of settingRows(info)) {
    const flags = [
      row.type,
      row.required ? 'required' : undefined,
      row.secret ? 'secret' : undefined,
      row.def ? `default ${row.def}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  - ${row.name} (${flags}): ${row.description} [env: ${row.env}]`);
  }
  return lines.join('\n');
}

function renderMarkdown(info: PluginInfo): string {
  const lines = [
    `# ${info.name}`,
    '',
    info.description,
    '',
    `Version: ${info.version}`,
    '',
    '## Capabilities',
    '',
    ...info.capabilities.map((capability) => `* \`${capability}\``),
    '',
    '## Settings',
    '',
    '| Setting | Type | Required | Default | Description | Environment variable |',
    '|:--------|:-----|:--------:|:--------|:------------|:---------------------|',
  ];
  for (const row of settingRows(info)) {
    const description = `${row.description}${row.secret ? ' (secret)' : ''}`.replace(/\|/g, '\\|');
    lines.push(
      `| ${row.name} | ${row.type} | ${row.required ? 'yes' : ''} | ${row.def.replace(/\|/g, '\\|')} | ${description} | \`${row.env}\` |`,
    );
  }
  return lines.join('\n');
}
