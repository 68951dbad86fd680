import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/repo-root.js';

const LIST = 'tests/serial-files.txt';
/** The suites scripts/test.sh runs with mocha --parallel: only their files can need running alone. */
const PARALLEL_SUITES = ['tests/integration/', 'tests/reliability/', 'tests/orchestration/'];

describe(`${LIST}: the test files run alone, after their suite's other files`, () => {
  const entries = readFileSync(path.join(repoRoot, LIST), 'utf8')
    .split('\n')
    .map((line, i) => ({ line: i + 1, text: line.trim() }))
    .filter(({ text }) => text !== '' && !text.startsWith('#'));

  it('names at least one file (the list is read by scripts/test.sh, which runs the others side by side)', () => {
    assert.ok(entries.length > 0);
  });

  it('each line names an existing test file of a parallel suite, then `#` and the reason it cannot share the machine', () => {
    for (const { line, text } of entries) {
      const [file, reason] = text.split(/\s+#\s*/, 2).map((part) => part.trim());
      assert.ok(
        PARALLEL_SUITES.some((suite) => file.startsWith(suite)) && file.endsWith('.test.ts'),
        `${LIST}:${line}: ${file} is not a test file of ${PARALLEL_SUITES.join(' or ')}`,
      );
      assert.ok(existsSync(path.join(repoRoot, file)), `${LIST}:${line}: ${file} does not exist`);
      assert.ok(reason, `${LIST}:${line}: ${file} has no reason after '#'`);
    }
  });

  it('names each file once', () => {
    const files = entries.map(({ text }) => text.split(/\s+#/)[0]);
    assert.deepEqual(files, [...new Set(files)]);
  });
});
