export type MetricType = 'counter' | 'gauge';

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  /** Label set (canonical JSON of sorted pairs) → value. */
  series: Record<string, number>;
}

export type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((name) => [name, labels[name]]),
  );
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * A small metrics registry rendered in the Prometheus text exposition format (version 0.0.4). It serializes to JSON
 * so one-shot CLI runs can keep counters across invocations for node_exporter's textfile collector.
 */
export class MetricsRegistry {
  readonly #families = new Map<string, MetricFamily>();

  define(name: string, type: MetricType, help: string): void {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    if (!this.#families.has(name)) this.#families.set(name, { name, type, help, series: {} });
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const family = this.#family(name);
    const key = labelKey(labels);
    family.series[key] = (family.series[key] ?? 0) + by;
  }

  set(name: string, labels: Labels, value: number): void {
    this.#family(name).series[labelKey(labels)] = value;
  }

  get(name: string, labels: Labels = {}): number | undefined {
    return this.#family(name).series[labelKey(labels)];
  }

  render(): string {
    const lines: string[] = [];
    for (const family of this.#families.values()) {
      lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      lines.push(`# TYPE ${family.name} ${family.type}`);
      for (const [key, value] of Object.entries(family.series)) {
        const pairs = JSON.parse(key) as [string, string][];
        const labels =
          pairs.length === 0 ? '' : `{${pairs.map(([n, v]) => `${n}="${escapeLabelValue(v)}"`).join(',')}}`;
        lines.push(`${family.name}${labels} ${formatValue(value)}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  toJSON(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.#families.values()].map((family) => [family.name, family.series]));
  }

  /** Restores series of already defined families (unknown names in the snapshot are ignored). */
  load(snapshot: Record<string, Record<string, number>> | undefined): void {
    for (const [name, series] of Object.entries(snapshot ?? {})) {
      const family = this.#families.get(name);
      if (family) Object.assign(family.series, series);
    }
  }

  #family(name: string): MetricFamily {
    const family = this.#families.get(name);
    if (!family) throw new Error(`metric ${name} is not defined`);
    return family;
  }
}
