import assert from 'node:assert/strict';
import { inSourceOrder } from '../../../../tap-oracle-wms/data-extract/read-ahead.js';

/** Lets the background read-ahead run until nothing more is pending (a hang guard, not a timing). */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 200; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('Data Extract read-ahead: what is held in memory is bounded by construction (counts, not time)', () => {
  const SOURCES = 12;
  const ITEMS = 40;

  for (const [concurrency, depth] of [
    [1, 1],
    [4, 2],
    [3, 5],
  ])
    it(`${concurrency} file(s) at once, ${depth} batch(es) ahead: never more than ${concurrency * depth} items read and not yet written; output in source order`, async () => {
      let produced = 0;
      let consumed = 0;
      let opened = 0;
      let worst = 0;
      const source = (index: number): AsyncIterator<string> => {
        opened += 1;
        return (async function* () {
          for (let item = 0; item < ITEMS; item += 1) {
            produced += 1;
            yield `${index}:${item}`;
          }
        })();
      };
      const out: string[] = [];
      let sourceIndex = 0;
      for await (const { source: index, items } of inSourceOrder(
        [...Array(SOURCES).keys()],
        concurrency,
        depth,
        source,
      )) {
        assert.equal(index, sourceIndex++);
        assert.ok(opened <= Math.min(SOURCES, index + concurrency), `${opened} sources opened at source ${index}`);
        for await (const item of items) {
          consumed += 1;
          out.push(item);
          await settle();
          worst = Math.max(worst, produced - consumed);
          assert.ok(produced - consumed <= concurrency * depth, `${produced - consumed} items held at ${item}`);
        }
      }
      assert.deepEqual(
        out,
        [...Array(SOURCES).keys()].flatMap((index) => [...Array(ITEMS).keys()].map((item) => `${index}:${item}`)),
      );
      assert.equal(
        worst,
        concurrency * depth,
        'the read-ahead fills up to its bound (so the bound is what is measured)',
      );
    });
});
