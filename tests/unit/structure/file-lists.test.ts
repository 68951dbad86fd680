import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/repo-root.js';

/** The suites scripts/test.sh runs with mocha --parallel: only their files are run alone or ordered by these lists. */
const PARALLEL_SUITES = ['tests/integration/', 'tests/reliability/', 'tests/orchestration/'];

/** The lists of test files scripts/test.sh reads, and what each line says after its `#`. */
const LISTS = [
  {
    list: 'tests/serial-files.txt',
    about: "the test files run alone, after their suite's other files",
    after: /\S/,
    says: 'why it cannot share the machine',
  },
  {
    list: 'tests/slow-files.txt',
    about: 'the slowest test files, given to mocha --parallel first',
    after: /^\d+(\.\d+)? s$/,
    says: 'its time in seconds',
  },
];

function entriesOf(list: string): { line: number; file: string; note: string }[] {
  return readFileSync(path.join(repoRoot, list), 'utf8')
    .split('\n')
    .map((line, i) => ({ line: i + 1, text: line.trim() }))
    .filter(({ text }) => text !== '' && !text.startsWith('#'))
    .map(({ line, text }) => {
      const [file, note = ''] = text.split(/\s+#\s*/, 2).map((part) => part.trim());
      return { line, file, note };
    });
}

for (const { list, about, after, says } of LISTS) {
  describe(`${list}: ${about}`, () => {
    const entries = entriesOf(list);

    it('names at least one file (the list is read by scripts/test.sh)', () => {
      assert.ok(entries.length > 0);
    });

    it(`each line names an existing test file of a parallel suite, then \`#\` and ${says}`, () => {
      for (const { line, file, note } of entries) {
        assert.ok(
          PARALLEL_SUITES.some((suite) => file.startsWith(suite)) && file.endsWith('.test.ts'),
          `${list}:${line}: ${file} is not a test file of ${PARALLEL_SUITES.join(' or ')}`,
        );
        assert.ok(existsSync(path.join(repoRoot, file)), `${list}:${line}: ${file} does not exist`);
        assert.match(note, after, `${list}:${line}: ${file}: what follows '#'`);
      }
    });

    it('names each file once', () => {
      const files = entries.map(({ file }) => file);
      assert.deepEqual(files, [...new Set(files)]);
    });
  });
}

describe('tests/slow-files.txt and tests/serial-files.txt', () => {
  it("slow-files.txt lists each suite's files slowest first (the order scripts/test.sh gives them to mocha)", () => {
    for (const suite of PARALLEL_SUITES) {
      const seconds = entriesOf('tests/slow-files.txt')
        .filter(({ file }) => file.startsWith(suite))
        .map(({ note }) => Number.parseFloat(note));
      assert.deepEqual(
        seconds,
        [...seconds].sort((a, b) => b - a),
        suite,
      );
    }
  });

  it('name no file twice: a file run alone is not ordered among the side-by-side files', () => {
    const serial = new Set(entriesOf('tests/serial-files.txt').map(({ file }) => file));
    assert.deepEqual(
      entriesOf('tests/slow-files.txt').filter(({ file }) => serial.has(file)),
      [],
    );
  });
});
