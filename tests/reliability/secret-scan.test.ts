import assert from 'node:assert/strict';
import {
  captureOutputs,
  configuredSecrets,
  findLeaks,
  isMochaProcessOutput,
  registerConfigSecrets,
  secretForms,
  suiteOutputs,
} from '../helpers/captured-output.js';
import { assertReadmeRows, NOT_APPLICABLE } from './campaign-table.js';

captureOutputs();

const PROBE_SECRET = 'p@ss w/"rd+1';

/** Each spelling the scan promises to find, as a careless component would print the secret in it. */
function probes(secret: string): [spelling: string, text: string][] {
  const basic = `Basic ${Buffer.from(`user:${secret}`).toString('base64')}`;
  return [
    ['plain', `password=${secret}`],
    ['URL-encoded', `url ${encodeURIComponent(secret)}`],
    ['form-encoded', `form ${new URLSearchParams({ p: secret }).toString()}`],
    ['JSON', `json ${JSON.stringify({ p: secret })}`],
    ['JSON in JSON', `nested ${JSON.stringify(JSON.stringify({ p: secret }))}`],
    ['a Basic Authorization header', `header ${basic}`],
    ['Base64 inside a longer value', `b64 ${Buffer.from(`xx${secret}yy`).toString('base64')}`],
    ['Base64url', `b64url ${Buffer.from(`x${secret}`).toString('base64url')}`],
  ];
}

/**
 * The campaign's last test: no secret any reliability test configured appears, in any spelling, in anything the
 * campaign printed (every spawned process's stdout and stderr, and the mocha processes' own output). Moved behind
 * every other suite by a root hook, whatever the file order; when the suite's files run side by side, this file runs
 * after them (tests/serial-files.txt) and reads what their worker processes shared (TEST_CAPTURE_DIR).
 */
const scan = describe('reliability: no configured secret in any captured output (runs last)', () => {
  /** The spellings the probe showed the scanner finds: the README Reliability row is computed from them. */
  const found: string[] = [];

  it('the scanner finds every spelling it promises (plain, URL, JSON, Base64 at any alignment, Basic)', () => {
    for (const [spelling, text] of probes(PROBE_SECRET)) {
      const leaks = findLeaks([{ label: 'probe', stdout: text, stderr: '' }], [PROBE_SECRET, `user:${PROBE_SECRET}`]);
      assert.ok(leaks.length > 0, `${spelling} not found in: ${text}`);
      assert.ok(!leaks.some((leak) => leak.context.includes(PROBE_SECRET)), 'the leak report masks the secret');
      found.push(spelling);
    }
    assert.deepEqual(findLeaks([{ label: 'probe', stdout: 'password=***', stderr: '' }], [PROBE_SECRET]), []);
    assert.ok(secretForms(PROBE_SECRET).length >= 6);
  });

  it('stdout and stderr of every process the campaign spawned hold no configured secret in any form', function () {
    const outputs = suiteOutputs();
    const mochaProcesses = outputs.filter(isMochaProcessOutput).length;
    const processes = outputs.length - mochaProcesses;
    // Registered here too: the secret of this file's own probe config (never printed), so the list is never empty.
    registerConfigSecrets({ user: 'scan-user', password: 'never-printed-scan-secret' });
    const { scanned, skipped } = configuredSecrets();
    if (processes === 0) this.skip(); // run alone: nothing was spawned
    const leaks = findLeaks(outputs, scanned);
    const bytes = outputs.reduce((sum, output) => sum + output.stdout.length + output.stderr.length, 0);
    console.log(
      `      scanned ${processes} process outputs and ${mochaProcesses} of the mocha processes' own (${(bytes / 1048576).toFixed(1)} MB) for ${scanned.length} secrets in ${scanned.reduce((n, s) => n + secretForms(s).length, 0)} spellings; ${skipped.length} left out (${[...new Set(skipped.map((s) => s.why))].join('; ') || 'none'})`,
    );
    assert.deepEqual(
      leaks.map((leak) => `${leak.label} (${leak.stream}, secret #${leak.secretIndex}, ${leak.form}): ${leak.context}`),
      [],
    );
  });

  it('the README Reliability table says what the scan looks for', function () {
    if (found.length === 0) this.skip(); // the probe was filtered out (--grep)
    assertReadmeRows([
      {
        category: 'secret scan',
        tried: `every secret the reliability tests configured (passwords and their Basic credentials), in ${found.length} spellings (${found.join(', ')}), searched for in the stdout and stderr of every process the suite spawned and in the mocha processes' own output`,
        happened:
          'none found; the scan runs after every other reliability test, and its probe shows it finds each spelling',
        lost: NOT_APPLICABLE,
        duplicated: NOT_APPLICABLE,
      },
    ]);
  });
});

// A root hook: runs once every test file is loaded, before any test, and moves this suite to the end.
before(function () {
  const siblings = scan.parent?.suites ?? [];
  const at = siblings.indexOf(scan);
  if (at !== -1 && at !== siblings.length - 1) siblings.push(...siblings.splice(at, 1));
});
