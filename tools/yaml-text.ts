/**
 * A small YAML 1.2 emitter for plain data (what meltano.yml holds): block mappings and sequences, flow style only
 * for short lists of scalars and for empty collections. Strings that could be read as anything else are written as
 * JSON strings, which are valid YAML double-quoted scalars.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

const RESERVED = /^(?:y|n|yes|no|true|false|on|off|null|~)$/i;
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const FLOW_LINE_LIMIT = 100;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} to YAML`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
}

function isScalar(value: YamlValue): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

function flowList(list: YamlValue[]): string | undefined {
  if (list.length === 0) return '[]';
  if (!list.every(isScalar)) return undefined;
  const text = `[${list.map((item) => scalar(item)).join(', ')}]`;
  return text.length <= FLOW_LINE_LIMIT ? text : undefined;
}

function entries(map: { [key: string]: YamlValue | undefined }): [string, YamlValue][] {
  return Object.entries(map).filter((e): e is [string, YamlValue] => e[1] !== undefined);
}

/** Lines of `value` as the value of a key (or list item) at `indent`. */
function block(value: YamlValue, indent: string): { inline: string } | { lines: string[] } {
  if (isScalar(value)) return { inline: scalar(value) };
  if (Array.isArray(value)) {
    const flow = flowList(value);
    if (flow !== undefined) return { inline: flow };
    return { lines: value.flatMap((item) => listItem(item, indent)) };
  }
  const pairs = entries(value);
  if (pairs.length === 0) return { inline: '{}' };
  return { lines: pairs.flatMap(([key, item]) => mappingEntry(key, item, indent)) };
}

function mappingEntry(key: string, value: YamlValue, indent: string): string[] {
  const inner = block(value, `${indent}  `);
  const head = `${indent}${scalar(key)}:`;
  return 'inline' in inner ? [`${head} ${inner.inline}`] : [head, ...inner.lines];
}

function listItem(value: YamlValue, indent: string): string[] {
  const inner = block(value, `${indent}  `);
  if ('inline' in inner) return [`${indent}- ${inner.inline}`];
  // The first line of a nested mapping or list shares the dash's line.
  const [first = '', ...rest] = inner.lines;
  return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest];
}

/** The document text of a mapping, ending with a newline; `header` lines become `# ` comments on top. */
export function toYaml(document: { [key: string]: YamlValue | undefined }, header: string[] = []): string {
  const sections = entries(document).map(([key, value]) => mappingEntry(key, value, ''));
  // A blank line before each multi-line top-level section, for the reader.
  const body = sections.flatMap((lines, i) =>
    i > 0 && (lines.length > 1 || sections[i - 1].length > 1) ? ['', ...lines] : lines,
  );
  const lines = [
    ...header.map((line) => (line === '' ? '#' : `# ${line}`)),
    ...(header.length > 0 ? [''] : []),
    ...body,
  ];
  return `${lines.join('\n')}\n`;
}
