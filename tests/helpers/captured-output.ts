/**
 * What the reliability campaign printed, kept for its last test (tests/reliability/secret-scan.test.ts): the stdout
 * and stderr of every process spawned through run-bin (tap, target, pipeline, simulator, Meltano…), the mocha
 * process's own output (components run in process, such as the orchestrator, log there), and every secret the
 * campaign configured. Off until a test file calls `captureOutputs()` (each reliability file does, at load time):
 * the other suites keep nothing.
 */

export interface CapturedOutput {
  /** The command line (or 'mocha process'). */
  label: string;
  stdout: string;
  stderr: string;
}

const captured: CapturedOutput[] = [];
const secrets = new Set<string>();
/** Values that are configured as secrets but are also plain, non-secret settings (a user name equal to its password). */
const publicValues = new Set<string>();
let enabled = false;
const own: CapturedOutput = { label: 'mocha process (reporter and in-process components)', stdout: '', stderr: '' };

/** Starts keeping outputs (idempotent). Also tees this process's stdout/stderr. */
export function captureOutputs(): void {
  if (enabled) return;
  enabled = true;
  captured.push(own);
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      own[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      return write(chunk, ...rest);
    };
  }
}

/** Keeps one process's output (a no-op unless capturing). */
export function recordOutput(label: string, output: { stdout: string; stderr: string }): void {
  if (enabled) captured.push({ label, stdout: output.stdout, stderr: output.stderr });
}

export function capturedOutputs(): readonly CapturedOutput[] {
  return captured;
}

/** Registers secret values the campaign configured (a no-op unless capturing). */
export function registerSecrets(...values: (string | undefined)[]): void {
  if (!enabled) return;
  for (const value of values) if (value !== undefined && value !== '') secrets.add(value);
}

const SECRET_KEY = /pass(word)?|secret|token|api_?key|private_?key|credential/i;
const USER_KEY = /^(user|username|client_id)$/i;

/**
 * Registers the secrets of a plugin config: every string under a secret-named key (custom header values too), and
 * `user:password` (whose Base64 is the Basic credential). Non-secret strings are remembered as public: a secret equal
 * to one of them (the test server's `wms_test` user, password and database) cannot be told apart in output.
 */
export function registerConfigSecrets(config: Record<string, unknown>): void {
  if (!enabled) return;
  let user: string | undefined;
  let password: string | undefined;
  for (const [key, value] of Object.entries(config)) {
    if (key === 'custom_headers' && typeof value === 'object' && value !== null) {
      for (const header of Object.values(value)) if (typeof header === 'string') registerSecrets(header);
      continue;
    }
    if (typeof value !== 'string') continue;
    if (SECRET_KEY.test(key)) {
      registerSecrets(value);
      if (/^pass(word)?$/i.test(key)) password = value;
    } else {
      publicValues.add(value);
      if (USER_KEY.test(key)) user = value;
    }
  }
  if (user !== undefined && password !== undefined) registerSecrets(`${user}:${password}`);
}

/** Shorter secrets would match by chance. */
export const MIN_SECRET_LENGTH = 6;

/** The secrets worth scanning for, and those left out (too short, or equal to a public setting), with why. */
export function configuredSecrets(): { scanned: string[]; skipped: { secret: string; why: string }[] } {
  const scanned: string[] = [];
  const skipped: { secret: string; why: string }[] = [];
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) skipped.push({ secret, why: 'shorter than 6 characters' });
    else if (publicValues.has(secret) || [...publicValues].some((value) => secret === `${value}:${value}`))
      skipped.push({ secret, why: 'equal to a non-secret setting (a user or database name)' });
    else scanned.push(secret);
  }
  return { scanned, skipped };
}

/**
 * Every spelling of a secret a careless component could print: as is, URL-encoded (component, form), JSON-escaped
 * (once and twice), Base64 and Base64url at each of the three byte alignments (so a secret inside a longer encoded
 * text, such as the password inside a Basic credential, is found), and the Basic header value of a `user:password`.
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  forms.add(new URLSearchParams({ v: secret }).toString().slice(2));
  const json = JSON.stringify(secret).slice(1, -1);
  forms.add(json);
  forms.add(JSON.stringify(json).slice(1, -1));
  const bytes = Buffer.from(secret, 'utf8');
  forms.add(`Basic ${bytes.toString('base64')}`);
  for (let shift = 0; shift < 3; shift += 1) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = padded.toString('base64');
    // Characters mixing in the unknown bytes before (the first group when shifted) or after (a partial last group).
    const core = encoded.slice(shift === 0 ? 0 : 4, 4 * Math.floor(padded.length / 3));
    if (core.length >= 8) {
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

export interface Leak {
  label: string;
  stream: 'stdout' | 'stderr';
  /** The secret's position in the scanned list (never the secret itself: a failure message must not print it). */
  secretIndex: number;
  form: 'plain' | 'encoded';
  /** Text around the leak with the leaked form masked. */
  context: string;
}

export function findLeaks(outputs: readonly CapturedOutput[], scanned: readonly string[]): Leak[] {
  const leaks: Leak[] = [];
  scanned.forEach((secret, secretIndex) => {
    const forms = secretForms(secret);
    for (const output of outputs) {
      for (const stream of ['stdout', 'stderr'] as const) {
        const text = output[stream];
        for (const form of forms) {
          const at = text.indexOf(form);
          if (at === -1) continue;
          const context = `${text.slice(Math.max(0, at - 60), at)}<secret ${secretIndex}>${text.slice(at + form.length, at + form.length + 60)}`;
          leaks.push({
            label: output.label,
            stream,
            secretIndex,
            form: form === secret ? 'plain' : 'encoded',
            context,
          });
        }
      }
    }
  });
  return leaks;
}
