import { openIntrospector, type Introspector } from '../../target-oracle/index.js';
import type { ClientHandle } from '../../tap-oracle-wms/index.js';
import { effectiveTapConfig, tapConfigFor, targetConfigFor, type RunRequest } from '../plugin-configs.js';
import type { RunContext } from '../run-attempts.js';
import type { RunData } from '../run-result.js';
import { checkConsistency, type ConsistencyReport } from './consistency-check.js';
import { openWmsProbe } from './wms-probe.js';

/**
 * The consistency check of a successful run: source and target counts and a sample of rows per stream it loaded,
 * through the tap's own client and the target's introspector; a check that cannot run is a failed report.
 */
export async function checkRunConsistency(
  request: RunRequest,
  data: RunData,
  ctx: RunContext,
  streams: string[],
): Promise<ConsistencyReport> {
  let probe: ClientHandle | undefined;
  let db: Introspector | undefined;
  try {
    const tapConfig = effectiveTapConfig(tapConfigFor(ctx.settings, request));
    probe = openWmsProbe(tapConfig, ctx.settings.http_timeout_seconds, ctx.logger);
    db = await openIntrospector(targetConfigFor(ctx.settings, request));
    return await checkConsistency({
      probe: probe.client,
      db,
      streams,
      tapConfig,
      sampleSize: ctx.settings.consistency_sample_size,
      runStartedAt: new Date(data.startedAt),
      logger: ctx.logger,
    });
  } catch (error) {
    ctx.logger.warning(`Consistency check not possible: ${ctx.scrub((error as Error).message)}`);
    return {
      ok: false,
      checkedAt: new Date().toISOString(),
      streams: [
        {
          stream: '*',
          countsMatch: false,
          sampled: 0,
          rowsMissing: 0,
          changedSinceRun: 0,
          fieldMismatches: {},
          missingColumns: [],
          ok: false,
          error: ctx.scrub((error as Error).message),
        },
      ],
    };
  } finally {
    probe?.close();
    await db?.close();
  }
}
