// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { clearBookmark, emptyState, getBookmark, normalizeState, setBookmark } from '../../../singer/state.js';

describe('singer/state: bookmarks in the SDK shape', () => {
  it('sets and gets a per-stream bookmark without touching the input state', () => {
    const before = emptyState();
    const after = setBookmark(before, 'allocation', {
      replication_key: 'mod_ts',
      replication_key_value: '2024-05-01T00:00:00+00:00',
    });
    assert.deepEqual(before, { bookmarks: {} });
    assert.deepEqual(after, {
      bookmarks: { allocation: { replication_key: 'mod_ts', replication_key_value: '2024-05-01T00:00:00+00:00' } },
    });
    assert.deepEqual(getBookmark(after, 'allocation'), {
      replication_key: 'mod_ts',
      replication_key_value: '2024-05-01T00:00:00+00:00',
    });
    assert.equal(getBookmark(after, 'other'), undefined);
  });

  it('keeps partitions per context, replaces the matching one, and leaves others alone', () => {
    let state = setBookmark(
      emptyState(),
      'inventory',
      { replication_key: 'mod_ts', replication_key_value: 'a' },
      { facility_id: 1 },
    );
    state = setBookmark(
      state,
      'inventory',
      { replication_key: 'mod_ts', replication_key_value: 'b' },
      { facility_id: 2 },
    );
    state = setBookmark(
      state,
      'inventory',
      { replication_key: 'mod_ts', replication_key_value: 'c' },
      { facility_id: 1 },
    );
    assert.deepEqual(getBookmark(state, 'inventory', { facility_id: 1 }), {
      context: { facility_id: 1 },
      replication_key: 'mod_ts',
      replication_key_value: 'c',
    });
    assert.deepEqual(getBookmark(state, 'inventory', { facility_id: 2 })?.replication_key_value, 'b');
    assert.equal(state.bookmarks.inventory.partitions!.length, 2);
    assert.equal(getBookmark(state, 'inventory', { facility_id: 3 }), undefined);
  });

  it('matches a context by all its keys, not a subset', () => {
    const state = setBookmark(emptyState(), 's', { replication_key_value: 1 }, { facility_id: 1, company_id: 2 });
    assert.equal(getBookmark(state, 's', { facility_id: 1 }), undefined);
    assert.equal(getBookmark(state, 's', { facility_id: 1, company_id: 2, extra: 3 }), undefined);
    assert.equal(getBookmark(state, 's', { company_id: 2, facility_id: 1 })?.replication_key_value, 1);
  });

  it('clears one stream only', () => {
    let state = setBookmark(emptyState(), 'a', { replication_key_value: 1 });
    state = setBookmark(state, 'b', { replication_key_value: 2 });
    assert.deepEqual(clearBookmark(state, 'a'), { bookmarks: { b: { replication_key_value: 2 } } });
    assert.ok('a' in state.bookmarks, 'input state untouched');
  });

  it('normalizes what Meltano may pass with --state', () => {
    assert.deepEqual(normalizeState({}), { bookmarks: {} });
    assert.deepEqual(normalizeState(null), { bookmarks: {} });
    assert.deepEqual(normalizeState([1]), { bookmarks: {} });
    assert.deepEqual(normalizeState({ bookmarks: 'junk', other: 1 }), { bookmarks: {}, other: 1 });
    assert.deepEqual(normalizeState({ type: 'STATE', value: { bookmarks: { s: { replication_key_value: 5 } } } }), {
      bookmarks: { s: { replication_key_value: 5 } },
    });
  });
});
