import assert from 'node:assert/strict';
import {
  captureOutputs,
  capturedOutputs,
  configuredSecrets,
  findLeaks,
  registerConfigSecrets,
  secretForms,
} from '../helpers/captured-output.js';

captureOutputs();

/**
 * The campaign's last test: no secret any reliability test configured appears, in any spelling, in anything the
 * campaign printed (every spawned process's stdout and stderr, and this process's own output). Moved behind every
 * other suite by a root hook, whatever the file order.
 */
const scan = describe('reliability: no configured secret in any captured output (runs last)', () => {
  it('the scanner finds every spelling it promises (plain, URL, JSON, Base64 at any alignment, Basic)', () => {
    const secret = 'p@ss w/"rd+1';
    const basic = `Basic ${Buffer.from(`user:${secret}`).toString('base64')}`;
    const texts = [
      `password=${secret}`,
      `url ${encodeURIComponent(secret)}`,
      `form ${new URLSearchParams({ p: secret }).toString()}`,
      `json ${JSON.stringify({ p: secret })}`,
      `nested ${JSON.stringify(JSON.stringify({ p: secret }))}`,
      `header ${basic}`,
      `b64 ${Buffer.from(`xx${secret}yy`).toString('base64')}`,
      `b64url ${Buffer.from(`x${secret}`).toString('base64url')}`,
    ];
    for (const text of texts) {
      const leaks = findLeaks([{ label: 'probe', stdout: text, stderr: '' }], [secret, `user:${secret}`]);
      assert.ok(leaks.length > 0, `not found in: ${text}`);
      assert.ok(!leaks.some((leak) => leak.context.includes(secret)), 'the leak report masks the secret');
    }
    assert.deepEqual(findLeaks([{ label: 'probe', stdout: 'password=***', stderr: '' }], [secret]), []);
    assert.ok(secretForms(secret).length >= 6);
  });

  it('stdout and stderr of every process the campaign spawned hold no configured secret in any form', function () {
    const outputs = capturedOutputs();
    const processes = outputs.length - 1; // the first is this process
    // Registered here too: the secret of this file's own probe config (never printed), so the list is never empty.
    registerConfigSecrets({ user: 'scan-user', password: 'never-printed-scan-secret' });
    const { scanned, skipped } = configuredSecrets();
    if (processes === 0) this.skip(); // run alone: nothing was spawned
    const leaks = findLeaks(outputs, scanned);
    const bytes = outputs.reduce((sum, output) => sum + output.stdout.length + output.stderr.length, 0);
    console.log(
      `      scanned ${processes} process outputs and this process's own (${(bytes / 1048576).toFixed(1)} MB) for ${scanned.length} secrets in ${scanned.reduce((n, s) => n + secretForms(s).length, 0)} spellings; ${skipped.length} left out (${[...new Set(skipped.map((s) => s.why))].join('; ') || 'none'})`,
    );
    assert.deepEqual(
      leaks.map((leak) => `${leak.label} (${leak.stream}, secret #${leak.secretIndex}, ${leak.form}): ${leak.context}`),
      [],
    );
  });
});

// A root hook: runs once every test file is loaded, before any test, and moves this suite to the end.
before(function () {
  const siblings = scan.parent?.suites ?? [];
  const at = siblings.indexOf(scan);
  if (at !== -1 && at !== siblings.length - 1) siblings.push(...siblings.splice(at, 1));
});
