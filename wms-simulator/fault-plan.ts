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
 * no-ordering (400 when `ordering` is given), latency(baseMs, perRowMs=0), short(rows=1) (a list page answers only
 * its first `rows` rows, its next_page unchanged), shrink (paged mode: the page reports itself as the last one, a
 * stale page_count, next_page null), overcount (paged mode: the last page reports one page more and links to it; with
 * phantom that page answers 500), wms-latency(scale=1) (a delay drawn from the real page latencies, times scale).
 *
 * Data Extract export kinds (an entity scope matches that entity's exports; a trigger counts exports, not requests):
 * export-late(file=1, polls=2) (that file lands `polls` status polls after the entity's other files are written), export-stuck (the
 * status stays IN_PROGRESS), export-failed(files=0) (the export fails after that many files), export-truncated(file=1,
 * bytes=64) (that file is stored without its last `bytes` bytes: a truncated gzip when compressed).
 */
/**
 * Every fault kind, and where it acts: `request` kinds the server applies to the HTTP exchange before or instead of
 * the API's answer (status, body, timing, socket); `listing` kinds the API applies while it builds a list answer;
 * `export` kinds a Data Extract export applies to its files and status (data-extract-service.ts).
 */
const FAULT_KINDS = {
  '429': 'request',
  '500': 'request',
  '502': 'request',
  '503': 'request',
  '504': 'request',
  html502: 'request',
  stall: 'request',
  reset: 'request',
  latency: 'request',
  'wms-latency': 'request',
  phantom: 'listing',
  'no-ordering': 'listing',
  short: 'listing',
  shrink: 'listing',
  overcount: 'listing',
  'export-late': 'export',
  'export-stuck': 'export',
  'export-failed': 'export',
  'export-truncated': 'export',
} as const satisfies Record<string, 'request' | 'listing' | 'export'>;

export type FaultKind = keyof typeof FAULT_KINDS;

function isFaultKind(text: string): text is FaultKind {
  return Object.hasOwn(FAULT_KINDS, text);
}

/**
 * The faults that act on a whole request, around the API's answer (request-faults.ts): some replace it (429, 5xx, an
 * HTML gateway page), the others shape its delivery (latency, a stall, a connection reset part-way through the body).
 * The other kinds act inside the API's list answers.
 */
export const REQUEST_FAULTS: ReadonlySet<FaultKind> = new Set(
  (Object.keys(FAULT_KINDS) as FaultKind[]).filter((kind) => FAULT_KINDS[kind] === 'request'),
);
/** The faults a Data Extract export draws once, when it is requested, for each of its entities. */
export const EXPORT_FAULTS: ReadonlySet<FaultKind> = new Set(
  (Object.keys(FAULT_KINDS) as FaultKind[]).filter((kind) => FAULT_KINDS[kind] === 'export'),
);
const DEFAULT_ARGS: Partial<Record<FaultKind, number[]>> = {
  '429': [1],
  stall: [120000],
  reset: [64],
  latency: [0, 0],
  short: [1],
  'wms-latency': [1],
  'export-late': [1, 2],
  'export-failed': [0],
  'export-truncated': [1, 64],
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
  readonly op: 'entities' | 'describe' | 'list' | 'retrieve' | 'token' | 'export';
  readonly entity: string | null;
}

export interface Fault {
  readonly kind: FaultKind;
  readonly args: readonly number[];
  readonly rule: string;
  /** A uniform draw in [0, 1) from the rule's seeded generator, for faults that vary (wms-latency). */
  readonly draw: number;
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

/**
 * Page latencies of a real tenant (allocation pages: median 5.37 s, p90 23.13 s, max 209.6 s over 463 pages) as a
 * log-normal: mu = ln(5.37), sigma = ln(23.13 / 5.37) / 1.2816 (the 90th percentile's z). About 1 page in 1,500 takes
 * over 200 s; draws are capped at 300 s, the read timeout the real client used. Returns milliseconds.
 */
export function realPageLatencyMs(draw: number): number {
  const mu = Math.log(5.37);
  const sigma = Math.log(23.13 / 5.37) / 1.2816;
  return Math.min(300_000, Math.exp(mu + sigma * inverseNormal(Math.min(Math.max(draw, 1e-9), 1 - 1e-9))) * 1000);
}

/** The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
function inverseNormal(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - low) return -inverseNormal(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

function parseRule(text: string): FaultRule {
  const m = RULE.exec(text);
  if (!m) throw new FaultSpecError(`fault rule '${text}' does not match [scope:]kind[(args)][@trigger]`);
  const [, scope = '*', kindText, argText, triggerText] = m;
  if (!isFaultKind(kindText)) throw new FaultSpecError(`unknown fault kind '${kindText}' in '${text}'`);
  const kind = kindText;
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
      if (hit) fired.push({ kind: rule.kind, args: rule.args, rule: rule.text, draw: this.rngs[i]() });
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
  return (target.op === 'list' || target.op === 'retrieve' || target.op === 'export') && target.entity === scope;
}
