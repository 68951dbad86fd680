import { InterruptedError, type Logger, sleep, SourceError } from '../../singer/index.js';
import {
  type ExportRequest,
  type ExportStatus,
  parseExportStatus,
  PUSH_PATH,
  pushBody,
  STATUS_PATH,
  statusQuery,
} from './export-api.js';

/** The one lgfapi call the follower needs from the tap's HTTP client (WmsClient has it). */
export interface ModuleCaller {
  moduleCall(path: string, request: { query?: URLSearchParams; body?: unknown }): Promise<unknown>;
}

export interface FollowOptions {
  /** First wait between status polls, doubled after each poll up to `pollMaxSeconds`. */
  readonly pollInitialSeconds: number;
  readonly pollMaxSeconds: number;
  /** How long an export may stay unfinished before the run gives up (a status stuck in IN_PROGRESS). */
  readonly timeoutSeconds: number;
  readonly logger: Logger;
  /** Called after every poll (the tap ingests the files that have landed under the entity's prefix). */
  readonly onStatus?: (status: ExportStatus) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Milliseconds; injected so the timeout is testable without waiting. */
  readonly now?: () => number;
  readonly wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Asks WMS to export one entity, then follows it (followExport). `onRequested` runs once WMS has accepted the request,
 * before the first poll: the tap records the export there, so a killed run follows it again instead of asking anew.
 */
export async function runExport(
  client: ModuleCaller,
  request: ExportRequest,
  options: FollowOptions & { readonly onRequested?: () => Promise<void> },
): Promise<ExportStatus> {
  await client.moduleCall(PUSH_PATH, { body: pushBody(request) });
  options.logger.info(
    `${request.entity}: requested the Data Extract export of '${request.entity}' ('${request.uniqueIdentifier}') into '${request.objectStorePath}'`,
    { stream: request.entity },
  );
  await options.onRequested?.();
  return followExport(client, request, options);
}

/** One status call: how the export is going (FAILED included: the caller decides). */
export async function exportStatus(client: ModuleCaller, uniqueIdentifier: string): Promise<ExportStatus> {
  return parseExportStatus(
    await client.moduleCall(STATUS_PATH, { query: statusQuery(uniqueIdentifier) }),
    uniqueIdentifier,
  );
}

/**
 * Polls an export's status with bounded exponential backoff until it is COMPLETED (returned), FAILED or past
 * `timeoutSeconds` (a SourceError, exit 4, naming the entity and the identifier).
 */
export async function followExport(
  client: ModuleCaller,
  request: ExportRequest,
  options: FollowOptions,
): Promise<ExportStatus> {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const wait = options.wait ?? sleep;
  const what = `the Data Extract export of '${request.entity}' ('${request.uniqueIdentifier}')`;
  const started = now();
  let delaySeconds = options.pollInitialSeconds;
  let last: string | undefined;
  for (;;) {
    const status = await exportStatus(client, request.uniqueIdentifier);
    const elapsed = (now() - started) / 1000;
    const summary = status.entities.map((entity) => `${entity.entity} ${entity.status}`).join(', ');
    if (summary !== last) {
      logger.info(`${request.entity}: ${what} is ${status.status} after ${elapsed.toFixed(0)} s (${summary})`, {
        stream: request.entity,
      });
      last = summary;
    }
    await options.onStatus?.(status);
    if (status.status === 'COMPLETED') return status;
    if (status.status === 'FAILED' || status.entities.some((entity) => entity.status === 'FAILED'))
      throw new SourceError(`${what} FAILED in WMS (${summary}): see the export in WMS, then rerun`);
    if (elapsed + delaySeconds > options.timeoutSeconds)
      throw new SourceError(
        `${what} is still ${status.status} after ${elapsed.toFixed(0)} s, past the export timeout (${options.timeoutSeconds} s): allow more time for a large export, or check the export in WMS`,
        { retriable: true },
      );
    await wait(delaySeconds * 1000, options.signal);
    if (options.signal?.aborted) throw new InterruptedError(String(options.signal.reason ?? 'SIGTERM'));
    delaySeconds = Math.min(delaySeconds * 2, options.pollMaxSeconds);
  }
}
