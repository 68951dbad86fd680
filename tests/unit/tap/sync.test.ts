import {
  type Catalog,
  emptyState,
  ProtocolError,
  type SingerMessage,
  SourceError,
  type TapState,
  validateConfig,
} from '../../../singer/index.js';
import { catalogEntry } from '../../../tap-oracle-wms/discover.js';
import type { WmsSource } from '../../../tap-oracle-wms/http/client.js';
import { HttpFailure } from '../../../tap-oracle-wms/http/errors.js';
import type { WmsPage } from '../../../tap-oracle-wms/http/pagination.js';
import { parseInstant } from '../../../tap-oracle-wms/instant.js';
import { SingerOutput } from '../../../tap-oracle-wms/output.js';
import { TAP_SETTINGS, type TapConfig } from '../../../tap-oracle-wms/settings.js';
import { sync } from '../../../tap-oracle-wms/sync.js';
import { expect, testLogger, testWriter } from './helpers.js';

type Row = Record<string, unknown>;

/** An in-memory lgfapi: filters id/mod_ts lookups, orders, pages with next_page links; records every query. */
class MemorySource implements WmsSource {
  readonly queries: { entity: string; params: URLSearchParams }[] = [];
  readonly #tables: Record<string, Row[]>;

  /** Entities answering 400 to `ordering` (like the simulator's no-ordering fault), to any filter, failing outright. */
  refuseOrdering = new Set<string>();
  refuseFilters = new Set<string>();
  failing = new Set<string>();

  constructor(tables: Record<string, Row[]>) {
    this.#tables = tables;
  }

