import { type EntityExport, ExportJob } from './data-extract-job.js';
import { writeDataExtract } from './data-extract-export.js';
import { EXPORT_FAULTS, type FaultPlan } from './fault-plan.js';
import { type ConfiguredStore, storeFromConfig } from './object-store-config.js';
import type { SimClock } from './clock.js';
import type { RuntimeSettings } from './simulator-options.js';
import type { Tenant } from './tenant.js';
import { WmsError } from './wms-error.js';

/** Oracle's documented file sizes: 10 MB to 1 GB. */
const MIN_FILE_MB = 10;
const MAX_FILE_MB = 1000;
/** The filter fields Data Extract documents (create_ts/mod_ts in UTC, status_id). */
const FILTER_FIELDS = new Set(['create_ts', 'mod_ts', 'status_id']);
const IDENTIFIER = /^[A-Za-z0-9._-]{1,100}$/;

interface PushRequest {
  readonly store: string;
  readonly path: string;
  readonly format: 'csv' | 'json';
  readonly fileSizeMb: number;
  readonly compressed: boolean;
  readonly uniqueIdentifier: string;
  readonly entities: readonly { entity: string; filter: Record<string, string> }[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The simulator's Data Extract: the guessed trigger (`POST data_extract/push_to_object_store`) and status
 * (`GET data_extract/export_async_status`) calls, exactly as the tap's adapter speaks them (from third-party code,
 * unverified), writing each entity's files with writeDataExtract into an object store configured by name through the
 * admin API. An export runs in the background, entity after entity; faults (fault-plan.ts, `export-*` kinds) are drawn
 * once per entity when the export is requested.
 */
export class DataExtractService {
  readonly #stores = new Map<string, ConfiguredStore>();
  readonly #jobs = new Map<string, ExportJob>();
  readonly #running = new Set<Promise<void>>();

  constructor(
    private readonly tenant: Tenant,
    private readonly clock: SimClock,
    private readonly settings: RuntimeSettings,
    private readonly faults: () => FaultPlan,
  ) {}

  configureStore(name: string, config: Record<string, unknown>): string {
    const store = storeFromConfig(name, config);
    this.#stores.set(name, store);
    return store.description;
  }

