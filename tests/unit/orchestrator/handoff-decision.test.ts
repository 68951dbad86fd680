import assert from 'node:assert/strict';
import { handoffDecision, TAKEN_OVER } from '../../../orchestrator/handoff-decision.js';

const S = '2026-12-03T10:00:00.123456+00:00';
const completedFull = {
  singer_state: { bookmarks: { allocation: { replication_key: 'mod_ts', replication_key_value: S } } },
};

describe('handoffDecision: what the incremental state becomes after a full load (pure; meltano-handoff, initial-load)', () => {
  it('a completed full load is taken over: the bookmark goes to its snapshot start, even backward, with the marker; other streams kept', () => {
    const incremental = {
      singer_state: {
        bookmarks: {
          allocation: { replication_key: 'mod_ts', replication_key_value: '2026-12-03T11:00:00+00:00' },
          order_hdr: { replication_key: 'mod_ts', replication_key_value: 'x' },
        },
      },
    };
    const decision = handoffDecision(completedFull, incremental, 'allocation');
    assert.equal(decision.action, 'set');
    assert.deepEqual(decision.action === 'set' && decision.state, {
      singer_state: {
        bookmarks: {
          allocation: { replication_key: 'mod_ts', replication_key_value: S, [TAKEN_OVER]: S },
          order_hdr: { replication_key: 'mod_ts', replication_key_value: 'x' },
        },
      },
    });
  });

  it('an empty incremental state ({} from `meltano state get` of an unknown id) gets the bookmark too', () => {
    const decision = handoffDecision(completedFull, {}, 'allocation');
    assert.deepEqual(decision.action === 'set' && decision.state.singer_state?.bookmarks, {
      allocation: { replication_key: 'mod_ts', replication_key_value: S, [TAKEN_OVER]: S },
    });
  });

  it('the same full load is not taken over twice: a later bookmark with its marker is kept', () => {
    const incremental = {
      singer_state: {
        bookmarks: {
          allocation: { replication_key: 'mod_ts', replication_key_value: '2026-12-04T00:00:00Z', [TAKEN_OVER]: S },
        },
      },
    };
    const decision = handoffDecision(completedFull, incremental, 'allocation');
    assert.equal(decision.action, 'none');
    assert.match(decision.action === 'none' ? decision.reason : '', /already taken over/);
  });

  it('nothing is taken over from a full job with no state, open id ranges, or no snapshot start', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /no full load completed/],
      [{ singer_state: { bookmarks: { allocation: { version: 1, partitions: [{ context: {} }] } } } }, /not completed/],
      [{ singer_state: { bookmarks: { allocation: {} } } }, /no snapshot start/],
    ];
    for (const [full, reason] of cases) {
      const decision = handoffDecision(full, {}, 'allocation');
      assert.equal(decision.action, 'none');
      assert.match(decision.action === 'none' ? decision.reason : '', reason);
    }
  });

  it("a full job's Data Extract load is taken over once complete; under way, the former load's start beside it is not", () => {
    const extract = (complete: boolean) => ({
      singer_state: {
        bookmarks: {
          allocation: {
            data_extract: { prefix: 'run-2/allocation/', complete },
            replication_key: 'mod_ts',
            replication_key_value: S,
          },
        },
      },
    });
    const underWay = handoffDecision(extract(false), {}, 'allocation');
    assert.equal(underWay.action, 'none');
    assert.match(underWay.action === 'none' ? underWay.reason : '', /not completed its Data Extract load/);
    const done = handoffDecision(extract(true), {}, 'allocation');
    assert.deepEqual(done.action === 'set' && done.state.singer_state?.bookmarks, {
      allocation: { replication_key: 'mod_ts', replication_key_value: S, [TAKEN_OVER]: S },
    });
  });
});
