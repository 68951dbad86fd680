import { InterruptedError } from '../singer/index.js';
import type { StreamDeps } from './read-slice.js';

/**
 * A first incremental run with no bookmark and no start_date reads only the last initial_lookback_minutes: on a table
 * whose rows are older it loads nothing, silently. Said once per stream, before reading: the window, the table's size
 * when the WMS counts it, and the settings that load history instead.
 */
export async function announceLookback(stream: string, window: string, deps: StreamDeps): Promise<void> {
  const { config, logger } = deps;
  let size = '';
  if (deps.source.count) {
    try {
      const total = await deps.source.count(stream, deps.filters);
      size = ` of the ${total} rows the WMS holds for this stream`;
    } catch (error) {
      if (error instanceof InterruptedError) throw error;
      logger.debug(`${stream}: no row count (${(error as Error).message})`, { stream });
    }
  }
  logger.warning(
    `${stream}: no bookmark and no start_date: this first run reads only the last ${config.initial_lookback_minutes} minutes (${window})${size}. To load history instead, set start_date (the earliest ${window.split(' ')[0]} to load) or initial_sync to full (a full sync first, then incremental); initial_lookback_minutes sets the window`,
    { stream },
  );
}
