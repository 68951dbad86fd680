import { ConfigError, ExitCode, type Logger, parseJsonVerbatim, SingerError, stringifyJson } from '../singer/index.js';
import { handoffDecision } from './handoff-decision.js';
import { runMeltanoCommand } from './meltano-command.js';

/**
 * `wms-pipeline meltano-handoff`: the handoff of handoff-decision.ts between two Meltano jobs of one entity, each with
 * its own state id, read and written with `meltano state get/set`.
 */

export interface HandoffRequest {
  stream: string;
  fullStateId: string;
  incrementalStateId: string;
  /** The `meltano` executable (findMeltano). Under `meltano run` it finds the project and environment from MELTANO_* variables. */
  meltano: string;
}

/** Reads both states with `meltano state get`, and sets the incremental one with `meltano state set` when needed. */
export async function runMeltanoHandoff(request: HandoffRequest, logger: Logger): Promise<string> {
  const full = await meltanoJson(request.meltano, ['state', 'get', request.fullStateId]);
  const incremental = await meltanoJson(request.meltano, ['state', 'get', request.incrementalStateId]);
  const decision = handoffDecision(full, incremental, request.stream);
  if (decision.action === 'none') {
    const line = `${request.stream}: nothing handed over from ${request.fullStateId}: ${decision.reason}`;
    logger.info(line, { stream: request.stream });
    return line;
  }
  await meltano(
    request.meltano,
    ['state', 'set', '--force', request.incrementalStateId, stringifyJson(decision.state)],
    `meltano state set ${request.incrementalStateId}`,
  );
  const line = `${request.stream}: ${request.incrementalStateId} now starts at ${decision.snapshotStart}, where the full load of ${request.fullStateId} began`;
  logger.info(line, { stream: request.stream });
  return line;
}

async function meltanoJson(bin: string, args: string[]): Promise<unknown> {
  const label = `meltano ${args.join(' ')}`;
  const text = (await meltano(bin, args, label)).trim();
  try {
    return text === '' ? {} : parseJsonVerbatim(text);
  } catch {
    throw new SingerError(`'${label}' did not print a JSON state`, ExitCode.Internal);
  }
}

/** Runs meltano; `label` names the command in errors (never the state value `state set` is given). */
async function meltano(bin: string, args: string[], label: string): Promise<string> {
  const result = await runMeltanoCommand(bin, args).catch((error: Error) => {
    throw new ConfigError(`cannot run '${bin}' for '${label}' (${error.message}): pass --meltano <path>`);
  });
  if (result.code === 0) return result.stdout;
  const tail = result.stderr.trim().split('\n').slice(-3).join(' | ');
  throw new SingerError(`'${label}' exited ${result.code}: ${tail}`, ExitCode.Internal);
}
