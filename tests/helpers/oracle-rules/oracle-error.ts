/**
 * An error shaped like node-oracledb's: `message` starts with the code, `code` is `ORA-nnnnn` / `NJS-nnn`, and
 * `errorNum` is the number of an ORA error (what callers branch on).
 * https://node-oracledb.readthedocs.io/en/latest/user_guide/exception_handling.html
 */
export class OracleError extends Error {
  readonly code: string;
  readonly errorNum: number | undefined;

  constructor(code: string, text: string) {
    super(`${code}: ${text}`);
    this.name = 'Error';
    this.code = code;
    this.errorNum = code.startsWith('ORA-') ? Number(code.slice(4)) : undefined;
  }
}

/**
 * A statement Oracle itself would accept but that breaks a rule this project relies on (e.g. DDL that would commit
 * a flush's DML implicitly, a conversion before the session's NLS settings are pinned). `rule` names the rule.
 */
export class RuleViolation extends Error {
  readonly code: string;
  readonly rule: string;

  constructor(rule: string, text: string) {
    super(`RULES-${rule}: ${text}`);
    this.name = 'RuleViolation';
    this.code = `RULES-${rule}`;
    this.rule = rule;
  }
}
