import { emptyState, setBookmark } from '../../../singer/index.js';
import { parseInstant } from '../../../tap-oracle-wms/instant.js';
import {
  incrementalPlan,
  rangeSlice,
  splitIdRange,
  startFullSync,
  savedFullSync,
} from '../../../tap-oracle-wms/replication.js';
import { expect } from './helpers.js';

const T = (text: string) => parseInstant(text) as number;
const base = {
  stream: 'allocation',
  replicationKey: 'mod_ts',
  overlapMinutes: 15,
  lookbackMinutes: 1440,
  signpost: T('2025-06-01T12:00:00.500000Z'),
  now: T('2025-06-01T12:01:00Z'),
};

describe('tap replication plans: incremental windows and id ranges (pure)', () => {
  it('queries [bookmark − overlap, signpost) in whole UTC seconds, offsets URL-encoded, ordered mod_ts,id', () => {
    const state = setBookmark(emptyState(), 'allocation', {
      replication_key: 'mod_ts',
      replication_key_value: '2025-06-01T08:30:10.900000-03:00',
    });
    const { slice } = incrementalPlan({ ...base, state });
    expect(slice.params.get('mod_ts__gte')).to.equal('2025-06-01T11:15:10+00:00');
    expect(slice.params.get('mod_ts__lt')).to.equal('2025-06-01T12:00:01+00:00');
    expect(slice.params.get('ordering')).to.equal('mod_ts,id');
    expect(slice.params.toString()).to.contain('mod_ts__gte=2025-06-01T11%3A15%3A10%2B00%3A00');
  });

  it('starts from start_date without state, else now − initial lookback (never the whole table)', () => {
    expect(
      incrementalPlan({ ...base, state: emptyState(), startDate: '2025-05-01T00:00:00Z' }).slice.params.get(
        'mod_ts__gte',
      ),
    ).to.equal('2025-05-01T00:00:00+00:00');
    const plan = incrementalPlan({ ...base, state: emptyState() });
    expect(plan.slice.params.get('mod_ts__gte')).to.equal('2025-05-31T12:01:00+00:00');
    expect(plan.initialBookmark).to.equal('2025-05-31T12:01:00.000000+00:00');
  });

  it('bookmarks the max mod_ts as an instant (offsets differ), keeping the original text', () => {
    const { slice } = incrementalPlan({ ...base, state: emptyState() });
    const update = slice.afterPage([
      { id: 1, mod_ts: '2025-06-01T07:30:00.000001-04:00' },
      { id: 2, mod_ts: '2025-06-01T07:00:00.000002-05:00' },
      { id: 3, mod_ts: null },
    ]);
    const state = update?.(emptyState());
    expect(state?.bookmarks.allocation).to.deep.equal({
      replication_key: 'mod_ts',
      replication_key_value: '2025-06-01T07:00:00.000002-05:00',
    });
    expect(slice.afterPage([{ id: 4, mod_ts: '2025-06-01T11:00:00.000000Z' }])).to.equal(undefined);
  });

  it('never stores a bookmark beyond the signpost', () => {
    const { slice } = incrementalPlan({ ...base, state: emptyState() });
    const state = slice.afterPage([{ id: 1, mod_ts: '2025-06-01T12:00:00.900000Z' }])?.(emptyState());
    expect(state?.bookmarks.allocation.replication_key_value).to.equal('2025-06-01T12:00:00.500000+00:00');
  });

  it('splits [min, max] into n id ranges with open ends', () => {
    expect(splitIdRange(1n, 100n, 4)).to.deep.equal([
      { id_gte: null, id_lt: 26 },
      { id_gte: 26, id_lt: 51 },
      { id_gte: 51, id_lt: 76 },
      { id_gte: 76, id_lt: null },
    ]);
    expect(splitIdRange(5n, 6n, 8)).to.have.length(2);
    expect(splitIdRange(7n, 7n, 3)).to.deep.equal([{ id_gte: null, id_lt: null }]);
    const big = splitIdRange(9007199254740993n, 9007199254741093n, 2);
    expect(big[0].id_lt).to.equal('9007199254741043');
  });

  it('an id range resumes after its last id; completion is recorded per range', () => {
    const ranges = splitIdRange(1n, 100n, 2);
    const state = startFullSync(emptyState(), 'item', ranges, 42);
    const saved = savedFullSync(state, 'item');
    expect(saved?.version).to.equal(42);
    const first = rangeSlice('item', saved!.partitions[1]);
    expect(first.params.toString()).to.equal('ordering=id&id__gte=51');
    const after = first.afterPage([{ id: 60 }, { id: 77 }])!(state);
    const resumed = rangeSlice(
      'item',
      savedFullSync(after, 'item')!.partitions.find((p) => p.context.id_gte === 51)!,
    );
    expect(resumed.params.toString()).to.equal('ordering=id&id__gt=77');
    const done = resumed.complete()(after);
    expect(savedFullSync(done, 'item')!.partitions.find((p) => p.context.id_gte === 51)).to.include({
      complete: true,
      replication_key_value: 77,
    });
  });
});
