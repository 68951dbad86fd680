// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { ExactNumber } from '../../../singer/exact-number.js';
import { MessageWriter } from '../../../singer/writer.js';

/** A consumer that takes `delayMs` per chunk and records every chunk it received. */
class SlowSink extends Writable {
  readonly chunks: string[] = [];
  maxBuffered = 0;
  constructor(
    readonly delayMs: number,
    highWaterMark: number,
  ) {
    super({ highWaterMark, decodeStrings: false });
  }
  override _write(chunk: string, _encoding: BufferEncoding, callback: () => void): void {
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    setTimeout(() => {
      this.chunks.push(String(chunk));
      callback();
    }, this.delayMs);
  }
}

describe('singer/writer: MessageWriter against a slow consumer', () => {
  it('write() waits for drain, lines are whole and in order, buffering stays bounded, end() waits', async () => {
    const sink = new SlowSink(1, 64);
    const writer = new MessageWriter(sink);
    let pendingWhenBlocked = 0;
    let blockedWrites = 0;
    const record = { id: 0, name: 'x'.repeat(100) };
    for (let i = 0; i < 200; i += 1) {
      const promise = writer.write({ type: 'RECORD', stream: 's', record: { ...record, id: i } });
      let settled = false;
      void promise.then(() => (settled = true));
      await Promise.resolve();
      if (!settled) {
        blockedWrites += 1;
        pendingWhenBlocked = Math.max(pendingWhenBlocked, sink.writableLength);
      }
      await promise;
      // After a write resolves the buffer is below the mark again: memory cannot grow with the number of lines.
      assert.ok(sink.writableLength <= 200, `buffered ${sink.writableLength} bytes`);
    }
    assert.ok(blockedWrites >= 150, `only ${blockedWrites} writes waited for drain`);
    await writer.end();
    // end() returned only after the slow consumer had every line.
    assert.equal(sink.chunks.length, 200);
    assert.equal(sink.writableLength, 0);
    sink.chunks.forEach((chunk, i) => {
      assert.ok(chunk.endsWith('\n') && chunk.indexOf('\n') === chunk.length - 1, 'one write per line');
      assert.deepEqual(JSON.parse(chunk), { type: 'RECORD', stream: 's', record: { ...record, id: i } });
    });
    assert.ok(pendingWhenBlocked > 0);
  });

  it('end() waits for lines that were buffered below the high-water mark', async () => {
    const sink = new SlowSink(20, 1 << 20);
    const writer = new MessageWriter(sink);
    await writer.write({ type: 'STATE', value: { a: 1 } });
    await writer.writeValue({ bookmarks: {} });
    assert.equal(sink.chunks.length, 0, 'the sink is slow: nothing is written yet');
    await writer.end();
    assert.deepEqual(sink.chunks, ['{"type":"STATE","value":{"a":1}}\n', '{"bookmarks":{}}\n']);
  });

  it('concurrent writers never interleave partial lines', async () => {
    const sink = new SlowSink(0, 16);
    const writer = new MessageWriter(sink);
    const writes = Array.from({ length: 50 }, (_, i) => writer.writeValue({ i, pad: 'p'.repeat(i * 10) }));
    // All 50 are blocked on the same drain: they share one listener rather than adding 50.
    assert.equal(sink.listenerCount('drain'), 1);
    await Promise.all(writes);
    await writer.end();
    const lines = sink.chunks.join('').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 50);
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { i: number }).i).sort((a, b) => a - b),
      [...Array(50).keys()],
    );
  });

  it('writes upper-case types and ExactNumber as bare literals', async () => {
    const out = new PassThrough();
    const writer = new MessageWriter(out);
    await writer.write({ type: 'RECORD', stream: 's', record: { id: new ExactNumber('18446744073709551615') } });
    out.end();
    assert.equal(String(out.read()), '{"type":"RECORD","stream":"s","record":{"id":18446744073709551615}}\n');
  });

  it('rejects a pending write when the consumer fails, and every later write', async () => {
    const sink = new Writable({
      highWaterMark: 8,
      write(_chunk, _encoding, callback) {
        setTimeout(() => callback(new Error('EPIPE')), 5);
      },
    });
    const writer = new MessageWriter(sink);
    await assert.rejects(writer.writeValue({ a: 'long enough to exceed the mark' }), /EPIPE/);
    await assert.rejects(writer.writeValue({ b: 1 }), /EPIPE/);
    await assert.rejects(writer.end(), /EPIPE/);
  });

  it('does not pile up listeners over many drain waits', async () => {
    const sink = new SlowSink(0, 8);
    const writer = new MessageWriter(sink);
    for (let i = 0; i < 100; i += 1) await writer.writeValue({ i });
    await writer.end();
    assert.ok(
      sink.listenerCount('drain') === 0 && sink.listenerCount('close') <= 1,
      `drain ${sink.listenerCount('drain')}, close ${sink.listenerCount('close')}`,
    );
  });

  it('lines written in the same tick reach a writev-capable consumer in one batch, each still a whole chunk', async () => {
    const batches: string[][] = [];
    const sink = new Writable({
      highWaterMark: 1 << 20,
      writev(chunks, callback) {
        batches.push(chunks.map(({ chunk }) => String(chunk)));
        callback();
      },
      write(chunk, _encoding, callback) {
        batches.push([String(chunk)]);
        callback();
      },
    });
    const writer = new MessageWriter(sink);
    await Promise.all([writer.writeValue(1), writer.writeValue(2), writer.writeValue(3)]);
    await writer.end();
    await writer.writeValue(4);
    await writer.end();
    assert.deepEqual(batches, [['1\n', '2\n', '3\n'], ['4\n']]);
  });
});
