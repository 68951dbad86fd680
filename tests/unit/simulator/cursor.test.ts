import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor } from '../../../wms-simulator/cursor.js';

describe('wms-simulator DRF cursor encoding', () => {
  it("decodes Oracle's documented cursor cD0xNDAw as p=1400", () => {
    assert.deepEqual(decodeCursor('cD0xNDAw'), { offset: 0, reverse: false, position: '1400' });
  });

  it('encodes tokens in DRF order (o, r, p) and omits defaults', () => {
    assert.equal(encodeCursor({ offset: 0, reverse: false, position: '1400' }), 'cD0xNDAw');
    const text = Buffer.from(
      encodeCursor({ offset: 3, reverse: true, position: '2025-05-31T21:00:01.831732-03:00' }),
      'base64',
    ).toString();
    assert.equal(text, 'o=3&r=1&p=2025-05-31T21%3A00%3A01.831732-03%3A00');
  });

  it('round-trips positions with reserved characters', () => {
    for (const c of [
      { offset: 0, reverse: false, position: 'a b+c&d=e' },
      { offset: 1250, reverse: true, position: null },
      { offset: 2, reverse: false, position: '-5' },
    ]) {
      assert.deepEqual(decodeCursor(encodeCursor(c)), c);
    }
  });

  it('rejects anything this server could not have issued', () => {
    assert.equal(decodeCursor('!!!'), null);
    assert.equal(decodeCursor('abc'), null);
    assert.equal(decodeCursor(Buffer.from('o=x').toString('base64')), null);
    assert.equal(decodeCursor(Buffer.from('r=2').toString('base64')), null);
  });
});
