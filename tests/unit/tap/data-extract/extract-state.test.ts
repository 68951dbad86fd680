import { emptyState, type TapState } from '../../../../singer/index.js';
import { savedExtract, wasLoaded, withExtract } from '../../../../tap-oracle-wms/data-extract/extract-state.js';
import { compareKeys, type StoredFile } from '../../../../tap-oracle-wms/data-extract/object-store.js';
import { expect } from '../helpers.js';

const PREFIX = 'run-1/order_hdr/';
const file = (name: string, etag = `etag-${name}`): StoredFile => ({
  key: `${PREFIX}${name}`,
  size: 1,
  etag,
  lastModified: new Date(0),
});
const stateWith = (progress: unknown): TapState => ({
  ...emptyState(),
  bookmarks: { order_hdr: { data_extract: progress } },
});

describe('tap Data Extract state: a key watermark per export prefix (pure)', () => {
  it('the files up to the watermark were loaded; after it, or the watermark file rewritten, were not', () => {
    const state = withExtract(emptyState(), 'order_hdr', {
      prefix: PREFIX,
      through: { key: file('order_hdr_000002.csv').key, etag: 'etag-order_hdr_000002.csv' },
      complete: false,
      version: 7,
    });
    const saved = savedExtract(state, 'order_hdr', PREFIX);
    expect(saved).to.deep.equal({
      prefix: PREFIX,
      through: { key: `${PREFIX}order_hdr_000002.csv`, etag: 'etag-order_hdr_000002.csv' },
      complete: false,
      version: 7,
    });
    expect(wasLoaded(saved, file('order_hdr_000001.csv'))).to.equal(true);
    expect(wasLoaded(saved, file('order_hdr_000002.csv'))).to.equal(true);
    expect(wasLoaded(saved, file('order_hdr_000002.csv', 'rewritten'))).to.equal(false);
    expect(wasLoaded(saved, file('order_hdr_000003.csv'))).to.equal(false);
    expect(wasLoaded(undefined, file('order_hdr_000001.csv'))).to.equal(false);
  });

  it('a load of another prefix (another export) is no progress for this one', () => {
    const state = stateWith({
      prefix: 'run-0/order_hdr/',
      through: { key: 'run-0/order_hdr/a', etag: 'e' },
      complete: true,
    });
    expect(savedExtract(state, 'order_hdr', PREFIX)).to.equal(undefined);
    expect(savedExtract(emptyState(), 'order_hdr', PREFIX)).to.equal(undefined);
  });

  it('the former shape (every committed file listed) is read as its greatest key', () => {
    const state = stateWith({
      files: [
        [`${PREFIX}order_hdr_000001.csv`, 'e1'],
        [`${PREFIX}order_hdr_000003.csv`, 'e3'],
        [`${PREFIX}order_hdr_000002.csv`, 'e2'],
      ],
      complete: true,
      version: 5,
    });
    expect(savedExtract(state, 'order_hdr', PREFIX)).to.deep.equal({
      prefix: PREFIX,
      through: { key: `${PREFIX}order_hdr_000003.csv`, etag: 'e3' },
      complete: true,
      version: 5,
    });
    expect(savedExtract(state, 'order_hdr', 'run-2/order_hdr/')).to.equal(undefined);
  });

  it('keys compare as S3 lists them: by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF5E is one UTF-16 unit above a surrogate (D83D) but its UTF-8 bytes (EF BD 9E) sort before F0 9F 98 80.
    expect(compareKeys('a\uff5e', 'a\u{1f600}')).to.be.lessThan(0);
    expect('a\uff5e' < 'a\u{1f600}').to.equal(false);
    expect(compareKeys('a/1', 'a/1')).to.equal(0);
    expect(compareKeys('a/10', 'a/9')).to.be.lessThan(0);
  });
});
