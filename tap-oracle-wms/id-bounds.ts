import type { WmsSource } from './http/client.js';
import { mergeParams } from './query.js';
import type { TapConfig } from './settings.js';
import { idOf } from './transform.js';

/**
 * The lowest and highest id of a stream under its filters, from two one-row queries (`ordering=id` and `-id`);
 * undefined when the stream has no row. Used to split a full sync into id ranges, in one process or across several.
 */
export async function idBounds(
  source: WmsSource,
  stream: string,
  filters: URLSearchParams,
  config: TapConfig,
): Promise<{ min: bigint; max: bigint } | undefined> {
  const [min, max] = await Promise.all([
    firstId(source, stream, 'id', filters, config),
    firstId(source, stream, '-id', filters, config),
  ]);
  return min === undefined || max === undefined ? undefined : { min, max };
}

async function firstId(
  source: WmsSource,
  stream: string,
  ordering: string,
  filters: URLSearchParams,
  config: TapConfig,
): Promise<bigint | undefined> {
  const params = mergeParams(
    filters,
    new URLSearchParams({ ordering, page_size: '1', page_mode: config.page_mode, fields: 'id' }),
  );
  for await (const page of source.pages(stream, params)) return idOf(page.results[0]?.id);
  return undefined;
}
