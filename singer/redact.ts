import { secretSettingNames, type SettingsSchema } from './settings-schema.js';

/*
 * Redaction of secrets in free text (log lines, error messages, reports, alerts). Replacing a secret as a substring
 * everywhere mangles text when the secret is short (a password `p` turns `http_request_duration` into
 * `htt********_request_duration`; a password equal to the environment segment of the base URL masks every URL
 * path). So secrets are masked where they can appear:
 * - always, whatever the value: URL userinfo, Authorization/API-key header values, values of secret-named keys
 *   (`"password": "…"`, `client_secret=…`);
 * - a known secret in any of its spellings (raw, URL-encoded, form-encoded, JSON-escaped once or twice) as a whole
 *   token of free text, never inside a word or a URL path (with its scheme, or a bare path such as `/env/wms/…` or
 *   `entity/x/describe`); a long secret (≥ 16 characters) anywhere;
 * - a Base64 run (an HTTP Basic credential `user:password`, any other encoding of it) that holds the Base64 of a
 *   secret at any byte alignment: the whole run is masked, so no bits of the credential remain.
 */

export const REDACTED = '********';

/** A copy of the config with every secret setting replaced by a mask. */
export function redactConfig(
  config: Readonly<Record<string, unknown>>,
  schema: SettingsSchema,
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const name of secretSettingNames(schema)) {
    if (copy[name] !== undefined && copy[name] !== null && copy[name] !== '') copy[name] = REDACTED;
  }
  return copy;
}

/** The secret values of a config, for scrubbing free text (log lines, error messages, URLs). */
export function secretValues(config: Readonly<Record<string, unknown>>, schema: SettingsSchema): string[] {
  return secretSettingNames(schema)
    .map((name) => config[name])
    .filter((value): value is string => typeof value === 'string' && value.length > 0);
}

/** The HTTP Basic credential (`Basic <this>`) of a user and password. */
export function basicCredential(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

/** Secrets shorter than this are masked only where secrets appear (userinfo, headers, secret keys): not in prose. */
const MIN_FREE_TEXT_LENGTH = 4;
/** Secrets this long cannot collide with ordinary text: masked wherever they occur, URL paths included. */
const ANYWHERE_LENGTH = 16;
/** Header names whose values are credentials. */
const CREDENTIAL_HEADER = String.raw`(?:proxy-)?authorization|x-api-key|api-key|x-auth-token|cookie|set-cookie`;
/** Key names whose values are secrets, in JSON (`"key": "v"`, escaped or not) and in `key=v` / `key: v`. */
const SECRET_KEY = String.raw`[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api_?key|credential|private_key)[A-Za-z0-9_.-]*`;

const HEADER_VALUE = new RegExp(
  String.raw`(\b(?:${CREDENTIAL_HEADER})(?:\\?["'])?\s*[:=]\s*(?:\\?["'])?)((?:Basic|Bearer|Token|Digest|Negotiate)\s+)?([^\s"'\\,;}]+)`,
  'gi',
);
/** `"password": "v"` and `'password': 'v'`. */
const QUOTED_SECRET_KEY = new RegExp(String.raw`((["'])${SECRET_KEY}\2\s*:\s*)(["'])(?:(?!\3)[^\\]|\\.)*\3`, 'gi');
/** The same inside a JSON string (a JSON text logged as a string): quotes are `\"`, inner escapes doubled. */
const ESCAPED_SECRET_KEY = new RegExp(
  String.raw`(\\"${SECRET_KEY}\\"\s*:\s*\\")(?:[^\\"]|\\\\\\"|\\\\\\\\|\\\\[^\\"])*?\\"`,
  'gi',
);
const BARE_SECRET_KEY = new RegExp(String.raw`(\b${SECRET_KEY}=)([^\s&"',;}\]]+)`, 'gi');
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:"'<>\\]*:)([^\s/@"'<>\\]+)(@)/gi;
const URL_RUN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>\\]*/gi;
const BASE64_RUN = /[A-Za-z0-9+/_-]{8,}={0,2}/g;
const WORD = /[A-Za-z0-9_]/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every spelling a secret takes in logs: raw, in URLs, in JSON (and JSON inside a JSON string). */
function spellings(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const url = encodeURIComponent(secret);
  return [secret, url, url.replace(/%20/g, '+'), json, JSON.stringify(json).slice(1, -1)];
}

