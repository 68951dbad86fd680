/**
 * Issue 18: the tap's memory must not grow with the rows it reads, whatever the pace of its reader. With stdout's
 * reader paused, then let go one chunk at a time, this counts (no clock, no RSS) the pages the sync loop has taken
 * from the source but whose bytes the reader has not had yet, the bytes waiting in stdout's buffer, and whether a
 * page's decoded rows and texts are let go while its bytes wait.
 */
import { Writable } from 'node:stream';
import { emptyState, MessageWriter, validateConfig } from '../../../singer/index.js';
import { catalogEntry } from '../../../tap-oracle-wms/discover.js';
import type { WmsSource } from '../../../tap-oracle-wms/http/client.js';
import type { WmsPage } from '../../../tap-oracle-wms/http/pagination.js';
import { SingerOutput } from '../../../tap-oracle-wms/output.js';
import type { PageTranscoder } from '../../../tap-oracle-wms/page-transcoder.js';
import { TAP_SETTINGS } from '../../../tap-oracle-wms/settings.js';
import { sync } from '../../../tap-oracle-wms/sync.js';
import { expect, testLogger } from './helpers.js';

type Row = Record<string, unknown>;

/** A stdout whose reader takes a chunk only when the test lets it (each `_write` callback is held). */
class PausedReader extends Writable {
  readonly held: { chunk: Buffer; done: () => void }[] = [];
  /** RECORD chunks (one per page) the reader has taken. */
  recordChunks = 0;
  rows = 0;
  #arrived: (() => void) | undefined;

  constructor() {
    super({ highWaterMark: 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.held.push({ chunk, done });
    this.#arrived?.();
  }

  /** Resolves once a chunk is held (now, or when one arrives). */
  chunkHeld(): Promise<void> {
    if (this.held.length > 0) return Promise.resolve();
    return new Promise((resolve) => (this.#arrived = resolve));
  }

  /** The reader takes the oldest held chunk. */
  takeOne(): void {
    const next = this.held.shift();
    if (!next) return;
    const text = next.chunk.toString('utf8');
    if (text.startsWith('{"type":"RECORD"')) {
      this.recordChunks += 1;
      this.rows += text.split('\n').filter((line) => line.startsWith('{"type":"RECORD"')).length;
    }
    next.done();
  }
}

/** id-ordered pages of `rows`, decoded by the tap's transcoder when given one (the REST path); watched by the test. */
class WatchedSource implements WmsSource {
  readonly yielded: WmsPage[] = [];
  /** Called before each list page is handed to the sync loop, with the one before it in its listing (taken by now). */
  onPage: (previous: WmsPage | undefined) => void = () => undefined;
  readonly #rows: Row[];

  constructor(rows: Row[]) {
    this.#rows = rows;
  }

  async entities(): Promise<string[]> {
    return ['uom'];
  }

  async describe(): Promise<Record<string, unknown>> {
    throw new Error('not used');
  }

  async *pages(_entity: string, params: URLSearchParams, transcoder?: PageTranscoder): AsyncGenerator<WmsPage> {
    let rows = [...this.#rows];
    for (const [key, value] of params) {
      if (key === 'id__gt') rows = rows.filter((r) => (r.id as number) > Number(value));
      if (key === 'id__gte') rows = rows.filter((r) => (r.id as number) >= Number(value));
      if (key === 'id__lt') rows = rows.filter((r) => (r.id as number) < Number(value));
    }
    if (params.get('ordering') === '-id') rows.reverse();
    const size = Number(params.get('page_size'));
    let previous: WmsPage | undefined;
    for (let offset = 0; offset < rows.length; offset += size) {
      const results = rows.slice(offset, offset + size);
      const nextPage = offset + size < rows.length ? `mem://uom/${offset + size}` : null;
      const decoded = size > 1 ? transcoder?.(JSON.stringify({ results, next_page: nextPage })) : undefined;
      const page: WmsPage = decoded
        ? { results: decoded.results, recordTexts: decoded.recordTexts, nextPage, url: 'mem://' }
        : { results, nextPage, url: 'mem://' };
      if (size > 1) {
        this.onPage(previous);
        this.yielded.push(page);
        previous = page;
      }
      yield page;
    }
  }
}

const describeUom = { fields: { id: { type: 'pk' }, code: { type: 'varchar', max_length: 40 } } };
const ROWS: Row[] = Array.from({ length: 400 }, (_, i) => ({ id: i + 1, code: `unit of measure ${i + 1}` }));

describe('tap memory stays bounded behind a slow reader (issue 18: counted, not timed)', () => {
  for (const transcoded of [true, false]) {
    it(`${transcoded ? 'transcoded' : 'parsed'} pages: pages taken but unread never exceed max_concurrent_requests, stdout's buffer never exceeds that many pages, and a waiting page's rows are let go`, async () => {
      const concurrency = 4;
      const pageSize = 10;
      const source = new WatchedSource(ROWS);
      if (!transcoded)
        // A source that ignores the transcoder: the general path (parsed rows, transformed, serialized).
        source.pages = (
          (pages) => (entity: string, params: URLSearchParams) =>
            pages(entity, params)
        )(source.pages.bind(source));
      const reader = new PausedReader();
      const output = new SingerOutput(new MessageWriter(reader), emptyState());
      const config = validateConfig(
        {
          base_url: 'https://h/env',
          username: 'demo',
          password: 'demo',
          page_size: pageSize,
          enable_incremental: false,
          max_concurrent_requests: concurrency,
          full_sync_partitions: concurrency,
        },
        TAP_SETTINGS,
      ).config;
      let biggestPage = 0;
      let mostUnread = 0;
      let mostBuffered = 0;
      let keptRows = 0;
      source.onPage = (previous) => {
        const unread = source.yielded.length + 1 - reader.recordChunks;
        mostUnread = Math.max(mostUnread, unread);
        mostBuffered = Math.max(mostBuffered, reader.writableLength);
        // The page the loop took before this one may still wait on the reader: as bytes only.
        keptRows += (previous?.results.length ?? 0) + (previous?.recordTexts?.length ?? 0);
      };
      const { logger, metrics } = testLogger();
      let finished = false;
      const run = sync(
        { streams: [catalogEntry('uom', describeUom, [], true)] },
        { source, config, output, logger, metrics, now: () => Date.parse('2025-06-01T12:00:00Z') },
      ).finally(() => (finished = true));
      run.catch(() => undefined);
      // The reader takes one chunk each time one is held, until the run is over.
      while (!finished) {
        await Promise.race([reader.chunkHeld(), run]);
        if (reader.held.length > 0) {
          const chunk = reader.held[0].chunk;
          if (chunk.toString('utf8').startsWith('{"type":"RECORD"')) biggestPage = Math.max(biggestPage, chunk.length);
          reader.takeOne();
        }
      }
      await run;
      while (reader.held.length > 0) reader.takeOne();

      expect(reader.rows).to.equal(ROWS.length);
      expect(source.yielded).to.have.length(ROWS.length / pageSize);
      expect(source.yielded.every((page) => (page.recordTexts !== undefined) === transcoded)).to.equal(true);
      // The reader was slower than the tap: pages did wait on it, at most one per id range.
      expect(mostUnread).to.be.greaterThan(1);
      expect(mostUnread).to.be.at.most(concurrency);
      expect(mostBuffered).to.be.at.most(concurrency * biggestPage + 1024);
      expect(keptRows, 'rows or record texts kept by pages waiting on the reader').to.equal(0);
      expect(source.yielded.every((page) => page.results.length === 0 && !page.recordTexts?.length)).to.equal(true);
    });
  }
});
