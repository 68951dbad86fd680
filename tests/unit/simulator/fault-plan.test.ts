import assert from 'node:assert/strict';
import {
  EXPORT_FAULTS,
  FaultPlan,
  parseFaultSpec,
  REQUEST_FAULTS,
  type FaultKind,
  type RequestTarget,
} from '../../../wms-simulator/fault-plan.js';

const ALL = new Set<FaultKind>([
  '429',
  '500',
  '502',
  '503',
  '504',
  'html502',
  'stall',
  'reset',
  'phantom',
  'no-ordering',
  'latency',
]);
const list = (entity: string): RequestTarget => ({ op: 'list', entity });

describe('wms-simulator fault spec', () => {
  it('parses scope, kind, arguments and triggers', () => {
    const rules = parseFaultSpec(
      'allocation:429(5)@3, *:500@0.1, latency(100,20), order_dtl/describe:503@2-4, item:reset@7+',
    );
    assert.deepEqual(
      rules.map((r) => [r.scope, r.kind, r.args, r.trigger]),
      [
        ['allocation', '429', [5], { type: 'count', from: 3, to: 3 }],
        ['*', '500', [], { type: 'probability', p: 0.1 }],
        ['*', 'latency', [100, 20], { type: 'always' }],
        ['order_dtl/describe', '503', [], { type: 'count', from: 2, to: 4 }],
        ['item', 'reset', [64], { type: 'count', from: 7, to: Infinity }],
      ],
    );
  });

  it('rejects unknown kinds and bad triggers', () => {
    assert.throws(() => parseFaultSpec('teapot'), /unknown fault kind/);
    assert.throws(() => parseFaultSpec('500@x'), /bad trigger/);
    assert.throws(() => parseFaultSpec('429(-1)'), /bad arguments/);
  });

  it('count triggers fire on the Nth matching request only, per rule', () => {
    const plan = FaultPlan.parse('allocation:500@2', 1);
    const fired = [1, 2, 3].map(() => plan.fire(list('allocation'), ALL).length);
    assert.deepEqual(fired, [0, 1, 0]);
    assert.equal(plan.fire(list('item'), ALL).length, 0);
  });

  it('scopes: * excludes the token endpoint; entity matches list and retrieve, not describe', () => {
    const plan = FaultPlan.parse('*:500,allocation:503', 1);
    assert.deepEqual(plan.fire({ op: 'token', entity: null }, ALL), []);
    assert.deepEqual(
      plan.fire({ op: 'describe', entity: 'allocation' }, ALL).map((f) => f.kind),
      ['500'],
    );
    assert.deepEqual(
      plan.fire({ op: 'retrieve', entity: 'allocation' }, ALL).map((f) => f.kind),
      ['500', '503'],
    );
  });

  it('probability triggers are repeatable for a seed and differ across seeds', () => {
    const run = (seed: number) => {
      const plan = FaultPlan.parse('*:500@0.5', seed);
      return Array.from({ length: 64 }, () => plan.fire(list('x'), ALL).length);
    };
    assert.deepEqual(run(3), run(3));
    assert.notDeepEqual(run(3), run(4));
    const hits = run(3).reduce((a, b) => a + b, 0);
    assert.ok(hits > 16 && hits < 48);
  });

  it('export kinds: defaults, counted per export of their entity, never fired as request faults', () => {
    assert.deepEqual(
      parseFaultSpec('export-late, export-stuck, export-failed, export-truncated').map((r) => [r.kind, r.args]),
      [
        ['export-late', [1, 2]],
        ['export-stuck', []],
        ['export-failed', [0]],
        ['export-truncated', [1, 64]],
      ],
    );
    const plan = FaultPlan.parse('order_hdr:export-late(3,1)@2,*:export-stuck', 1);
    const exportOf = (entity: string): RequestTarget => ({ op: 'export', entity });
    assert.deepEqual(plan.fire(list('order_hdr'), REQUEST_FAULTS), []);
    const kinds = (entity: string) => plan.fire(exportOf(entity), EXPORT_FAULTS).map((f) => f.kind);
    assert.deepEqual(kinds('order_hdr'), ['export-stuck']);
    assert.deepEqual(kinds('item'), ['export-stuck']);
    assert.deepEqual(kinds('order_hdr'), ['export-late', 'export-stuck']);
  });
});
