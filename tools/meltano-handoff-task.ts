import type { YamlValue } from './yaml-text.js';

const PIPELINE = 'wms-pipeline';

/** The first task of `<entity>-incremental`: `wms-pipeline meltano-handoff` for that entity. */
export function handoffTask(entity: string): string {
  return `${PIPELINE}:handoff-${entity}`;
}

/**
 * wms-pipeline as a Meltano utility with one `handoff-<entity>` command per entity: the incremental job's bookmark
 * starts where the entity's last completed full load (the `<entity>-full` job, its own state id, over REST or through
 * Data Extract) began, once per full load. State ids as Meltano forms them (`<environment>:<extractor>-to-<loader>`).
 */
export function pipelineUtility(
  entities: readonly string[],
  extractor: string,
  loader: string,
): Record<string, YamlValue> {
  const command = (entity: string): Record<string, YamlValue> => {
    const stateId = (job: string) => `$MELTANO_ENVIRONMENT:${extractor}--${entity}-${job}-to-${loader}`;
    return {
      args: `meltano-handoff --stream ${entity} --full-state-id ${stateId('full')} --incremental-state-id ${stateId('incremental')}`,
      description: `${entity}-incremental starts where the last completed ${entity}-full load began (REST: its snapshot start; Data Extract: the export's start), once per full load`,
    };
  };
  return {
    name: PIPELINE,
    namespace: 'wms_pipeline',
    label: 'wms-pipeline',
    description:
      'Orchestration helpers of this project; here the full → incremental handoff between the two jobs of an entity',
    executable: 'bin/wms-pipeline.js',
    commands: Object.fromEntries(entities.map((entity) => [`handoff-${entity}`, command(entity)])),
  };
}
