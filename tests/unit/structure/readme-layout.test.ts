import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../helpers/repo-root.js';

/** The folders the README's "Layout" table names (its first column), as written: `name/`. */
function layoutFolders(readme: string): string[] {
  const section = readme.split(/^## Layout$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^\| `([^`]+\/)` \|/gm)].map(([, folder]) => folder);
}

describe('README layout table', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const table = layoutFolders(readme);

  it('names every top-level folder git tracks, and only folders that exist', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\0')
      .filter((file) => file.includes('/'))
      .map((file) => `${file.split('/')[0]}/`);
    const missing = [...new Set(tracked)].filter((folder) => !table.includes(folder)).sort();
    assert.deepEqual(missing, [], 'tracked folders without a row in the README layout table');
    const absent = table.filter((folder) => {
      const full = path.join(repoRoot, folder);
      return !existsSync(full) || !statSync(full).isDirectory();
    });
    assert.deepEqual(absent, [], 'rows of the README layout table for folders that do not exist');
  });

  it('reads the table it checks', () => {
    assert.deepEqual(
      layoutFolders('## Layout\n\n| folder | x |\n|---|---|\n| `a/` | one |\n| `b/` | two |\n## Next\n| `c/` | no |'),
      ['a/', 'b/'],
    );
    assert.ok(table.length >= 10);
  });
});
