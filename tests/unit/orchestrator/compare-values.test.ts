import assert from 'node:assert/strict';
import { ExactNumber } from '../../../singer/index.js';
import {
  canonicalDecimal,
  compareRecord,
  instantMicros,
  sameValue,
} from '../../../orchestrator/consistency/compare-values.js';

describe('orchestrator consistency: value comparison (pure)', () => {
  it('canonical decimals compare exactly, beyond double precision', () => {
    assert.equal(canonicalDecimal('+001.2300e1'), '12.3');
    assert.equal(canonicalDecimal('-0.000'), '0');
    assert.equal(canonicalDecimal('16'), '16');
    assert.equal(canonicalDecimal('1.5E-3'), '0.0015');
    assert.equal(canonicalDecimal('abc'), undefined);
    assert.equal(sameValue('12345678901234567.891', '12345678901234567.8910'), true);
    assert.equal(sameValue('12345678901234567.891', '12345678901234567.892'), false);
    assert.equal(sameValue(new ExactNumber('9007199254740993'), '9007199254740993'), true);
    assert.equal(sameValue(new ExactNumber('9007199254740993'), '9007199254740992'), false);
  });

  it('timestamps compare as instants with microseconds, whatever the offset notation', () => {
    assert.equal(instantMicros('2025-07-01T21:00:01.831732-03:00'), instantMicros('2025-07-02 00:00:01.831732+00'));
    assert.equal(sameValue('2025-07-01T21:00:01.831732-03:00', '2025-07-02 00:00:01.831732+00'), true);
    assert.equal(sameValue('2025-07-01T21:00:01.831732-03:00', '2025-07-02 00:00:01.831733+00'), false);
    assert.equal(sameValue('2025-07-01T21:00:01-03:00', '2025-07-02T00:00:01Z'), true);
  });

  it('booleans against booleans or NUMBER(1); empty string equals NULL (Oracle)', () => {
    assert.equal(sameValue(true, true), true);
    assert.equal(sameValue(true, '1'), true);
    assert.equal(sameValue(false, 1), false);
    assert.equal(sameValue('', null), true);
    assert.equal(sameValue('x', null), false);
  });

  it('relations {id,key,url} against flattened <x>_id / <x>_key columns; differences named by column only', () => {
    const source = {
      id: 88100001,
      facility_id: { id: 11, key: 'DC01', url: 'http://x/facility/11' },
      order_nbr: 'ORD-1',
      total_qty: '16.50',
      order_dtl_set: { result_count: 2, url: 'http://x' },
      extra: 'not loaded',
    };
    const row = { id: '88100001', facility_id: 11, facility_key: 'DC01', order_nbr: 'ORD-1', total_qty: '16.5' };
    assert.deepEqual(compareRecord(source, row), { mismatched: [], missingColumns: ['extra'], compared: 5 });
    const changed = compareRecord(source, { ...row, facility_key: 'DC02', total_qty: '16.51' });
    assert.deepEqual(changed.mismatched.sort(), ['facility_key', 'total_qty']);
  });
});
