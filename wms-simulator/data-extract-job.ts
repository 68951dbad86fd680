import { type Readable, Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { ExtractFileSink } from './data-extract-export.js';
import type { Fault } from './fault-plan.js';

export type ExportState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** One entity of an export, as the status call reports it. */
export interface EntityExport {
  readonly entity: string;
  /** Where its files go in the store; reported as `file_prefix` once its first file is stored. */
  readonly prefix: string;
  readonly faults: readonly Fault[];
  /** Keys stored so far, in the order they landed (a late file lands after the ones written after it). */
  readonly stored: string[];
  writing: 'waiting' | 'running' | 'done' | 'failed';
  /** Why it failed (the simulator's stderr has the cause when it was not an injected fault). */
  failure?: string;
}

interface HeldFile {
  readonly entity: EntityExport;
  readonly key: string;
  readonly body: Buffer;
  /** Status polls still to answer, once every other file of the entity is written, before this one is stored. */
  polls: number;
}

function faultOf(entity: EntityExport, kind: Fault['kind']): Fault | undefined {
  return entity.faults.find((fault) => fault.kind === kind);
}

/** Passes a stream on without its last `bytes` bytes (the file is cut short, a truncated gzip when compressed). */
function withoutLastBytes(bytes: number): Transform {
  let tail = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      tail = Buffer.concat([tail, chunk]);
      const keep = tail.length - bytes;
      if (keep > 0) {
        this.push(tail.subarray(0, keep));
        tail = tail.subarray(keep);
      }
      done();
    },
  });
}

/**
 * One Data Extract export in the simulator: its entities, their files in the store, the status polls it was asked
 * and its faults. A late file is held in memory (test-sized) until enough status polls have passed after the rest; a stuck entity
 * never reports COMPLETED; a failed one reports FAILED.
 */
export class ExportJob {
  readonly #held: HeldFile[] = [];

  constructor(
    readonly uniqueIdentifier: string,
    /** The trigger's body as received, to tell a retried trigger from another export under the same identifier. */
    readonly requestText: string,
    readonly entities: readonly EntityExport[],
    readonly store: ExtractFileSink,
  ) {}

  /** The store as one entity's writer sees it: the entity's faults applied to its Nth file. */
  sinkFor(entity: EntityExport): ExtractFileSink {
    let files = 0;
    return {
      write: async (key: string, body: Readable | Buffer) => {
        files += 1;
        const late = faultOf(entity, 'export-late');
        const truncated = faultOf(entity, 'export-truncated');
        let stream = body;
        if (truncated && truncated.args[0] === files) {
          const cut = withoutLastBytes(truncated.args[1]);
          stream = Buffer.isBuffer(body) ? cut.end(body) : body.pipe(cut);
        }
        if (late && late.args[0] === files && late.args[1] > 0) {
          const bytes = Buffer.isBuffer(stream) ? stream : await buffer(stream);
          this.#held.push({ entity, key, body: bytes, polls: late.args[1] });
          return;
        }
        await this.store.write(key, stream);
        entity.stored.push(key);
      },
    };
  }

  /**
   * A status poll: counts down the held files of entities whose other files are all written (so a late file always
   * lands after them), stores those now due, then answers the cumulative and per-entity status.
   */
  async poll(): Promise<{
    status: ExportState;
    entities: { entity: string; status: ExportState; file_prefix: string | null }[];
  }> {
    for (const held of this.#held) if (held.entity.writing === 'done') held.polls -= 1;
    for (const file of this.#held.filter((held) => held.polls <= 0)) {
      this.#held.splice(this.#held.indexOf(file), 1);
      try {
        await this.store.write(file.key, file.body);
        file.entity.stored.push(file.key);
      } catch (error) {
        file.entity.writing = 'failed';
        file.entity.failure = `storing '${file.key}' failed: ${(error as Error).message}`;
      }
    }
    const entities = this.entities.map((entity) => ({
      entity: entity.entity,
      status: this.#stateOf(entity),
      file_prefix: entity.stored.length > 0 ? entity.prefix : null,
    }));
    const states = entities.map((entity) => entity.status);
    const status: ExportState = states.includes('FAILED')
      ? 'FAILED'
      : states.every((state) => state === 'COMPLETED')
        ? 'COMPLETED'
        : 'IN_PROGRESS';
    return { status, entities };
  }

  #stateOf(entity: EntityExport): ExportState {
    if (entity.writing === 'failed') return 'FAILED';
    if (entity.writing !== 'done' || faultOf(entity, 'export-stuck')) return 'IN_PROGRESS';
    return this.#held.some((held) => held.entity === entity) ? 'IN_PROGRESS' : 'COMPLETED';
  }
}
