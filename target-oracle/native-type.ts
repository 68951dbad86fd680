/**
 * `x-sql-datatype` is schema text that becomes DDL text, so it is parsed, never pasted: a type is words and
 * parenthesised numeric parameters (`NUMBER(12,2)`, `TIMESTAMP(6) WITH TIME ZONE`, `VARCHAR2(30 CHAR)`), and its
 * shape (`NUMBER(n,n)`, `TIMESTAMP(n) WITH TIME ZONE`) must be one the dialect lists. Anything else (`TEXT, X INTEGER`,
 * `INTEGER CHECK (…)`, comments, quotes) is refused.
 */

/** A parameter list: up to two integers (a scale may be negative in Oracle), and Oracle's length semantics. */
const PARAMS = /^\(\s*(\d{1,6})(?:\s*,\s*(-?\d{1,6}))?(?:\s+(CHAR|BYTE))?\s*\)/i;
const WORD = /^[A-Za-z][A-Za-z0-9_]*/;

export interface NativeType {
  /** Upper case, single spaces, parameters as `(n)`, `(n,n)` or `(n CHAR)`: what a dialect's allow-list holds. */
  shape: string;
  /** The type text to write in DDL, rebuilt from the parsed parts (upper case). */
  sql: string;
}

/** Parses a type written as words and numeric parameter lists; undefined for anything else. */
export function parseNativeType(text: string): NativeType | undefined {
  const shape: string[] = [];
  const sql: string[] = [];
  let rest = text.trim();
  if (rest.length === 0 || rest.length > 80) return undefined;
  while (rest.length > 0) {
    const word = WORD.exec(rest);
    if (word) {
      shape.push(word[0].toUpperCase());
      sql.push(word[0].toUpperCase());
      rest = rest.slice(word[0].length);
    } else {
      const params = PARAMS.exec(rest);
      if (!params || shape.length === 0 || shape[shape.length - 1].endsWith(')')) return undefined;
      const [, first, second, semantics] = params;
      const unit = semantics ? ` ${semantics.toUpperCase()}` : '';
      shape[shape.length - 1] += `(n${second === undefined ? '' : ',n'}${unit})`;
      sql[sql.length - 1] += `(${Number(first)}${second === undefined ? '' : `,${Number(second)}`}${unit})`;
      rest = rest.slice(params[0].length);
    }
    const space = /^\s*/.exec(rest)![0];
    rest = rest.slice(space.length);
    // Words are separated by blanks; a parameter list may follow its word directly.
    if (rest.length > 0 && space.length === 0 && !rest.startsWith('(')) return undefined;
  }
  return { shape: shape.join(' '), sql: sql.join(' ') };
}

/** The type's DDL text when its shape is in the dialect's list; undefined when refused. */
export function acceptNativeType(text: string, shapes: ReadonlySet<string>): string | undefined {
  const parsed = parseNativeType(text);
  return parsed !== undefined && shapes.has(parsed.shape) ? parsed.sql : undefined;
}
