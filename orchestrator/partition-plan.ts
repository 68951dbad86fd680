import type { Logger } from '../singer/index.js';
import {
  discover,
  idBounds,
  type RangeContext,
  splitIdRange,
  streamFilters,
  type TapConfig,
  type WmsSource,
} from '../tap-oracle-wms/index.js';

/** One entity's ids split into ranges, each loaded by its own Meltano job (and process, and machine). */
export interface PartitionPlan {
  entity: string;
  /** Lowest and highest id found (decimal text: ids may pass 2^53). */
  min: string;
  max: string;
  /** [id_gte, id_lt) per range; the first starts and the last ends open, so rows inserted later are not missed. */
  ranges: RangeContext[];
}

/** Reads the entity's id bounds under the configured company/facility scope and splits them into `parts` ranges. */
export async function planPartitions(
  source: WmsSource,
  config: TapConfig,
  entity: string,
  parts: number,
  logger: Logger,
): Promise<PartitionPlan> {
  // The scope filters of an entity can depend on its relations: one describe tells (two requests, once).
  const catalog = await discover(source, { ...config, entities: [entity], exclude_entities: [] }, logger);
  const entry = catalog.streams.find((stream) => stream.tap_stream_id === entity);
  if (!entry) throw new Error(`entity '${entity}' is not in the WMS entity list`);
  const { id_range: _ignored, ...unbounded } = config;
  const bounds = await idBounds(source, entity, streamFilters(entity, entry, unbounded), config);
  if (!bounds) throw new Error(`entity '${entity}' has no rows in scope: nothing to partition`);
  return {
    entity,
    min: bounds.min.toString(),
    max: bounds.max.toString(),
    ranges: splitIdRange(bounds.min, bounds.max, parts),
  };
}

export const rangeJobName = (entity: string, index: number, count: number): string =>
  `${entity}-range-${index + 1}-of-${count}`;

/**
 * A Meltano project file for the plan (meltano.yml `include_paths`): per range an extractor inheriting from
 * `extractor` with its own id_range (so its own state id) and a job running it into `loader`. Full table, and never
 * ACTIVATE_VERSION: a range's version would retire the other ranges' rows (the tap refuses the combination).
 */
export function partitionJobsYaml(
  plan: PartitionPlan,
  options: { extractor: string; loader: string; command: string },
): string {
  const q = (value: string): string => JSON.stringify(value);
  const count = plan.ranges.length;
  const lines = [
    `# Written by \`${options.command}\`: ids ${plan.min}..${plan.max} of ${plan.entity} in ${count} ranges.`,
    '# Add this file to include_paths in meltano.yml, then start the jobs on any workers, e.g.',
    `#   meltano run ${rangeJobName(plan.entity, 0, count)}`,
    'plugins:',
    '  extractors:',
  ];
  plan.ranges.forEach((range, i) => {
    const bounds = [
      ...(range.id_gte === null ? [] : [`gte: ${range.id_gte}`]),
      ...(range.id_lt === null ? [] : [`lt: ${range.id_lt}`]),
    ];
    lines.push(
      `    - name: ${q(`${options.extractor}--${rangeJobName(plan.entity, i, count)}`)}`,
      `      inherit_from: ${q(options.extractor)}`,
      `      config:`,
      `        entities: [${q(plan.entity)}]`,
      `        enable_incremental: false`,
      `        emit_activate_version: false`,
      `        id_range: {${bounds.join(', ')}}`,
      `      select: [${q(`${plan.entity}.*`)}]`,
    );
  });
  lines.push('jobs:');
  plan.ranges.forEach((_range, i) => {
    const name = rangeJobName(plan.entity, i, count);
    lines.push(`  - name: ${q(name)}`, `    tasks: [${q(`${options.extractor}--${name} ${options.loader}`)}]`);
  });
  return `${lines.join('\n')}\n`;
}
