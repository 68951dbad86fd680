import type { Options } from 'yargs';

/** What `--help` prints: rendered from the same option table the parser enforces, so the two cannot drift. */
export interface HelpSpec {
  name: string;
  description: string;
  /** Usage lines, each starting with the program name. */
  usage: readonly string[];
  /** Sub-commands and what each does (wms-pipeline). */
  commands?: readonly (readonly [string, string])[];
  options: Readonly<Record<string, Options>>;
  /** Where to read more: paths inside the package (README.md, docs/…). */
  docs: readonly string[];
}

const WIDTH = 26;

function optionLabel(name: string, option: Options): string {
  const aliases = [option.alias ?? []].flat().map((alias) => (alias.length === 1 ? `-${alias}` : `--${alias}`));
  const value =
    option.type === 'boolean' ? '' : option.choices ? ` <${option.choices.join('|')}>` : ` <${option.type ?? 'value'}>`;
  return [`--${name}${value}`, ...aliases].join(', ');
}

function optionText(option: Options): string {
  const text = option.description ?? option.describe ?? '';
  const notes = [
    option.array ? 'repeatable' : undefined,
    option.default !== undefined &&
    option.type !== 'boolean' &&
    !(Array.isArray(option.default) && option.default.length === 0)
      ? `default ${JSON.stringify(option.default)}`
      : undefined,
  ].filter(Boolean);
  return notes.length > 0 ? `${text} (${notes.join('; ')})` : text;
}

function row(label: string, text: string): string {
  return label.length >= WIDTH ? `  ${label}\n  ${' '.repeat(WIDTH)}${text}` : `  ${label.padEnd(WIDTH)}${text}`;
}

export function renderHelp(spec: HelpSpec): string {
  const lines = [spec.description, '', 'Usage:', ...spec.usage.map((line) => `  ${line}`)];
  if (spec.commands && spec.commands.length > 0) {
    lines.push('', 'Commands:');
    for (const [command, text] of spec.commands) lines.push(row(command, text));
  }
  lines.push('', 'Options:');
  for (const [name, option] of Object.entries(spec.options))
    lines.push(row(optionLabel(name, option), optionText(option)));
  lines.push('', `Docs: ${spec.docs.join(', ')} (in the repository and the installed package)`);
  return `${lines.join('\n')}\n`;
}