  async entities(): Promise<string[]> {
    return Object.keys(this.#tables).sort();
  }

  async describe(): Promise<Record<string, unknown>> {
    throw new Error('not used');
  }

  async *pages(entity: string, params: URLSearchParams): AsyncGenerator<WmsPage> {
    this.queries.push({ entity, params });
    if (this.failing.has(entity)) throw new SourceError(`${entity} is down`, { status: 503 });
    if (this.refuseOrdering.has(entity) && params.has('ordering'))
      throw badRequest('VALIDATION_ERROR — Invalid ordering. — {"ordering":"Ordering is not allowed on this entity."}');
    if (this.refuseFilters.has(entity))
      throw badRequest('VALIDATION_ERROR — Invalid input. — {"mod_ts__gte":"Enter a valid date/time."}');
    const ts = (value: unknown) => parseInstant(String(value)) as number;
    let rows = [...(this.#tables[entity] ?? [])];
    for (const [key, value] of params) {
      if (key === 'id__gt') rows = rows.filter((r) => (r.id as number) > Number(value));
      if (key === 'id__gte') rows = rows.filter((r) => (r.id as number) >= Number(value));
      if (key === 'id__lt') rows = rows.filter((r) => (r.id as number) < Number(value));
      if (key === 'mod_ts__gte') rows = rows.filter((r) => ts(r.mod_ts) >= ts(value));
      if (key === 'mod_ts__lt') rows = rows.filter((r) => ts(r.mod_ts) < ts(value));
    }
    const ordering = params.get('ordering');
    if (ordering === '-id') rows.sort((a, b) => (b.id as number) - (a.id as number));
    else if (ordering === 'mod_ts,id')
      rows.sort((a, b) => ts(a.mod_ts) - ts(b.mod_ts) || (a.id as number) - (b.id as number));
    else if (ordering === 'id') rows.sort((a, b) => (a.id as number) - (b.id as number));
    else rows.reverse();
    const size = Number(params.get('page_size') ?? 50);
    for (let offset = 0; offset < rows.length; offset += size) {
      yield {
        results: rows.slice(offset, offset + size),
        nextPage: offset + size < rows.length ? `mem://${entity}/${offset + size}` : null,
        url: 'mem://',
      };
    }
  }
}

/** A 400 as the HTTP client reports it: the lgfapi error body's code, message and details in the cause. */
function badRequest(detail: string): SourceError {
  const failure = new HttpFailure(`HTTP 400 (${detail})`, { kind: 'fatal', status: 400, detail });
  return new SourceError(`GET /x?ordering failed: ${failure.message}`, { status: 400, cause: failure });
}

const hdrDescribe = {
  fields: {
    id: { type: 'pk' },
    mod_ts: { type: 'datetime' },
    facility_id: { type: 'relation' },
    total_qty: { type: 'decimal' },
  },
};
const uomDescribe = { fields: { id: { type: 'pk' }, code: { type: 'varchar', max_length: 10 } } };
const hdrRows: Row[] = Array.from({ length: 23 }, (_, i) => ({
  id: 100 + i * 3,
  mod_ts: `2025-06-01T0${Math.floor(i / 10)}:${String(i % 10).padStart(2, '0')}:00.00000${i % 10}-03:00`,
  facility_id: { id: 12, key: 'DC01', url: '' },
  total_qty: `${i}.5`,
}));
const uomRows: Row[] = Array.from({ length: 57 }, (_, i) => ({ id: i + 1, code: `U${i}` }));

function config(extra: Record<string, unknown> = {}): TapConfig {
  return validateConfig(
    { base_url: 'https://h/env', username: 'demo', password: 'demo', page_size: 5, ...extra },
    TAP_SETTINGS,
  ).config;
}

function catalog(): Catalog {
  return { streams: [catalogEntry('order_hdr', hdrDescribe, [], true), catalogEntry('uom', uomDescribe, [], true)] };
}

/** Runs a sync that must fail: its error, with what the source saw and what was logged. */
async function runFailing(cat: Catalog, cfg: TapConfig, setup: (source: MemorySource) => void) {
  return execute(cat, cfg, emptyState(), undefined, setup);
}

async function run(...args: Parameters<typeof execute>) {
  const result = await execute(...args);
  if (result.error !== undefined) throw result.error;
  return result;
}

async function execute(
  cat: Catalog,
  cfg: TapConfig,
  state: TapState = emptyState(),
  testMode?: 'records' | 'schema',
  setup?: (source: MemorySource) => void,
) {
  const source = new MemorySource({ order_hdr: hdrRows, uom: uomRows });
  setup?.(source);
  const { writer, stdout } = testWriter();
  const { logger, metrics, stderr } = testLogger();
  const now = () => Date.parse('2025-06-01T12:00:00Z');
  const output = new SingerOutput(writer, state);
  const error = await sync(cat, { source, config: cfg, output, logger, metrics, now, testMode }).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  return { messages: stdout.messages(), source, stderr: stderr.text, error };
}

const records = (messages: SingerMessage[], stream: string) =>
  messages.filter((m) => m.type === 'RECORD' && m.stream === stream).map((m) => (m as { record: Row }).record);
const states = (messages: SingerMessage[]) =>
  messages.filter((m) => m.type === 'STATE').map((m) => (m as { value: TapState }).value);

describe('tap sync loop over an in-memory WmsSource (message sequence, no HTTP)', () => {
  it('writes SCHEMA before RECORDs, a STATE after every page, and STATE only covers written records', async () => {
    const { messages } = await run(
      catalog(),
      config({ start_date: '2025-06-01T00:00:00-03:00', max_concurrent_requests: 2, full_sync_partitions: 1 }),
    );
    const seenSchema = new Set<string>();
    const written: Record<string, Row[]> = { order_hdr: [], uom: [] };
    for (const message of messages) {
      if (message.type === 'SCHEMA') seenSchema.add(message.stream);
      if (message.type === 'RECORD') {
        expect(seenSchema.has(message.stream), `RECORD of ${message.stream} before its SCHEMA`).to.equal(true);
        written[message.stream].push(message.record);
        expect(message.time_extracted).to.match(/^2025-06-01T12:00:00\.000Z$/);
      }
      if (message.type === 'STATE') {
        const value = (message.value as TapState).bookmarks.order_hdr?.replication_key_value as string | undefined;
        // Every order_hdr row up to the bookmark was written before this STATE.
        if (value) {
          const due = hdrRows.filter((r) => parseInstant(String(r.mod_ts))! <= parseInstant(value)!).map((r) => r.id);
          expect(written.order_hdr.map((r) => r.id)).to.include.members(due);
        }
      }
    }
    expect(records(messages, 'order_hdr').map((r) => r.id)).to.deep.equal(hdrRows.map((r) => r.id));
    expect(records(messages, 'uom')).to.have.length(57);
    // 23 rows / 5 per page = 5 pages for order_hdr; 57 / 5 = 12 pages for uom (+ start and completion).
    expect(states(messages).length).to.be.at.least(5 + 12);
    const final = states(messages).at(-1)!;
    expect(final.bookmarks.order_hdr).to.deep.equal({
      replication_key: 'mod_ts',
      replication_key_value: hdrRows[22].mod_ts,
    });
    expect(final.bookmarks).to.not.have.property('uom');
  });

  it('sends flattened, exact values and the incremental window query', async () => {
    const { messages, source } = await run(
      catalog(),
      config({ start_date: '2025-06-01T00:00:00-03:00', replication_lag_seconds: 0 }),
    );
    expect(records(messages, 'order_hdr')[1]).to.deep.equal({
      id: 103,
      mod_ts: hdrRows[1].mod_ts,
      facility_id: 12,
      facility_key: 'DC01',
      total_qty: 1.5,
    });
    const query = source.queries.find((q) => q.entity === 'order_hdr')!.params;
    expect(query.get('mod_ts__gte')).to.equal('2025-06-01T03:00:00+00:00');
    expect(query.get('mod_ts__lt')).to.equal('2025-06-01T12:00:00+00:00');
    expect(query.get('ordering')).to.equal('mod_ts,id');
    expect(query.get('page_mode')).to.equal('sequenced');
  });

  it('resumes incremental from bookmark − overlap', async () => {
    const state: TapState = {
      bookmarks: { order_hdr: { replication_key: 'mod_ts', replication_key_value: hdrRows[15].mod_ts } },
    };
    const { messages } = await run(catalog(), config({ incremental_overlap_minutes: 2 }), state);
    // Bookmark 01:05 − 2 min = 01:03 local: rows 13..22.
    expect(records(messages, 'order_hdr').map((r) => r.id)).to.deep.equal(hdrRows.slice(13).map((r) => r.id));
  });

  it('a partitioned full sync returns exactly the ids of a single partition, each range bookmarked', async () => {
    const single = await run(catalog(), config({ enable_incremental: false, full_sync_partitions: 1 }));
    const parted = await run(catalog(), config({ enable_incremental: false, full_sync_partitions: 4 }));
    const ids = (r: typeof single) =>
      records(r.messages, 'uom')
        .map((x) => x.id as number)
        .sort((a, b) => a - b);
    expect(ids(parted)).to.deep.equal(ids(single));
    expect(ids(parted)).to.have.length(57);
    const minMax = parted.source.queries
      .filter((q) => q.entity === 'uom' && q.params.get('page_size') === '1')
      .map((q) => q.params.get('ordering'));
    expect(minMax.sort()).to.deep.equal(['-id', 'id']);
    const started = states(parted.messages).find((s) => s.bookmarks.uom?.partitions)!;
    expect(started.bookmarks.uom.partitions).to.have.length(4);
    expect(states(parted.messages).at(-1)!.bookmarks).to.not.have.property('uom');
  });

  it('resumes a full sync from each range bookmark (re-reads nothing already bookmarked)', async () => {
    const state: TapState = {
      bookmarks: {
        uom: {
          partitions: [
            { context: { id_gte: null, id_lt: 30 }, replication_key: 'id', replication_key_value: 29, complete: true },
            { context: { id_gte: 30, id_lt: null }, replication_key: 'id', replication_key_value: 40 },
          ],
        },
      },
    };
    const cat = { streams: [catalogEntry('uom', uomDescribe, [], true)] };
    const { messages } = await run(cat, config(), state);
    expect(records(messages, 'uom').map((r) => r.id)).to.deep.equal(uomRows.slice(40).map((r) => r.id));
  });

  it('a full sync begun without a version and resumed with emit_activate_version on sends no version (a fresh one would retire the rows of its done ranges)', async () => {
    const state: TapState = {
      bookmarks: {
        uom: {
          partitions: [
            { context: { id_gte: null, id_lt: 30 }, replication_key: 'id', replication_key_value: 29, complete: true },
            { context: { id_gte: 30, id_lt: null }, replication_key: 'id', replication_key_value: 40 },
          ],
        },
      },
    };
    const cat = { streams: [catalogEntry('uom', uomDescribe, [], true)] };
    const { messages } = await run(cat, config({ emit_activate_version: true }), state);
    expect(records(messages, 'uom')).to.have.length(uomRows.length - 40);
    expect(messages.filter((m) => m.type === 'ACTIVATE_VERSION')).to.deep.equal([]);
    expect(messages.some((m) => m.type === 'RECORD' && m.version !== undefined)).to.equal(false);
  });

  it('a resumed full sync announces and closes its saved version, never a new one', async () => {
    const state: TapState = {
      bookmarks: {
        uom: {
          version: 1234,
          partitions: [
            { context: { id_gte: null, id_lt: 30 }, replication_key: 'id', replication_key_value: 29, complete: true },
            { context: { id_gte: 30, id_lt: null }, replication_key: 'id', replication_key_value: 40 },
          ],
        },
      },
    };
    const cat = { streams: [catalogEntry('uom', uomDescribe, [], true)] };
    const { messages } = await run(cat, config({ emit_activate_version: true }), state);
    const versions = messages.flatMap((m) => (m.type === 'ACTIVATE_VERSION' ? [m.version] : []));
    expect(versions).to.deep.equal([1234, 1234]);
  });

  it('emits ACTIVATE_VERSION before and after a full sync; records carry the version', async () => {
    const cat = { streams: [catalogEntry('uom', uomDescribe, [], true)] };
    const { messages } = await run(cat, config({ emit_activate_version: true, full_sync_partitions: 1 }));
    const kinds = messages.map((m) => m.type);
    const first = kinds.indexOf('ACTIVATE_VERSION');
    expect(first).to.be.greaterThan(kinds.indexOf('SCHEMA'));
    expect(first).to.be.lessThan(kinds.indexOf('RECORD'));
    expect(kinds.lastIndexOf('ACTIVATE_VERSION')).to.be.greaterThan(kinds.lastIndexOf('RECORD'));
    const version = (messages[first] as { version: number }).version;
    expect(records(messages, 'uom')).to.have.length(57);
    expect(
      messages.filter((m) => m.type === 'RECORD').every((m) => (m as { version?: number }).version === version),
    ).to.equal(true);
  });

  it('honours stream and field selection', async () => {
    const cat = catalog();
    cat.streams[1].metadata![0].metadata.selected = false;
    cat.streams[0].metadata!.find((m) => m.breadcrumb[1] === 'total_qty')!.metadata.selected = false;
    cat.streams[0].metadata!.find((m) => m.breadcrumb[1] === 'id')!.metadata.selected = false; // automatic: ignored
    const { messages } = await run(cat, config({ start_date: '2025-06-01T00:00:00-03:00' }));
    expect(messages.some((m) => 'stream' in m && m.stream === 'uom')).to.equal(false);
    const schema = messages.find((m) => m.type === 'SCHEMA') as { schema: { properties: Row } };
    expect(Object.keys(schema.schema.properties)).to.deep.equal(['id', 'url', 'mod_ts', 'facility_id', 'facility_key']);
    expect(Object.keys(records(messages, 'order_hdr')[0])).to.deep.equal([
      'id',
      'mod_ts',
      'facility_id',
      'facility_key',
    ]);
  });

  it('--test writes one record per stream and no STATE; --test=schema only SCHEMA', async () => {
    const test = await run(catalog(), config(), emptyState(), 'records');
    expect(test.messages.map((m) => m.type).sort()).to.deep.equal(['RECORD', 'RECORD', 'SCHEMA', 'SCHEMA']);
    const schema = await run(catalog(), config(), emptyState(), 'schema');
    expect(schema.messages.map((m) => m.type)).to.deep.equal(['SCHEMA', 'SCHEMA']);
  });

  it('an entity refusing ordering (400) is read unordered; its bookmark is written once the scan completes', async () => {
    const { messages, stderr } = await run(
      catalog(),
      config({ start_date: '2025-06-01T00:00:00-03:00', full_sync_partitions: 3 }),
      emptyState(),
      undefined,
      (source) => {
        source.refuseOrdering.add('order_hdr');
        source.refuseOrdering.add('uom');
      },
    );
    expect(stderr).to.match(/order_hdr: the WMS refused ordering=mod_ts,id; reading unordered/);
    expect(stderr).to.match(/uom: the WMS refused ordering by id; full sync in one unordered range/);
    expect(records(messages, 'order_hdr')).to.have.length(23);
    expect(records(messages, 'uom')).to.have.length(57);
    // No intermediate bookmark: an unordered scan is only resumable once complete.
    const values = new Set(
      states(messages)
        .map((s) => s.bookmarks.order_hdr?.replication_key_value)
        .filter((v) => v !== undefined),
    );
    expect([...values]).to.deep.equal([hdrRows[22].mod_ts]);
    const firstHdrState = messages.findIndex((m) => m.type === 'STATE' && (m.value as TapState).bookmarks.order_hdr);
    const lastHdrRecord = messages.map((m) => m.type === 'RECORD' && m.stream === 'order_hdr').lastIndexOf(true);
    expect(firstHdrState).to.be.greaterThan(lastHdrRecord);
  });

  it('a 400 whose details do not name the ordering fails at once: no ordering warning, no unordered retry', async () => {
    const { error, stderr, source } = await runFailing(
      catalog(),
      config({ start_date: '2025-06-01T00:00:00-03:00', full_sync_partitions: 3, max_concurrent_requests: 1 }),
      (memory) => memory.refuseFilters.add('order_hdr'),
    );
    expect(error).to.be.instanceOf(SourceError);
    expect((error as Error).message).to.match(/mod_ts__gte/);
    expect(stderr).to.not.match(/refused ordering/);
    expect(source.queries.filter((query) => query.entity === 'order_hdr')).to.have.length(1);
  });

  it('a failing stream fails the sync with its own error and stops the others', async () => {
    const { error } = await runFailing(
      catalog(),
      config({ start_date: '2025-06-01T00:00:00-03:00', max_concurrent_requests: 2 }),
      (source) => {
        source.failing.add('order_hdr');
      },
    );
    expect(error).to.be.instanceOf(SourceError);
    expect((error as Error).message).to.equal('order_hdr is down');
  });

  describe('a bookmark in the future (issue 15 item 9): refused unless allow_future_bookmarks', () => {
    // The run starts at 2025-06-01T12:00:00Z (execute's clock).
    for (const [label, bookmark] of [
      ['a date-time', { replication_key: 'mod_ts', replication_key_value: '2999-01-01T00:00:00Z' }],
      ['a bare date', { replication_key: 'mod_ts', replication_key_value: '2999-01-01' }],
      ['one second after the start', { replication_key: 'mod_ts', replication_key_value: '2025-06-01T09:00:01-03:00' }],
      [
        'the handoff of an unfinished full sync',
        {
          handoff: { replication_key: 'mod_ts', replication_key_value: '2999-01-01T00:00:00Z' },
          partitions: [{ context: { id_gte: null, id_lt: null } }],
        },
      ],
    ] as const) {
      it(`${label}: exit 3 naming the stream and the setting, before any request or message`, async () => {
        const state = { bookmarks: { order_hdr: bookmark } } as unknown as TapState;
        const { error, source, messages } = await execute(catalog(), config(), state);
        expect(error).to.be.instanceOf(ProtocolError);
        expect((error as ProtocolError).exitCode).to.equal(3);
        const message = (error as Error).message;
        expect(message).to.include(`Refused: the state's bookmark for stream 'order_hdr' (mod_ts `);
        expect(message).to.include('is later than the start of this run (2025-06-01T12:00:00.000000+00:00)');
        expect(message).to.include('set allow_future_bookmarks to true');
        expect(message).to.match(/\(stream 'order_hdr'\)$/);
        expect(source.queries).to.deep.equal([]);
        expect(messages).to.deep.equal([]);
      });
    }

    it('the start of the run itself is not in the future', async () => {
      const state: TapState = {
        bookmarks: { order_hdr: { replication_key: 'mod_ts', replication_key_value: '2025-06-01T09:00:00-03:00' } },
      };
      const { error } = await execute(catalog(), config(), state);
      expect(error).to.equal(undefined);
    });

    it('a FULL_TABLE stream (enable_incremental false) keeps its old bookmark without a check', async () => {
      const state: TapState = {
        bookmarks: { order_hdr: { replication_key: 'mod_ts', replication_key_value: '2999-01-01T00:00:00Z' } },
      };
      const { error } = await execute(catalog(), config({ enable_incremental: false }), state);
      expect(error).to.equal(undefined);
    });

    it('allow_future_bookmarks: true warns naming the stream and syncs from the bookmark', async () => {
      const state: TapState = {
        bookmarks: { order_hdr: { replication_key: 'mod_ts', replication_key_value: '2999-01-01T00:00:00Z' } },
      };
      const { error, stderr, source } = await execute(catalog(), config({ allow_future_bookmarks: true }), state);
      expect(error).to.equal(undefined);
      expect(stderr).to.match(
        /WARNING The state's bookmark for stream 'order_hdr' \(mod_ts 2999-01-01T00:00:00Z\) is later than the start of this run .*; syncing from it because allow_future_bookmarks is true/,
      );
      const query = source.queries.find((q) => q.entity === 'order_hdr')!.params;
      expect(query.get('mod_ts__gte')).to.equal('2998-12-31T23:45:00+00:00');
    });
  });
});
