import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';

/**
 * What the reliability campaign printed, kept for its last test (tests/reliability/secret-scan.test.ts): the stdout
 * and stderr of every process spawned through run-bin (tap, target, pipeline, simulator, Meltano…), the mocha
 * process's own output (components run in process, such as the orchestrator, log there), and every secret the
 * campaign configured. Off until a test file calls `captureOutputs()` (each reliability file does, at load time):
 * the other suites keep nothing.
 *
 * When the suite's files run side by side (mocha --parallel: scripts/test.sh), each worker process captures its own
 * files; with TEST_CAPTURE_DIR set, each process also appends what it captures to a file of its own there, and the
 * scan (run after the others, alone: tests/serial-files.txt) reads every process's file. What tests and in-process
 * components print in a worker is its own output; the reporter's lines (test titles, and failures, which fail the run
 * anyway) are printed by mocha's main process, which loads no test file and is not scanned then.
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
const MOCHA_PROCESS_LABEL = 'mocha process ';
const own: CapturedOutput = {
  label: `${MOCHA_PROCESS_LABEL}${process.pid} (reporter and in-process components)`,
  stdout: '',
  stderr: '',
};

/** One line of a process's file in TEST_CAPTURE_DIR. */
type SharedEntry =
  { kind: 'output'; output: CapturedOutput } | { kind: 'secret'; value: string } | { kind: 'public'; value: string };

/** This process's file in TEST_CAPTURE_DIR (named when first written), and how much of `own` it already holds. */
let sharedFile: string | undefined;
const ownShared = { stdout: 0, stderr: 0 };

/** Appends to this process's file in TEST_CAPTURE_DIR (nothing when it is not set). */
function share(entry: SharedEntry): void {
  const dir = process.env.TEST_CAPTURE_DIR;
  if (dir === undefined || dir === '') return;
  sharedFile ??= path.join(dir, `${process.pid}-${randomUUID()}.jsonl`);
  appendFileSync(sharedFile, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
}

/**
 * Writes what this process printed since the last call to its file in TEST_CAPTURE_DIR: the root hook's afterAll
 * (tests/helpers/root-hooks.ts), which mocha runs after each file in a worker, and after the whole run otherwise.
 */
export function shareOwnOutput(): void {
  if (!enabled) return;
  const stdout = own.stdout.slice(ownShared.stdout);
  const stderr = own.stderr.slice(ownShared.stderr);
  if (stdout === '' && stderr === '') return;
  share({ kind: 'output', output: { label: own.label, stdout, stderr } });
  ownShared.stdout = own.stdout.length;
  ownShared.stderr = own.stderr.length;
}

/** The entries the other processes of the suite wrote to TEST_CAPTURE_DIR (none when it is not set). */
function othersShared(): SharedEntry[] {
  const dir = process.env.TEST_CAPTURE_DIR;
  if (dir === undefined || dir === '') return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl') && path.join(dir, name) !== sharedFile)
    .flatMap((name) =>
      readFileSync(path.join(dir, name), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as SharedEntry),
    );
}

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
  if (!enabled) return;
  const entry = { label, stdout: output.stdout, stderr: output.stderr };
  captured.push(entry);
  share({ kind: 'output', output: entry });
}

/** What this process captured, in order (its own output first). */
export function capturedOutputs(): readonly CapturedOutput[] {
  return captured;
}

/** Whether an output is a mocha process's own (the reporter and in-process components), not a spawned process's. */
export function isMochaProcessOutput(output: CapturedOutput): boolean {
  return output.label.startsWith(MOCHA_PROCESS_LABEL);
}

/** What this process captured, then what the suite's other processes shared through TEST_CAPTURE_DIR. */
export function suiteOutputs(): CapturedOutput[] {
  const others = othersShared().flatMap((entry) => (entry.kind === 'output' ? [entry.output] : []));
  return [...captured, ...others];
}

/** Registers secret values the campaign configured (a no-op unless capturing). */
export function registerSecrets(...values: (string | undefined)[]): void {
  if (!enabled) return;
  for (const value of values) {
    if (value === undefined || value === '' || secrets.has(value)) continue;
    secrets.add(value);
    share({ kind: 'secret', value });
  }
}

function registerPublic(value: string): void {
  if (publicValues.has(value)) return;
  publicValues.add(value);
  share({ kind: 'public', value });
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
      registerPublic(value);
      if (USER_KEY.test(key)) user = value;
    }
  }
  if (user !== undefined && password !== undefined) registerSecrets(`${user}:${password}`);
}

/** Shorter secrets would match by chance. */
export const MIN_SECRET_LENGTH = 6;

/**
 * The secrets worth scanning for, and those left out (too short, or equal to a public setting), with why: this
 * process's and those the suite's other processes shared through TEST_CAPTURE_DIR.
 */
export function configuredSecrets(): { scanned: string[]; skipped: { secret: string; why: string }[] } {
  const allSecrets = new Set(secrets);
  const allPublic = new Set(publicValues);
  for (const entry of othersShared()) {
    if (entry.kind === 'secret') allSecrets.add(entry.value);
    else if (entry.kind === 'public') allPublic.add(entry.value);
  }
  const scanned: string[] = [];
  const skipped: { secret: string; why: string }[] = [];
  for (const secret of allSecrets) {
    if (secret.length < MIN_SECRET_LENGTH) skipped.push({ secret, why: 'shorter than 6 characters' });
    else if (allPublic.has(secret) || [...allPublic].some((value) => secret === `${value}:${value}`))
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