  storeNames(): { name: string; description: string }[] {
    return [...this.#stores].map(([name, store]) => ({ name, description: store.description }));
  }

  /** The trigger. A retry with the same identifier and body answers the same export; another body is refused. */
  push(body: unknown, entityBase: string): unknown {
    const request = this.#parse(body);
    const text = JSON.stringify(body);
    const existing = this.#jobs.get(request.uniqueIdentifier);
    if (existing) {
      if (existing.requestText !== text)
        throw WmsError.validation(
          { 'options.unique_identifier': `'${request.uniqueIdentifier}' names another export` },
          'Invalid input.',
        );
      return { unique_identifier: request.uniqueIdentifier };
    }
    const root = request.path === '' || request.path.endsWith('/') ? request.path : `${request.path}/`;
    const entities: EntityExport[] = request.entities.map(({ entity }) => ({
      entity,
      prefix: `${root}${request.uniqueIdentifier}/${entity}/`,
      faults: this.faults().fire({ op: 'export', entity }, EXPORT_FAULTS),
      stored: [],
      writing: 'waiting',
    }));
    const job = new ExportJob(request.uniqueIdentifier, text, entities, this.#stores.get(request.store)!);
    this.#jobs.set(request.uniqueIdentifier, job);
    const running = this.#run(job, request, entityBase);
    this.#running.add(running);
    void running.finally(() => this.#running.delete(running));
    return { unique_identifier: request.uniqueIdentifier };
  }

  /** The status call. */
  async status(uniqueIdentifier: string | undefined): Promise<unknown> {
    if (uniqueIdentifier === undefined || uniqueIdentifier === '')
      throw WmsError.validation({ unique_identifier: 'This field is required.' });
    const job = this.#jobs.get(uniqueIdentifier);
    if (!job) throw WmsError.notFound(`No export with unique_identifier '${uniqueIdentifier}'.`);
    return job.poll();
  }

  /** Every export, for tests: its entities, their files in landing order, the faults drawn. */
  exports(): unknown[] {
    return [...this.#jobs.values()].map((job) => ({
      unique_identifier: job.uniqueIdentifier,
      entities: job.entities.map((entity) => ({
        entity: entity.entity,
        prefix: entity.prefix,
        writing: entity.writing,
        files: [...entity.stored],
        faults: entity.faults.map((fault) => fault.rule),
        ...(entity.failure === undefined ? {} : { failure: entity.failure }),
      })),
    }));
  }

  /** Waits for the exports still writing (the server's close, before a test removes the bucket). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  reset(): void {
    this.#jobs.clear();
    this.#stores.clear();
  }

  async #run(job: ExportJob, request: PushRequest, entityBase: string): Promise<void> {
    for (const [index, entity] of job.entities.entries()) {
      const failed = entity.faults.find((fault) => fault.kind === 'export-failed');
      entity.writing = 'running';
      let written = 0;
      try {
        if (failed && failed.args[0] === 0) throw new InjectedFailure(failed.rule);
        await writeDataExtract(this.tenant, this.clock, entityBase, job.sinkFor(entity), {
          entity: entity.entity,
          format: request.format,
          compressed: request.compressed,
          fileSizeBytes: request.fileSizeMb * this.settings.dataExtractBytesPerMb,
          prefix: entity.prefix,
          filter: request.entities[index].filter,
          afterFile: () => {
            written += 1;
            if (failed && written >= failed.args[0]) throw new InjectedFailure(failed.rule);
          },
        });
        entity.writing = 'done';
      } catch (error) {
        entity.writing = 'failed';
        entity.failure = (error as Error).message;
        if (!(error instanceof InjectedFailure))
          process.stderr.write(
            `wms-simulator: Data Extract export '${job.uniqueIdentifier}' of ${entity.entity} failed: ${(error as Error).message}\n`,
          );
        for (const rest of job.entities.slice(index + 1)) {
          rest.writing = 'failed';
          rest.failure = `not exported: ${entity.entity} failed first`;
        }
        return;
      }
    }
  }

  #parse(body: unknown): PushRequest {
    const problems: Record<string, string> = {};
    const options = isObject(body) && isObject(body.options) ? body.options : undefined;
    const parameters = isObject(body) && isObject(body.parameters) ? body.parameters : undefined;
    if (!options) problems.options = 'This field is required.';
    if (!parameters) problems.parameters = 'This field is required.';
    const endpoint = options && isObject(options.endpoint) ? options.endpoint : undefined;
    const store = endpoint?.name;
    if (typeof store !== 'string' || !this.#stores.has(store))
      problems['options.endpoint.name'] =
        typeof store === 'string' ? `No object store named '${store}' is configured.` : 'This field is required.';
    const path = endpoint?.object_store_path;
    if (typeof path !== 'string') problems['options.endpoint.object_store_path'] = 'This field is required.';
    const format = options?.file_format;
    if (format !== 'CSV' && format !== 'JSON') problems['options.file_format'] = 'Must be CSV or JSON.';
    const size = options?.file_size_in_mb;
    if (!Number.isInteger(size) || (size as number) < MIN_FILE_MB || (size as number) > MAX_FILE_MB)
      problems['options.file_size_in_mb'] = `Must be an integer from ${MIN_FILE_MB} to ${MAX_FILE_MB}.`;
    const compressed = options?.compressed;
    if (typeof compressed !== 'boolean') problems['options.compressed'] = 'Must be true or false.';
    const identifier = options?.unique_identifier;
    if (typeof identifier !== 'string' || !IDENTIFIER.test(identifier))
      problems['options.unique_identifier'] = 'Must be 1 to 100 letters, digits, dots, dashes or underscores.';
    const entities: { entity: string; filter: Record<string, string> }[] = [];
    const list = parameters?.entities;
    if (!Array.isArray(list) || list.length === 0) problems['parameters.entities'] = 'Must be a non-empty list.';
    else
      list.forEach((item: unknown, index) => {
        const where = `parameters.entities[${index}]`;
        const entity = this.#entityRequest(item, where, problems);
        if (entity) entities.push(entity);
      });
    if (Object.keys(problems).length > 0) throw WmsError.validation(problems);
    return {
      store: store as string,
      path: (path as string).replace(/^\/+/, ''),
      format: format === 'CSV' ? 'csv' : 'json',
      fileSizeMb: size as number,
      compressed: compressed as boolean,
      uniqueIdentifier: identifier as string,
      entities,
    };
  }

  #entityRequest(
    item: unknown,
    where: string,
    problems: Record<string, string>,
  ): { entity: string; filter: Record<string, string> } | undefined {
    if (!isObject(item) || typeof item.entity !== 'string' || !this.tenant.table(item.entity)) {
      problems[`${where}.entity`] = 'Not an entity of this tenant.';
      return undefined;
    }
    if (item.fields !== undefined && !(Array.isArray(item.fields) && item.fields.length === 0))
      problems[`${where}.fields`] = 'The simulator exports every field: send [].';
    const filter = item.filter ?? {};
    if (!isObject(filter) || Object.values(filter).some((value) => typeof value !== 'string')) {
      problems[`${where}.filter`] = 'Must be an object of text values.';
      return undefined;
    }
    const fields = new Set(Object.keys(filter).map((key) => key.split('__')[0]));
    const other = [...fields].filter((field) => !FILTER_FIELDS.has(field));
    if (other.length > 0)
      problems[`${where}.filter`] =
        `Data Extract filters on create_ts, mod_ts and status_id only, not ${other.join(', ')}.`;
    // Oracle ORs create_ts and mod_ts by default (create_mod_ts_query_mode); the simulator does not model that mode.
    if (fields.has('create_ts') && fields.has('mod_ts'))
      problems[`${where}.filter`] = 'The simulator filters on create_ts or on mod_ts, not both.';
    return { entity: item.entity, filter: filter as Record<string, string> };
  }
}

/** An export-failed fault: the export stops, its status says FAILED, the simulator logs nothing. */
class InjectedFailure extends Error {
  constructor(rule: string) {
    super(`the fault '${rule}' failed the export`);
  }
}
