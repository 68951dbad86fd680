/**
 * A JSON number kept as its exact decimal text. Used where a JS double would change the value: 64-bit ids beyond
 * 2^53 and decimals with more than 15 significant digits (DESIGN.md §4.4). `toJSON` returns a marker that
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
 * NUL and a private-use character: `JSON.stringify` escapes NUL as `\u0000`, so a marker in output can only come from
 * an ExactNumber (real data would need the same two characters around a number literal).
 */
const EXACT_MARKER = '\u0000\uE000';
const ESCAPED_MARKER = '\\u0000\uE000';
const MARKED_PATTERN = /"\\u0000\uE000(-?[0-9.eE+-]+)\\u0000\uE000"/g;

/** Is this numeric literal exactly representable as a JS number (and printed back the same)? */
export function isSafeNumberText(text: string): boolean {
  const digits = text
    .replace(/^-/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '');
  if (digits.length <= 15) return true;
  if (!/[.eE]/.test(text)) return Number.isSafeInteger(Number(text));
  return false;
}

/** Parses a number literal to a JS number when that is exact, to an ExactNumber otherwise. */
export function parseNumberText(text: string): number | ExactNumber {
  return isSafeNumberText(text) ? Number(text) : new ExactNumber(text);
}

/** JSON.stringify that writes ExactNumber values as bare number literals. */
export function stringifyJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes(ESCAPED_MARKER) ? json.replace(MARKED_PATTERN, '$1') : json;
}
