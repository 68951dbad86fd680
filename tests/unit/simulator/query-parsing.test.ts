import assert from 'node:assert/strict';
import { pageSizeOf, parseListParams } from '../../../wms-simulator/list-params.js';
import { QueryString } from '../../../wms-simulator/query-string.js';

describe('wms-simulator query parsing (Django QueryDict rules)', () => {
  it('+ decodes to a space, %2B to a plus; repeated keys keep every pair, last value wins', () => {
    const q = QueryString.parse('a=1&b=x+y&a=2&c=%2B05%3A30&flag');
    assert.equal(q.get('a'), '2');
    assert.equal(q.get('b'), 'x y');
    assert.equal(q.get('c'), '+05:30');
    assert.equal(q.get('flag'), '');
    assert.equal(q.pairs.length, 5);
  });

  it('malformed percent-encoding is a validation error', () => {
    assert.throws(() => QueryString.parse('a=%E0%A4%A'), /Invalid query string/);
  });

  it('links replace one key and sort keys like DRF replace_query_param', () => {
    const q = QueryString.parse('page_size=10&ordering=-id&cursor=old&b=1');
    assert.equal(q.with('cursor', 'cD0x'), 'b=1&cursor=cD0x&ordering=-id&page_size=10');
    assert.equal(QueryString.parse('page=3&x=a+b').with('page', null), 'x=a+b');
  });

  it('page_size follows DRF _positive_int with a 1250 cutoff', () => {
    assert.equal(pageSizeOf(undefined, 50), 50);
    assert.equal(pageSizeOf('100', 50), 100);
    assert.equal(pageSizeOf('5000', 50), 1250);
    assert.equal(pageSizeOf('0', 50), 50);
    assert.equal(pageSizeOf('-1', 50), 50);
    assert.equal(pageSizeOf('1.5', 50), 50);
    assert.equal(pageSizeOf('ten', 50), 50);
  });

  it('splits reserved keys from filters; ! marks a negation', () => {
    const p = parseListParams(
      QueryString.parse(
        'page_mode=sequenced&ordering=mod_ts,-id&status_id!=90&code__in!=A,B&fields=id,code&format=json',
      ),
      50,
    );
    assert.equal(p.pageMode, 'sequenced');
    assert.deepEqual(p.ordering, ['mod_ts', '-id']);
    assert.deepEqual(p.fields, ['id', 'code']);
    assert.deepEqual(p.filters, [
      { key: 'status_id', negate: true, value: '90' },
      { key: 'code__in', negate: true, value: 'A,B' },
    ]);
  });

  it('values_list aliases must be unique; distinct needs values_list', () => {
    const p = parseListParams(QueryString.parse('values_list=id,order_id__order_nbr:nbr&distinct=1'), 50);
    assert.deepEqual(p.valuesList, [
      { expr: 'id', alias: 'id' },
      { expr: 'order_id__order_nbr', alias: 'nbr' },
    ]);
    assert.equal(p.distinct, true);
    assert.equal(parseListParams(QueryString.parse('distinct=true'), 50).distinct, false);
    assert.throws(() => parseListParams(QueryString.parse('values_list=id:x,code:x'), 50), /Invalid input/);
  });

  it('rejects unknown page modes and non-JSON formats', () => {
    assert.throws(() => parseListParams(QueryString.parse('page_mode=offset'), 50));
    assert.throws(() => parseListParams(QueryString.parse('format=xml'), 50));
  });
});
