import { type Catalog, emptyState, type TapState, validateConfig } from '../../../singer/index.js';
import { catalogEntry } from '../../../tap-oracle-wms/discover.js';
import type { WmsSource } from '../../../tap-oracle-wms/http/client.js';
import type { WmsPage } from '../../../tap-oracle-wms/http/pagination.js';
import { parseInstant } from '../../../tap-oracle-wms/instant.js';
import { SingerOutput } from '../../../tap-oracle-wms/output.js';
import { TAP_SETTINGS, type TapConfig } from '../../../tap-oracle-wms/settings.js';
import { PrefixBookmark, splitWindow } from '../../../tap-oracle-wms/subwindows.js';
import { sync } from '../../../tap-oracle-wms/sync.js';
import { expect, testLogger, testWriter } from './helpers.js';

const us = (text: string): number => parseInstant(text) as number;
const T = (hhmm: string): string => `2025-06-01T${hhmm}:00.000000Z`;

describe('incremental sub-windows: the split and the one bookmark of the contiguous completed prefix', () => {
  it('splits a window into whole-second sub-windows that cover it exactly, without overlap', () => {
    const windows = splitWindow(us('2025-06-01T00:00:00.700000Z'), us('2025-06-01T00:00:10.200000Z'), 4);
    expect(windows.map((w) => [w.gte / 1e6 - us(T('00:00')) / 1e6, w.lt / 1e6 - us(T('00:00')) / 1e6])).to.deep.equal([
      [0, 2],
      [2, 5],
      [5, 8],
      [8, 11],
    ]);
    // Never more sub-windows than whole seconds, never an empty one.
    expect(splitWindow(us(T('00:00')), us('2025-06-01T00:00:02Z'), 8)).to.have.length(2);
    expect(splitWindow(us(T('00:00')), us(T('00:00')), 8)).to.deep.equal([
      { gte: us(T('00:00')), lt: us(T('00:00')) + 1e6 },
    ]);
  });

  const windows = splitWindow(us(T('00:00')), us(T('04:00')), 4); // [00,01) [01,02) [02,03) [03,04)
  const signpost = us(T('04:00'));

  it('a later sub-window completing first does not move the bookmark; the earlier one completing moves it over both', () => {
    const prefix = new PrefixBookmark(windows, signpost, T('00:10'));
    prefix.page(2, [T('02:05'), T('02:50')], true);
    prefix.complete(2);
    prefix.page(3, [T('03:30')], true);
    expect(prefix.bookmark(), 'sub-windows 0 and 1 are not done').to.equal(T('00:10'));
    prefix.page(1, [T('01:20')], true);
    expect(prefix.bookmark(), 'sub-window 1 is not the first incomplete one').to.equal(T('00:10'));
    prefix.page(0, [T('00:30')], true);
    expect(prefix.bookmark(), 'the first incomplete sub-window reads in order').to.equal(T('00:30'));
    prefix.complete(0);
    // 0 done: sub-window 1 has read in order up to 01:20.
    expect(prefix.bookmark()).to.equal(T('01:20'));
    prefix.complete(1);
    // 0, 1, 2 done: the bookmark passes over 2 (its rows up to 02:50) into sub-window 3, now the first incomplete one,
    // as far as it has read in order (03:30, read while it was not yet counted).
    expect(prefix.bookmark()).to.equal(T('03:30'));
    prefix.page(3, [T('03:45')], true);
    expect(prefix.bookmark()).to.equal(T('03:45'));
    prefix.complete(3);
    expect(prefix.done).to.equal(true);
    expect(prefix.bookmark()).to.equal(T('03:45'));
  });

  it('every completion order of four sub-windows gives a bookmark that never moves back and never passes an unread row', () => {
    const rows = [[T('00:30')], [T('01:10'), T('01:40')], [], [T('03:20')]];
    for (const order of permutations([0, 1, 2, 3])) {
      const prefix = new PrefixBookmark(windows, signpost, undefined);
      const read = new Set<string>();
      let previous = '';
      for (const index of order) {
        prefix.page(index, rows[index], true);
        for (const row of rows[index]) read.add(row);
        prefix.complete(index);
        const value = prefix.bookmark() ?? '';
        expect(value >= previous, `order ${order.join(',')}: ${value} after ${previous}`).to.equal(true);
        previous = value;
        const unread = rows.flat().filter((row) => !read.has(row) && value !== '' && us(row) < us(value));
        expect(unread, `order ${order.join(',')}: bookmark ${value} passes unread rows`).to.deep.equal([]);
      }
      expect(previous).to.equal(T('03:20'));
    }
  });

  it('unordered pages (the WMS refused the ordering) count only once their sub-window is complete; values are capped at the signpost', () => {
    const prefix = new PrefixBookmark(windows, signpost, T('00:00'));
    prefix.page(0, [T('00:50')], false);
    expect(prefix.bookmark()).to.equal(T('00:00'));
    prefix.complete(0);
    expect(prefix.bookmark()).to.equal(T('00:50'));
    prefix.complete(1);
    prefix.complete(2);
    prefix.page(3, ['2025-06-01T05:00:00.000000Z', 'not a time', null], true);
    prefix.complete(3);
    expect(prefix.bookmark()).to.equal('2025-06-01T04:00:00.000000+00:00');
  });
});

