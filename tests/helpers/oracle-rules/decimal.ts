/** An exact decimal: coef × 10^exp (Oracle NUMBER holds up to 40 significant digits; no double ever involved). */
export interface Decimal {
  coef: bigint;
  exp: number;
}

const TEN = 10n;

function normalize(d: Decimal): Decimal {
  if (d.coef === 0n) return { coef: 0n, exp: 0 };
  let { coef, exp } = d;
  while (coef % TEN === 0n) {
    coef /= TEN;
    exp += 1;
  }
  return { coef, exp };
}

/** Parses `[+-]digits[.digits][e[+-]n]` with `decimalChar` as the separator; undefined when it is not a number. */
export function parseDecimal(text: string, decimalChar = '.'): Decimal | undefined {
  const d = decimalChar === '.' ? '\\.' : decimalChar;
  const m = new RegExp(`^\\s*([+-]?)(\\d*)(?:${d}(\\d*))?(?:[eE]([+-]?\\d+))?\\s*$`).exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const [, sign, whole, frac = '', e = '0'] = m;
  const coef = BigInt(`${whole}${frac}` || '0') * (sign === '-' ? -1n : 1n);
  return normalize({ coef, exp: Number(e) - frac.length });
}

export function fromInteger(n: number | bigint): Decimal {
  return normalize({ coef: BigInt(n), exp: 0 });
}

export function compareDecimal(a: Decimal, b: Decimal): number {
  const exp = Math.min(a.exp, b.exp);
  const x = a.coef * TEN ** BigInt(a.exp - exp);
  const y = b.coef * TEN ** BigInt(b.exp - exp);
  return x < y ? -1 : x > y ? 1 : 0;
}

function digits(coef: bigint): number {
  return coef === 0n ? 0 : (coef < 0n ? -coef : coef).toString().length;
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const exp = Math.min(a.exp, b.exp);
  return normalize({ coef: a.coef * TEN ** BigInt(a.exp - exp) + b.coef * TEN ** BigInt(b.exp - exp), exp });
}

export function negateDecimal(d: Decimal): Decimal {
  return { coef: -d.coef, exp: d.exp };
}

/** Digits left of the decimal point (0 for |d| < 1). */
export function integerDigits(d: Decimal): number {
  return Math.max(0, digits(d.coef) + d.exp);
}

/** Rounds half away from zero to `scale` digits after the point (what NUMBER(p,s) does on assignment). */
export function roundToScale(d: Decimal, scale: number): Decimal {
  if (d.exp >= -scale) return d;
  const drop = TEN ** BigInt(-scale - d.exp);
  const negative = d.coef < 0n;
  const abs = negative ? -d.coef : d.coef;
  let kept = abs / drop;
  if ((abs % drop) * 2n >= drop) kept += 1n;
  return normalize({ coef: negative ? -kept : kept, exp: -scale });
}

/** Rounds to `n` significant digits (NUMBER without precision keeps up to 40). */
export function roundSignificant(d: Decimal, n: number): Decimal {
  const extra = digits(d.coef) - n;
  return extra > 0 ? roundToScale(d, -(d.exp + extra)) : d;
}

/** TO_CHAR(n, 'TM9') with `decimalChar`: no leading zero before the point ('.5', '-.001'), no trailing zeros. */
export function decimalText(d: Decimal, decimalChar = '.'): string {
  if (d.coef === 0n) return '0';
  const negative = d.coef < 0n;
  const text = (negative ? -d.coef : d.coef).toString();
  let body: string;
  if (d.exp >= 0) body = text + '0'.repeat(d.exp);
  else if (-d.exp >= text.length) body = `${decimalChar}${'0'.repeat(-d.exp - text.length)}${text}`;
  else body = `${text.slice(0, text.length + d.exp)}${decimalChar}${text.slice(text.length + d.exp)}`;
  return `${negative ? '-' : ''}${body}`;
}
