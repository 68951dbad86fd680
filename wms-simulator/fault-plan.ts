import { hashString, mulberry32 } from './prng.js';

/**
 * Injected faults, written as a compact spec so a CLI flag or a test can say exactly what breaks:
 *
 *   spec    := rule ("," rule)*
 *   rule    := [scope ":"] kind ["(" args ")"] ["@" trigger]
 *   scope   := "*" | entity | entity "/describe" | "entities" | "token"     (default "*")
 *   trigger := N | N "-" M | N "+" | P                                    (default: every request)
 *
 * `N` fires on the Nth request the rule matches, `N-M` on the Nth to Mth, `N+` from the Nth on, and a
 * decimal `P` (0 < P ≤ 1, e.g. 0.1) on each request with probability P from a generator seeded by the
 * simulator seed and the rule, so runs repeat exactly. Scope `*` matches every lgfapi request, an
 * entity its list and retrieve requests.
 *
 * Kinds: 429(retryAfterSeconds=1), 500, 502, 503, 504 (JSON error bodies), html502 (an HTML gateway
 * page), stall(ms=120000) (answer only after ms), reset(bytes=64) (send headers and `bytes` of the body,
 * then destroy the socket), phantom (paged mode: the page after the last one answers 500 instead of 404),
 * no-ordering (400 when `ordering` is given), latency(baseMs, perRowMs=0).
 */
export type FaultKind =
  '429' | '500' | '502' | '503' | '504' | 'html502' | 'stall' | 'reset' | 'phantom' | 'no-ordering' | 'latency';

const KINDS = new Set<FaultKind>([
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
const DEFAULT_ARGS: Partial<Record<FaultKind, number[]>> = {
  '429': [1],
  stall: [120000],
  reset: [64],
  latency: [0, 0],
};

export type Trigger =
  { type: 'always' } | { type: 'count'; from: number; to: number } | { type: 'probability'; p: number };

export interface FaultRule {
  readonly scope: string;
  readonly kind: FaultKind;
  readonly args: readonly number[];
  readonly trigger: Trigger;
  readonly text: string;
}

/** What a request is, for scope matching. */
export interface RequestTarget {
  readonly op: 'entities' | 'describe' | 'list' | 'retrieve' | 'token';
  readonly entity: string | null;
}

export interface Fault {
  readonly kind: FaultKind;
  readonly args: readonly number[];
  readonly rule: string;
}

export class FaultSpecError extends Error {}

export function parseFaultSpec(spec: string): FaultRule[] {
  return splitTopLevel(spec)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseRule);
}

function splitTopLevel(spec: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(spec.slice(start, i));
      start = i + 1;
    }
  }
  out.push(spec.slice(start));
  return out;
}

const RULE = /^(?:([*a-z0-9_]+(?:\/describe)?):)?([a-z0-9-]+)(?:\(([^)]*)\))?(?:@(.+))?$/;

function parseRule(text: string): FaultRule {
  const m = RULE.exec(text);
  if (!m) throw new FaultSpecError(`fault rule '${text}' does not match [scope:]kind[(args)][@trigger]`);
  const [, scope = '*', kindText, argText, triggerText] = m;
  if (!KINDS.has(kindText as FaultKind)) throw new FaultSpecError(`unknown fault kind '${kindText}' in '${text}'`);
  const kind = kindText as FaultKind;
  const defaults = DEFAULT_ARGS[kind] ?? [];
  const given = argText === undefined || argText.trim() === '' ? [] : argText.split(',').map((a) => Number(a.trim()));
  if (given.some((n) => !Number.isFinite(n) || n < 0)) throw new FaultSpecError(`bad arguments in '${text}'`);
  const args = defaults.map((d, i) => given[i] ?? d);
  return { scope, kind, args, trigger: parseTrigger(triggerText, text), text };
}

function parseTrigger(t: string | undefined, rule: string): Trigger {
  if (t === undefined) return { type: 'always' };
  let m: RegExpExecArray | null;
  if ((m = /^(\d+)$/.exec(t))) return { type: 'count', from: Number(m[1]), to: Number(m[1]) };
  if ((m = /^(\d+)-(\d+)$/.exec(t))) return { type: 'count', from: Number(m[1]), to: Number(m[2]) };
  if ((m = /^(\d+)\+$/.exec(t))) return { type: 'count', from: Number(m[1]), to: Infinity };
  if (/^(0?\.\d+|1(\.0*)?)$/.test(t)) return { type: 'probability', p: Number(t) };
  throw new FaultSpecError(`bad trigger '@${t}' in '${rule}'`);
}

/** Rules plus their per-rule request counters and seeded generators. */
export class FaultPlan {
  private counts: number[];
  private rngs: (() => number)[];

  constructor(
    readonly rules: readonly FaultRule[],
    seed: number,
  ) {
    this.counts = rules.map(() => 0);
    this.rngs = rules.map((r, i) => mulberry32(hashString(`${seed}:${i}:${r.text}`)));
  }

  static parse(spec: string, seed: number): FaultPlan {
    return new FaultPlan(parseFaultSpec(spec), seed);
  }

  /** Faults of the given kinds that fire for this request (each matching rule counts the request). */
  fire(target: RequestTarget, kinds: ReadonlySet<FaultKind>): Fault[] {
    const fired: Fault[] = [];
    this.rules.forEach((rule, i) => {
      if (!kinds.has(rule.kind) || !matches(rule.scope, target)) return;
      const n = ++this.counts[i];
      const t = rule.trigger;
      const hit = t.type === 'always' || (t.type === 'count' ? n >= t.from && n <= t.to : this.rngs[i]() < t.p);
      if (hit) fired.push({ kind: rule.kind, args: rule.args, rule: rule.text });
    });
    return fired;
  }
}

function matches(scope: string, target: RequestTarget): boolean {
  if (scope === '*') return target.op !== 'token';
  if (scope === 'token') return target.op === 'token';
  if (scope === 'entities') return target.op === 'entities';
  if (scope.endsWith('/describe'))
    return target.op === 'describe' && target.entity === scope.slice(0, -'/describe'.length);
  return (target.op === 'list' || target.op === 'retrieve') && target.entity === scope;
}
