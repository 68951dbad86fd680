import { SourceError } from '../../../singer/index.js';
import {
  NextPagePaginator,
  pageSizeOf,
  readEnvelope,
  redactQuery,
  withPageSize,
} from '../../../tap-oracle-wms/http/pagination.js';
import { expect } from './helpers.js';

describe('tap pagination (NextPagePaginator, envelopes; pure)', () => {
  it('follows next_page verbatim until null', () => {
    const paginator = new NextPagePaginator('https://h:443/e/wms/lgfapi/v10/entity/item/?page_size=2');
    const next = 'https://h:443/e/wms/lgfapi/v10/entity/item?cursor=cD0y&page_mode=sequenced&page_size=2';
    paginator.advance(next);
    expect(paginator.current).to.equal(next);
    paginator.advance(null);
    expect(paginator.current).to.equal(undefined);
  });

  it('stops a pagination loop: a next_page seen before is an error', () => {
    const paginator = new NextPagePaginator('https://h/a?x=1');
    paginator.advance('https://h/a?cursor=1');
    paginator.advance('https://h/a?cursor=2');
    expect(() => paginator.advance('https://h/a?cursor=1')).to.throw(SourceError, /pagination loop/);
  });

  it('a next_page equal to the first request is a loop too', () => {
    const paginator = new NextPagePaginator('https://h/a?x=1');
    expect(() => paginator.advance('https://h/a?x=1')).to.throw(SourceError, /pagination loop/);
  });

  it('reads sequenced and paged envelopes, and treats an empty next_page as the end', () => {
    expect(readEnvelope({ next_page: null, previous_page: null, results: [{ id: 1 }] }, 'u')).to.deep.equal({
      results: [{ id: 1 }],
      nextPage: null,
      url: 'u',
    });
    const paged = readEnvelope(
      {
        result_count: 3,
        page_count: 2,
        page_nbr: 1,
        next_page: 'https://h/x?page=2',
        previous_page: null,
        results: [],
      },
      'u',
    );
    expect(paged.nextPage).to.equal('https://h/x?page=2');
    expect(readEnvelope({ next_page: '', results: [] }, 'u').nextPage).to.equal(null);
    expect(() => readEnvelope({ detail: 'x' }, 'https://h/p?secret=1')).to.throw(SourceError, /without a results list/);
  });

  it('replaces only page_size in an opaque next_page URL', () => {
    const url =
      'https://h:443/e/wms/lgfapi/v10/entity/allocation?cursor=cD0xMDAw&ordering=mod_ts%2Cid&page_mode=sequenced&page_size=1000';
    const smaller = withPageSize(url, 500);
    expect(pageSizeOf(smaller)).to.equal(500);
    const params = new URL(smaller).searchParams;
    expect(params.get('cursor')).to.equal('cD0xMDAw');
    expect(params.get('ordering')).to.equal('mod_ts,id');
    expect(smaller.startsWith('https://h')).to.equal(true);
  });

  it('redactQuery keeps the path and query keys, never values', () => {
    expect(redactQuery('https://h/e/wms/x/?facility_id__code=DC01&page_size=5')).to.equal(
      '/e/wms/x/?facility_id__code&page_size',
    );
  });
});
