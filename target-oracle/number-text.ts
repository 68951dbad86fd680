/**
 * Exact decimal text in one canonical spelling, computed on the digits (never through a JS double): `1.0000`,
 * `1e0` and `01` are all `1`, `-0.50` is `-0.5`, `1.5e3` is `1500`. Integer columns load the canonical text, so a
 * whole number written with trailing zeros is accepted exactly; key columns compare it, so two spellings of one
 * number are one key, as they are in the database.
 */
const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Exponents beyond this are not numbers any column can hold; refusing them keeps the expansion bounded. */
const MAX_EXPONENT = 1000;

export interface CanonicalNumber {
  text: string;
  /** No fractional digits after canonicalisation. */
  whole: boolean;
}

export function canonicalNumber(input: string): CanonicalNumber | undefined {
  const m = NUMBER.exec(input);
  if (!m) return undefined;
  const [, sign, intPart = '', fracPart = '', expPart] = m;
  if (intPart === '' && fracPart === '') return undefined;
  const exponent = expPart === undefined ? 0 : Number(expPart);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > MAX_EXPONENT) return undefined;
  const digits = (intPart + fracPart).replace(/^0+/, '');
  if (digits === '') return { text: '0', whole: true };
  // The decimal point sits after `point` digits of `digits` (may be ≤ 0 or beyond its length).
  const leadingZeros = (intPart + fracPart).length - digits.length;
  const point = intPart.length - leadingZeros + exponent;
  let whole: string;
  let fraction: string;
  if (point <= 0) {
    whole = '0';
    fraction = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    whole = digits + '0'.repeat(point - digits.length);
    fraction = '';
  } else {
    whole = digits.slice(0, point);
    fraction = digits.slice(point);
  }
  fraction = fraction.replace(/0+$/, '');
  const negative = sign === '-' ? '-' : '';
  return { text: `${negative}${whole}${fraction === '' ? '' : `.${fraction}`}`, whole: fraction === '' };
}
