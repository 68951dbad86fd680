/*
 * Data Extract's export trigger and status endpoints: FROM THIRD-PARTY CODE, UNVERIFIED. Oracle documents the
 * object-store set-up and the files (docs/data-extract-export.md), not these two calls; their paths and every field below
 * come from third-party code only. Everything the project assumes about them is in this file, so a correction is a
 * change here, and the ingest of the files does not depend on them.
 */
import { SourceError } from '../../singer/index.js';

/** `POST …/wms/lgfapi/v10/<this>`: asks WMS to export entities into the object store (unverified). */
export const PUSH_PATH = 'data_extract/push_to_object_store';
/** `GET …/wms/lgfapi/v10/<this>?unique_identifier=…`: how that export is going (unverified). */
export const STATUS_PATH = 'data_extract/export_async_status';

/** The statuses the adapter understands (unverified); any other answer is an error naming it. */
export const EXPORT_STATES = ['IN_PROGRESS', 'COMPLETED', 'FAILED'] as const;
export type ExportState = (typeof EXPORT_STATES)[number];

/** One export of one entity, as the tap asks for it. */
export interface ExportRequest {
  readonly entity: string;
  /** lgfapi filters ANDed by WMS, e.g. `{ mod_ts__gte: '2026-01-01T00:00:00Z' }` (mod_ts/create_ts are documented). */
  readonly filter: Readonly<Record<string, string>>;
  /** The name of the object store configured in WMS ("Objectstore for Data Extract"). */
  readonly endpointName: string;
  /** Where in that store the files go. */
  readonly objectStorePath: string;
  readonly fileFormat: 'csv' | 'json';
  /** 10 to 1,000 (Oracle's documented file sizes). */
  readonly fileSizeInMb: number;
  readonly compressed: boolean;
  /** Names the export in the status call; the tap makes one per run and entity. */
  readonly uniqueIdentifier: string;
}

/** The trigger's JSON body (every field unverified). */
export function pushBody(request: ExportRequest): Record<string, unknown> {
  return {
    options: {
      endpoint: { name: request.endpointName, object_store_path: request.objectStorePath },
      file_format: request.fileFormat.toUpperCase(),
      file_size_in_mb: request.fileSizeInMb,
      compressed: request.compressed,
      unique_identifier: request.uniqueIdentifier,
    },
    parameters: { entities: [{ entity: request.entity, fields: [], filter: { ...request.filter } }] },
  };
}

/** The status call's query. */
export function statusQuery(uniqueIdentifier: string): URLSearchParams {
  return new URLSearchParams({ unique_identifier: uniqueIdentifier });
}

export interface EntityExportStatus {
  readonly entity: string;
  readonly status: ExportState;
  /** Key prefix of the entity's files in the store; absent until WMS names it. */
  readonly filePrefix: string | undefined;
}

export interface ExportStatus {
  /** The cumulative status over every entity of the export. */
  readonly status: ExportState;
  readonly entities: readonly EntityExportStatus[];
}

/** The status answer `{status, entities: [{entity, status, file_prefix}]}`; anything else is a SourceError (exit 4). */
export function parseExportStatus(value: unknown, uniqueIdentifier: string): ExportStatus {
  const where = `${STATUS_PATH} for '${uniqueIdentifier}' (an unverified API: docs/data-extract-export.md)`;
  const record = (item: unknown, what: string): Record<string, unknown> => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new SourceError(`${where}: ${what} is not an object`);
    return item as Record<string, unknown>;
  };
  const state = (item: unknown, what: string): ExportState => {
    if (typeof item === 'string' && (EXPORT_STATES as readonly string[]).includes(item)) return item as ExportState;
    throw new SourceError(
      `${where}: ${what} is ${typeof item === 'string' ? `'${item.slice(0, 40)}'` : typeof item}, not one of ${EXPORT_STATES.join(', ')}`,
    );
  };
  const top = record(value, 'the answer');
  const status = state(top.status, 'status');
  if (!Array.isArray(top.entities)) throw new SourceError(`${where}: entities is not a list`);
  const entities = top.entities.map((item: unknown, index) => {
    const entity = record(item, `entities[${index}]`);
    if (typeof entity.entity !== 'string') throw new SourceError(`${where}: entities[${index}].entity is not text`);
    const prefix = entity.file_prefix;
    if (prefix !== undefined && prefix !== null && typeof prefix !== 'string')
      throw new SourceError(`${where}: entities[${index}].file_prefix is not text`);
    return {
      entity: entity.entity,
      status: state(entity.status, `entities[${index}].status`),
      filePrefix: typeof prefix === 'string' && prefix !== '' ? prefix : undefined,
    };
  });
  return { status, entities };
}
