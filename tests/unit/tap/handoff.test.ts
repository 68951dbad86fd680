import { emptyState } from '../../../singer/index.js';
import { finishFullSync, savedFullSync, splitIdRange, startFullSync } from '../../../tap-oracle-wms/replication.js';
import { expect } from './helpers.js';

const handoff = { replication_key: 'mod_ts', replication_key_value: '2026-01-05T10:00:00.000000+00:00' };

describe('tap full → incremental handoff in state (pure)', () => {
  it('an initial full sync keeps the handoff beside its ranges, so a resumed run hands over the first signpost', () => {
    const started = startFullSync(emptyState(), 'allocation', splitIdRange(1n, 100n, 2), undefined, handoff);
    expect(started.bookmarks.allocation.handoff).to.deep.equal(handoff);
    expect(started.bookmarks.allocation.replication_key_value, 'no bookmark while it runs').to.equal(undefined);
    const saved = savedFullSync(started, 'allocation');
    expect(saved?.handoff).to.deep.equal(handoff);
    expect(saved?.partitions).to.have.length(2);
  });

  it('the completed sync leaves only the incremental bookmark; a plain full sync leaves nothing', () => {
    const started = startFullSync(emptyState(), 'allocation', splitIdRange(1n, 100n, 2), 1700000000000, handoff);
    expect(finishFullSync(started, 'allocation', handoff).bookmarks).to.deep.equal({ allocation: handoff });
    const plain = startFullSync(emptyState(), 'item', splitIdRange(1n, 100n, 2), undefined);
    expect(savedFullSync(plain, 'item')?.handoff).to.equal(undefined);
    expect(finishFullSync(plain, 'item').bookmarks).to.deep.equal({});
  });

  it('a malformed handoff in a state file is ignored (the stream then hands over nothing)', () => {
    const state = startFullSync(emptyState(), 'allocation', splitIdRange(1n, 100n, 2), undefined);
    state.bookmarks.allocation.handoff = { replication_key: 'mod_ts', replication_key_value: 42 };
    expect(savedFullSync(state, 'allocation')?.handoff).to.equal(undefined);
  });
});
