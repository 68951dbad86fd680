/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: every sample must belong to a family
 * declared by # HELP and # TYPE before it, names and labels must be valid, label values correctly escaped, values
 * numeric, no duplicate series. Throws on the first violation.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  types: Map<string, string>;
  samples: Sample[];
  /** The value of one series, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${line}: label without '='`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`line ${line}: bad label name '${name}'`);
    if (name in labels) throw new Error(`line ${line}: duplicate label '${name}'`);
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label value not quoted`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      if (j >= text.length) throw new Error(`line ${line}: unterminated label value`);
      const c = text[j];
      if (c === '\\') {
        const next = text[j + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`line ${line}: bad escape \\${next}`);
        j += 2;
      } else if (c === '"') {
        j += 1;
        break;
      } else if (c === '\n') {
        throw new Error(`line ${line}: raw newline in label value`);
      } else {
        value += c;
        j += 1;
      }
    }
    labels[name] = value;
    if (j === text.length) break;
    if (text[j] !== ',') throw new Error(`line ${line}: expected ',' between labels`);
    i = j + 1;
  }
  return labels;
}

export function parsePrometheusText(text: string): ParsedMetrics {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw === '') throw new Error(`line ${line}: empty line`);
    if (raw.startsWith('# HELP ')) {
      const [name] = raw.slice(7).split(' ', 1);
      if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name in HELP`);
      if (helps.has(name)) throw new Error(`line ${line}: second HELP for ${name}`);
      helps.add(name);
      return;
    }
    if (raw.startsWith('# TYPE ')) {
      const [name, type, extra] = raw.slice(7).split(' ');
      if (!NAME.test(name) || extra !== undefined) throw new Error(`line ${line}: bad TYPE line`);
      if (!['counter', 'gauge', 'summary', 'histogram', 'untyped'].includes(type))
        throw new Error(`line ${line}: unknown type ${type}`);
      if (types.has(name)) throw new Error(`line ${line}: second TYPE for ${name}`);
      if (samples.some((s) => s.name === name)) throw new Error(`line ${line}: TYPE after samples of ${name}`);
      types.set(name, type);
      return;
    }
    if (raw.startsWith('#')) return;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw);
    if (!match) throw new Error(`line ${line}: not a sample: ${raw}`);
    const [, name, labelText, valueText] = match;
    if (!types.has(name)) throw new Error(`line ${line}: sample of ${name} before its TYPE`);
    if (!helps.has(name)) throw new Error(`line ${line}: sample of ${name} without HELP`);
    const value =
      valueText === '+Inf'
        ? Infinity
        : valueText === '-Inf'
          ? -Infinity
          : valueText === 'NaN'
            ? NaN
            : Number(valueText);
    if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+|Inf|NaN)$/.test(valueText))
      throw new Error(`line ${line}: bad value ${valueText}`);
    const labels = labelText ? parseLabels(labelText, line) : {};
    if (types.get(name) === 'counter' && value < 0) throw new Error(`line ${line}: negative counter`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`line ${line}: duplicate series ${key}`);
    seen.add(key);
    samples.push({ name, labels, value });
  });
  return {
    types,
    samples,
    value(name, labels = {}) {
      const want = Object.entries(labels);
      return samples.find(
        (s) =>
          s.name === name && want.every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === want.length,
      )?.value;
    },
  };
}
