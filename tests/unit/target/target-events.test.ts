import assert from 'node:assert/strict';
import type { NumberedMessage } from '../../../singer/index.js';
import { TargetEvents, type TargetEvent } from '../../../target-oracle/target-events.js';

const state = (line: number): NumberedMessage => ({ message: { type: 'STATE', value: line }, line });

async function* batches(...lists: NumberedMessage[][]): AsyncGenerator<NumberedMessage[]> {
  for (const list of lists) yield list;
}

/** What an event is, in one word: the message's line, or the event's kind. */
const describe_ = (event: TargetEvent | undefined): string | number | undefined =>
  event === undefined ? undefined : event.kind === 'message' ? event.message.line : event.kind;

describe('target-oracle/target-events: batches handed out without a promise per message', () => {
  it('poll() hands out the rest of a batch read, then nothing until next() reads the following batch', async () => {
    const events = new TargetEvents(batches([state(1), state(2), state(3)], [], [state(4)]));
    assert.equal(events.poll(), undefined, 'nothing is read before the first next()');
    assert.equal(describe_(await events.next()), 1);
    assert.equal(describe_(events.poll()), 2);
    assert.equal(describe_(events.poll()), 3);
    assert.equal(events.poll(), undefined);
    // The empty batch between is skipped.
    assert.equal(describe_(await events.next()), 4);
    assert.equal(describe_(await events.next()), 'end');
    events.close();
  });

  it('a wake-up is handed out before the next message of the batch, and no message is lost', async () => {
    const events = new TargetEvents(batches([state(1), state(2), state(3)]));
    const seen = [describe_(await events.next())];
    events.flushed();
    seen.push(describe_(events.poll()));
    for (let event = events.poll(); event; event = events.poll()) seen.push(describe_(event));
    seen.push(describe_(await events.next()));
    assert.deepEqual(seen, [1, 'flushed', 2, 3, 'end']);
    events.close();
  });
});
