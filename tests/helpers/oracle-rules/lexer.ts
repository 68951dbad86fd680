import { OracleError } from './oracle-error.js';

/** One token of Oracle SQL text. Unquoted identifiers and keywords are upper-cased, as Oracle resolves them. */
export type Token =
  | { kind: 'word'; value: string; quoted: boolean; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: string; at: number }
  | { kind: 'bind'; value: string; at: number }
  | { kind: 'op'; value: string; at: number }
  | { kind: 'end'; value: ''; at: number };

const OPERATORS = [
  '<>',
  '!=',
  '^=',
  '<=',
  '>=',
  '||',
  '=>',
  '(',
  ')',
  ',',
  '.',
  ';',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
];

/**
 * Splits a statement into tokens (the SQL Language Reference's lexical rules for the subset the target and the
 * tests issue: quoted and plain identifiers, '…' literals with '' escapes, numbers, :binds, operators, comments).
 * https://docs.oracle.com/en/database/oracle/oracle-database/23/sqlrf/Database-Object-Names-and-Qualifiers.html
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new OracleError('ORA-00911', `invalid character (${what} at offset ${i})`);
  };
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment');
      i = end + 2;
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end < 0) fail('unterminated quoted identifier');
      const value = sql.slice(i + 1, end);
      // A quoted identifier can hold any character but the double quote and NUL.
      if (value === '' || value.includes('\u0000'))
        throw new OracleError('ORA-01741', 'illegal zero-length identifier');
      tokens.push({ kind: 'word', value, quoted: true, at: i });
      i = end + 1;
    } else if (c === "'" || ((c === 'N' || c === 'n') && sql[i + 1] === "'")) {
      const start = i;
      i += c === "'" ? 1 : 2;
      let value = '';
      for (;;) {
        if (i >= sql.length) throw new OracleError('ORA-01756', 'quoted string not properly terminated');
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += sql[i];
        i += 1;
      }
      tokens.push({ kind: 'string', value, at: start });
    } else if (c === ':') {
      const m = /^:([A-Za-z][A-Za-z0-9_$#]*|\d+)/.exec(sql.slice(i));
      if (!m) fail('bind');
      tokens.push({ kind: 'bind', value: m![1].toUpperCase(), at: i });
      i += m![0].length;
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(sql[i + 1] ?? ''))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i))!;
      tokens.push({ kind: 'number', value: m[0], at: i });
      i += m[0].length;
    } else if (/[A-Za-z]/.test(c)) {
      const m = /^[A-Za-z][A-Za-z0-9_$#]*/.exec(sql.slice(i))!;
      tokens.push({ kind: 'word', value: m[0].toUpperCase(), quoted: false, at: i });
      i += m[0].length;
    } else {
      const op = OPERATORS.find((o) => sql.startsWith(o, i));
      if (!op) fail(`'${c}'`);
      tokens.push({ kind: 'op', value: op!, at: i });
      i += op!.length;
    }
  }
  tokens.push({ kind: 'end', value: '', at: sql.length });
  return tokens;
}
