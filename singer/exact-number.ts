import { randomBytes } from 'node:crypto';

/**
 * A JSON number kept as its exact decimal text. Used where a JS double would change the value: 64-bit ids beyond
 * 2^53 and decimals with more than 15 significant digits (docs/design-rules.md rule 4). `toJSON` returns a marker that
 * `stringifyJson` turns back into the bare number text.
 */
export class ExactNumber {
  readonly text: string;

  constructor(text: string) {
    if (!EXACT_NUMBER_PATTERN.test(text)) throw new TypeError('ExactNumber needs a JSON number literal');
    this.text = text;
  }

  /** True when the text is a whole number. */
  get isInteger(): boolean {
    return !/[.eE]/.test(this.text);
  }

  toNumber(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }

  toJSON(): string {
    return `${EXACT_MARKER}${this.text}${EXACT_MARKER}`;
  }
}

export const EXACT_NUMBER_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * NUL, a private-use character and a random nonce drawn once per process: `JSON.stringify` escapes NUL as `\u0000`,
 * and input never sees the nonce, so a marker in output can only come from an ExactNumber. (A fixed marker let a
 * string such as "\u0000\uE000123\u0000\uE000" in a STATE value come out as the number 123.)
 */
const NONCE = randomBytes(9).toString('base64url');
const EXACT_MARKER = `\u0000\uE000${NONCE}`;
const ESCAPED_MARKER = `\\u0000\uE000${NONCE}`;
const MARKED_PATTERN = new RegExp(`"\\\\u0000\uE000${NONCE}(-?[0-9.eE+-]+)\\\\u0000\uE000${NONCE}"`, 'g');

/**
 * Is this numeric literal exactly representable as a JS number (and printed back as the same value)? Up to 15
 * significant digits are, within the range of normal doubles: `1e400` (Infinity, written back as null), `1e-400`
 * (0) and a subnormal like `1.5e-320` (rounded) are not, nor is `-0` (written back as 0).
 */
export function isSafeNumberText(text: string): boolean {
  const digits = text
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '');
  if (digits === '') return !text.startsWith('-');
  if (digits.length <= 15) {
    const magnitude = Math.abs(Number(text));
    return magnitude >= MIN_NORMAL && magnitude !== Infinity;
  }
  if (!/[.eE]/.test(text)) return Number.isSafeInteger(Number(text));
  return false;
}

/** The smallest positive normal double (2^-1022): below it, doubles lose precision. */
const MIN_NORMAL = 2.2250738585072014e-308;

/** Parses a number literal to a JS number when that is exact, to an ExactNumber otherwise. */
export function parseNumberText(text: string): number | ExactNumber {
  return isSafeNumberText(text) ? Number(text) : new ExactNumber(text);
}

/** JSON.stringify that writes ExactNumber values as bare number literals. */
export function stringifyJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes(ESCAPED_MARKER) ? json.replace(MARKED_PATTERN, '$1') : json;
}
