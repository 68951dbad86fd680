/**
 * WMS decimals travel as strings and must stay exact (e.g. "12345678901234567.891"), so comparisons
 * work on the digits instead of going through a double.
 */
const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

export function isDecimal(text: string): boolean {
  return DECIMAL.test(text);
}

/** Canonical form: no leading '+', no redundant zeros, "-0" → "0". */
export function normalizeDecimal(text: string): string {
  const m = DECIMAL.exec(text);
  if (!m) throw new Error('not a decimal');
  const int = m[2].replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return m[1] === '-' && body !== '0' ? `-${body}` : body;
}

export function compareDecimal(a: string, b: string): number {
  const x = normalizeDecimal(a);
  const y = normalizeDecimal(b);
  const xNeg = x.startsWith('-');
  const yNeg = y.startsWith('-');
  if (xNeg !== yNeg) return xNeg ? -1 : 1;
  const magnitude = compareMagnitude(xNeg ? x.slice(1) : x, yNeg ? y.slice(1) : y);
  return xNeg && magnitude !== 0 ? -magnitude : magnitude;
}

function compareMagnitude(a: string, b: string): number {
  const [ai = '', af = ''] = a.split('.');
  const [bi = '', bf = ''] = b.split('.');
  if (ai.length !== bi.length) return ai.length < bi.length ? -1 : 1;
  if (ai !== bi) return ai < bi ? -1 : 1;
  const width = Math.max(af.length, bf.length);
  const x = af.padEnd(width, '0');
  const y = bf.padEnd(width, '0');
  return x === y ? 0 : x < y ? -1 : 1;
}