/** The Base64 characters fully determined by the secret's bytes, for each of the three byte alignments. */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [];
  for (let start = 0; start < 3; start += 1) {
    const groups = Math.floor((bytes.length - start) / 3);
    if (groups < 1) continue;
    const core = bytes.subarray(start, start + groups * 3).toString('base64');
    cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return cores;
}

/** Masks secrets in text; built once per set of secrets (the logger keeps one). */
export class SecretScrubber {
  readonly #anywhere: RegExp | undefined;
  readonly #tokens: RegExp | undefined;
  readonly #exact: Set<string>;
  readonly #cores: string[];

  constructor(secrets: readonly string[]) {
    const forms = new Set<string>();
    for (const secret of secrets) if (secret.length > 0) for (const form of spellings(secret)) forms.add(form);
    this.#exact = forms;
    const sorted = [...forms].sort((a, b) => b.length - a.length);
    const long = sorted.filter((form) => form.length >= ANYWHERE_LENGTH).map(escapeRegExp);
    this.#anywhere = long.length > 0 ? new RegExp(long.join('|'), 'g') : undefined;
    const short = sorted
      .filter((form) => form.length >= MIN_FREE_TEXT_LENGTH && form.length < ANYWHERE_LENGTH)
      .map((form) => {
        const left = WORD.test(form[0]) ? '(?<![A-Za-z0-9_])' : '';
        const right = WORD.test(form[form.length - 1]) ? '(?![A-Za-z0-9_])' : '';
        return `${left}${escapeRegExp(form)}${right}`;
      });
    this.#tokens = short.length > 0 ? new RegExp(short.join('|'), 'g') : undefined;
    this.#cores = secrets.filter((s) => s.length >= MIN_FREE_TEXT_LENGTH).flatMap(base64Cores);
  }

  scrub(text: string): string {
    let result = text
      .replace(USERINFO, `$1${REDACTED}$3`)
      .replace(HEADER_VALUE, (_m, head: string, scheme: string | undefined) => `${head}${scheme ?? ''}${REDACTED}`)
      .replace(QUOTED_SECRET_KEY, (_m, head: string, _q: string, quote: string) => `${head}${quote}${REDACTED}${quote}`)
      .replace(ESCAPED_SECRET_KEY, `$1${REDACTED}\\"`)
      .replace(BARE_SECRET_KEY, `$1${REDACTED}`);
    if (this.#anywhere) result = result.replace(this.#anywhere, REDACTED);
    if (this.#cores.length > 0) {
      result = result.replace(BASE64_RUN, (run) => (this.#cores.some((core) => run.includes(core)) ? REDACTED : run));
    }
    // URLs keep their paths (a secret equal to a path segment must not mask it); a query value equal to a secret
    // is masked. Outside URLs, a secret is masked as a whole token only.
    let out = '';
    let last = 0;
    for (const match of result.matchAll(URL_RUN)) {
      out += this.#prose(result.slice(last, match.index));
      out += this.#url(match[0]);
      last = match.index + match[0].length;
    }
    return out + this.#prose(result.slice(last));
  }

  #prose(text: string): string {
    if (!this.#tokens) return text;
    return text.replace(this.#tokens, (token: string, offset: number) =>
      isPathSegment(text, offset, token.length) ? token : REDACTED,
    );
  }

  #url(url: string): string {
    if (this.#exact.size === 0) return url;
    return url.replace(/([?&#][^=&#]*=)([^&#]*)/g, (whole, key: string, value: string) =>
      this.#exact.has(value) ? `${key}${REDACTED}` : whole,
    );
  }
}

/**
 * A token between two slashes (`/demo/wms`, `entity/demo/describe`, JSON's `\/demo\/`) or before a query is a path
 * segment: a URL path written without its scheme, as request logs and metric tags print it. A password equal to the
 * environment segment must not mask every path; a secret after a slash and before anything else (`scott/tiger@db`,
 * `user/secret refused`) is still masked.
 */
function isPathSegment(text: string, start: number, length: number): boolean {
  if (text[start - 1] !== '/') return false;
  const after = text.slice(start + length, start + length + 2);
  return after.startsWith('/') || after.startsWith('?') || after.startsWith('#') || after === '\\/';
}

/** Masks secrets in one text (see the top of this file for where and how). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return new SecretScrubber(secrets).scrub(text);
}
