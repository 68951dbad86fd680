import { createRequire } from 'node:module';

// antlr4ts-sql is CommonJS: load it with require from this ESM module.
const require = createRequire(import.meta.url);
const { antlr4tsSQL, SQLDialect } = require('antlr4ts-sql') as {
  antlr4tsSQL: new (dialect: unknown) => {
    getTokens(sql: string, listeners: unknown[]): unknown;
    getParser(tokens: unknown, listeners: unknown[]): unknown;
    getParseTree(parser: unknown): unknown;
  };
  SQLDialect: { PLSQL: unknown };
};

let parser: InstanceType<typeof antlr4tsSQL> | undefined;

/** Syntax errors of `sql` under the grammars-v4 PL/SQL grammar ([] = parses). Appends the `;` the grammar needs. */
export function plsqlSyntaxErrors(sql: string): string[] {
  parser ??= new antlr4tsSQL(SQLDialect.PLSQL);
  const errors: string[] = [];
  const listener = {
    syntaxError: (_r: unknown, _s: unknown, line: number, col: number, msg: string) =>
      errors.push(`${line}:${col} ${msg.slice(0, 120)}`),
  };
  const text = /;\s*$/.test(sql) ? sql : `${sql};`;
  parser.getParseTree(parser.getParser(parser.getTokens(text, [listener]), [listener]));
  return errors;
}