// -------------------------------------------------------------------------------------------------------------------
// Through sync(): the first sub-window is held after its first page until every other one is complete.

type Row = Record<string, unknown>;
/** 48 rows, one every 15 minutes from 00:00 to 11:45 (mod_ts in UTC). */
const ROWS: Row[] = Array.from({ length: 48 }, (_, i) => ({
  id: 1000 + ((i * 7) % 48),
  mod_ts: `2025-06-01T${String(Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}:00.000000Z`,
}));

/** lgfapi in memory: mod_ts filters, ordering, pages; the sub-window starting at `held` waits after its first page. */
class GatedSource implements WmsSource {
  readonly queries: URLSearchParams[] = [];
  open = 0;
  maxOpen = 0;
  #finished = 0;
  #release!: () => void;
  readonly #gate = new Promise<void>((resolve) => (this.#release = resolve));

  constructor(
    private readonly held: string,
    private readonly others: number,
  ) {}

  async entities(): Promise<string[]> {
    return ['order_hdr'];
  }

  async describe(): Promise<Record<string, unknown>> {
    throw new Error('not used');
  }

  async *pages(_entity: string, params: URLSearchParams): AsyncGenerator<WmsPage> {
    this.queries.push(params);
    this.open += 1;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    try {
      const gte = us(params.get('mod_ts__gte')!);
      const lt = us(params.get('mod_ts__lt')!);
      const rows = ROWS.filter((r) => us(String(r.mod_ts)) >= gte && us(String(r.mod_ts)) < lt).sort(
        (a, b) => us(String(a.mod_ts)) - us(String(b.mod_ts)) || (a.id as number) - (b.id as number),
      );
      const size = Number(params.get('page_size'));
      for (let offset = 0; offset < rows.length; offset += size) {
        if (offset > 0 && params.get('mod_ts__gte') === this.held) await this.#gate;
        yield {
          results: rows.slice(offset, offset + size),
          nextPage: offset + size < rows.length ? 'mem://' : null,
          url: 'mem://',
        };
      }
      if (params.get('mod_ts__gte') !== this.held && ++this.#finished === this.others) this.#release();
    } finally {
      this.open -= 1;
    }
  }
}

function config(extra: Record<string, unknown>): TapConfig {
  return validateConfig(
    {
      base_url: 'https://h/env',
      username: 'demo',
      password: 'demo',
      page_size: 3,
      start_date: '2025-06-01T00:00:00Z',
      replication_lag_seconds: 0,
      ...extra,
    },
    TAP_SETTINGS,
  ).config;
}

async function runSync(cfg: TapConfig, source: WmsSource, state: TapState = emptyState()) {
  const catalog: Catalog = {
    streams: [catalogEntry('order_hdr', { fields: { id: { type: 'pk' }, mod_ts: { type: 'datetime' } } }, [], true)],
  };
  const { writer, stdout } = testWriter();
  const { logger, metrics } = testLogger();
  const output = new SingerOutput(writer, state);
  await sync(catalog, { source, config: cfg, output, logger, metrics, now: () => Date.parse('2025-06-01T12:00:00Z') });
  return stdout.messages();
}

describe('incremental sub-windows through sync() (in-memory source, out-of-order completion)', () => {
  it('sub-windows 2–4 complete while the first is held: no STATE passes a row not yet written; every row once; the final bookmark is the last row', async () => {
    const source = new GatedSource('2025-06-01T00:00:00+00:00', 3);
    const messages = await runSync(config({ incremental_subwindows: 4, max_concurrent_requests: 4 }), source);
    const written = new Set<string>();
    const bookmarks: string[] = [];
    for (const message of messages) {
      if (message.type === 'RECORD') written.add(String(message.record.mod_ts));
      if (message.type !== 'STATE') continue;
      const value = (message.value as TapState).bookmarks.order_hdr?.replication_key_value as string | undefined;
      if (value === undefined) continue;
      bookmarks.push(value);
      const passed = ROWS.map((r) => String(r.mod_ts)).filter((ts) => us(ts) < us(value) && !written.has(ts));
      expect(passed, `STATE ${value} passes rows not written yet`).to.deep.equal([]);
    }
    expect(bookmarks, 'the bookmark never moves back').to.deep.equal([...bookmarks].sort());
    expect(bookmarks.at(-1)).to.equal('2025-06-01T11:45:00.000000Z');
    const ids = messages.flatMap((m) => (m.type === 'RECORD' ? [m.record.id] : []));
    expect(ids).to.have.length(48);
    expect(new Set(ids).size).to.equal(48);
    // Four contiguous whole-second sub-windows from start_date to the signpost.
    const bounds = source.queries.map((q) => [q.get('mod_ts__gte'), q.get('mod_ts__lt')]);
    expect(bounds).to.deep.equal([
      ['2025-06-01T00:00:00+00:00', '2025-06-01T03:00:00+00:00'],
      ['2025-06-01T03:00:00+00:00', '2025-06-01T06:00:00+00:00'],
      ['2025-06-01T06:00:00+00:00', '2025-06-01T09:00:00+00:00'],
      ['2025-06-01T09:00:00+00:00', '2025-06-01T12:00:00+00:00'],
    ]);
  });

  it('at most max_concurrent_requests sub-windows are read at once', async () => {
    const source = new GatedSource('none', 8);
    await runSync(config({ incremental_subwindows: 8, max_concurrent_requests: 2 }), source);
    expect(source.queries).to.have.length(8);
    expect(source.maxOpen).to.be.within(1, 2);
  });

  it('resumes from the saved bookmark minus the overlap, split again', async () => {
    const source = new GatedSource('none', 2);
    const state: TapState = {
      bookmarks: { order_hdr: { replication_key: 'mod_ts', replication_key_value: '2025-06-01T10:15:00.000000Z' } },
    };
    const messages = await runSync(
      config({ incremental_subwindows: 2, incremental_overlap_minutes: 15 }),
      source,
      state,
    );
    expect(source.queries.map((q) => [q.get('mod_ts__gte'), q.get('mod_ts__lt')])).to.deep.equal([
      ['2025-06-01T10:00:00+00:00', '2025-06-01T11:00:00+00:00'],
      ['2025-06-01T11:00:00+00:00', '2025-06-01T12:00:00+00:00'],
    ]);
    const ids = messages.flatMap((m) => (m.type === 'RECORD' ? [String(m.record.mod_ts)] : []));
    expect(ids.sort()).to.deep.equal(ROWS.map((r) => String(r.mod_ts)).filter((ts) => ts >= '2025-06-01T10:00'));
  });
});

function* permutations<T>(items: T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i += 1)
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i], ...rest];
}
