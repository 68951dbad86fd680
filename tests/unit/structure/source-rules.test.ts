import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../../helpers/repo-root.js';

/** Tracked files (git ls-files), relative to the repository root. */
function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
}

/** The comments of a TypeScript or JavaScript source, with the line each starts on (from the compiler's syntax tree). */
export function commentsOf(source: string): { line: number; text: string }[] {
  const file = ts.createSourceFile('source.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found = new Map<number, string>();
  const collect = (pos: number) => {
    for (const range of [
      ...(ts.getLeadingCommentRanges(source, pos) ?? []),
      ...(ts.getTrailingCommentRanges(source, pos) ?? []),
    ])
      found.set(range.pos, source.slice(range.pos, range.end));
  };
  // Comments are trivia before or after a token: every token of the tree (strings, regular expressions and template
  // text are tokens, so a `//` inside them is never taken for a comment).
  const visit = (node: ts.Node) => {
    collect(node.pos);
    collect(node.end);
    for (const child of node.getChildren(file)) visit(child);
  };
  visit(file);
  return [...found.entries()]
    .sort(([a], [b]) => a - b)
    .map(([pos, text]) => ({ line: file.getLineAndCharacterOfPosition(pos).line + 1, text }));
}

/** Folders the project writes its own Markdown into (`npm run bench` reports): named before they exist. */
const GENERATED = ['bench/results/'];

/**
 * A pointer to the reference notes kept beside the repository (its shared folder, the research notes, the design
 * blueprint) or to an absolute path of this machine, quoted; undefined when there is none.
 */
export function outsideReference(text: string): string | undefined {
  const outside = /\.\.\/shared\b|\bshared\/reference\b|\breference\/[\w-]+\.md\b|\bDESIGN(\.md)?\b|\/work\//.exec(
    text,
  );
  return outside ? `'${outside[0]}'` : undefined;
}

/** Relative link targets of a Markdown text (`[text](target)`), without their `#anchor`; URLs left out. */
export function markdownLinks(text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target]) => target.split('#')[0])
    .filter((target) => target !== '' && !/^[a-z][\w+.-]*:/i.test(target));
}

/**
 * Why a comment points outside the repository, or undefined: the reference notes kept beside the repository (its
 * shared folder, the research notes, the design blueprint), absolute paths of this machine, or a `*.md` file the
 * repository does not have (relative to its root or to the file).
 */
export function outsidePointer(
  comment: string,
  file: string,
  exists: (repoPath: string) => boolean,
): string | undefined {
  const outside = outsideReference(comment);
  if (outside) return outside;
  // A public URL is not a file of this machine; a Markdown path in the text must be a file of the repository.
  for (const [doc] of comment.replace(/https?:\/\/\S+/g, '').matchAll(/[\w./-]*[\w-]\.md\b/g)) {
    const candidates = [path.posix.normalize(doc), path.posix.join(path.posix.dirname(file), doc)];
    if (candidates.some((candidate) => GENERATED.some((dir) => candidate.startsWith(dir)))) continue;
    if (!candidates.some((candidate) => !candidate.startsWith('..') && exists(candidate)))
      return `'${doc}' (not a file of the repository)`;
  }
  return undefined;
}

const MAX_LINES = 250;
const REASON = /Over 250 lines(?: because|:) \S/;
/** How far down a module its reason line may be (after its imports). */
const TOP_LINES = 30;

/** A module over MAX_LINES without its reason near the top. */
export function oversized(file: string, source: string): string | undefined {
  const lines = source.split('\n').length - (source.endsWith('\n') ? 1 : 0);
  if (lines <= MAX_LINES) return undefined;
  const reasoned = commentsOf(source).some((c) => c.line <= TOP_LINES && REASON.test(c.text));
  return reasoned ? undefined : `${file}: ${lines} lines`;
}

describe('source rules (every tracked module)', function () {
  this.timeout(60_000);
  const files = trackedFiles();
  const tracked = new Set(files);
  const sources = files.filter((file) => /\.(ts|js|cjs|mjs)$/.test(file));
  const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

  it('comments point only inside the repository (design notes they cite live in docs/)', () => {
    const exists = (repoPath: string) => tracked.has(repoPath) || existsSync(path.join(repoRoot, repoPath));
    const found = sources.flatMap((file) =>
      commentsOf(read(file)).flatMap(({ line, text }) => {
        const why = outsidePointer(text, file, exists);
        return why === undefined ? [] : [`${file}:${line} ${why}`];
      }),
    );
    assert.deepEqual(found, []);
  });

  it(`no module outside tests/ over ${MAX_LINES} lines without "// Over 250 lines because …" (or "Over 250 lines: …") at its top`, () => {
    const modules = sources.filter((file) => file.endsWith('.ts') && !file.startsWith('tests/'));
    const found = modules.flatMap((file) => {
      const problem = oversized(file, read(file));
      return problem === undefined ? [] : [problem];
    });
    assert.deepEqual(found, []);
  });

  it('docs stand alone: no Markdown file cites the notes beside the repository, and every relative link stays inside it', () => {
    const docs = files.filter((file) => file.endsWith('.md') && !GENERATED.some((dir) => file.startsWith(dir)));
    const found = docs.flatMap((file) =>
      read(file)
        .split('\n')
        .flatMap((text, i) => {
          const why = outsideReference(text);
          const escaping = markdownLinks(text).filter((link) => {
            const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), link));
            if (target.startsWith('..')) return true;
            return !GENERATED.some((dir) => target.startsWith(dir)) && !existsSync(path.join(repoRoot, target));
          });
          return [
            ...(why === undefined ? [] : [`${file}:${i + 1} ${why}`]),
            ...escaping.map((link) => `${file}:${i + 1} link '${link}' (not a file of the repository)`),
          ];
        }),
    );
    assert.deepEqual(found, []);
  });

  it('no `as unknown as` cast outside tests/ (types come from their source: schemas, guards)', () => {
    const found = sources
      .filter((file) => !file.startsWith('tests/'))
      .flatMap((file) =>
        read(file)
          .split('\n')
          .flatMap((text, i) => (/\bas unknown as\b/.test(text) ? [`${file}:${i + 1}`] : [])),
      );
    assert.deepEqual(found, []);
  });

  describe('the checks themselves', () => {
    const exists = (repoPath: string) => ['docs/lgfapi.md', 'README.md', 'tap-oracle-wms/notes.md'].includes(repoPath);

    it('finds comments, not strings or regular expressions', () => {
      const source = [
        "const url = 'https://x/../shared/DESIGN.md'; // a comment",
        'const re = /\\/\\/ not a comment/;',
        '/** block',
        ' * two */',
        'const t = `${1}//x${`}`}` + f({ a: 1 }); // last',
        'function g() { return 1; } // after a brace',
      ].join('\n');
      assert.deepEqual(
        commentsOf(source).map((c) => [c.line, c.text]),
        [
          [1, '// a comment'],
          [3, '/** block\n * two */'],
          [5, '// last'],
          [6, '// after a brace'],
        ],
      );
    });

    it('flags pointers outside the repository', () => {
      const flagged = [
        '// see ../shared/reference/wms-api.md',
        '/* (wms-api.md §4.6) */',
        '// DESIGN §4.4',
        '// (DESIGN.md §3)',
        '// /work/shared/hooks',
        '// docs/missing.md',
        '// ../../README.md',
      ];
      for (const comment of flagged)
        assert.ok(outsidePointer(comment, 'tap-oracle-wms/x.ts', exists) !== undefined, comment);
      for (const comment of [
        '// docs/lgfapi.md §4.6',
        '// see README.md',
        '// notes.md',
        '// Markdown (.md) files',
        '// https://github.com/singer-io/getting-started/blob/master/docs/SPEC.md',
      ])
        assert.equal(outsidePointer(comment, 'tap-oracle-wms/x.ts', exists), undefined, comment);
    });

    it('finds the pointers and relative links of a Markdown line', () => {
      for (const line of [
        'follows `../shared/reference/wms-api.md` (cited below as §n)',
        'see [the notes](../shared/reference/oracle.md)',
        'the blueprint (DESIGN.md §3)',
      ])
        assert.ok(outsideReference(line) !== undefined, line);
      for (const line of [
        '[docs/lgfapi.md](lgfapi.md) §4.1',
        'https://docs.oracle.com/en/cloud/saas/warehouse-management/',
      ])
        assert.equal(outsideReference(line), undefined, line);
      assert.deepEqual(
        markdownLinks('[a](lgfapi.md#s41), [b](https://x.example/y.md), [c](../README.md), [d](mailto:x@example.com)'),
        ['lgfapi.md', '../README.md'],
      );
    });

    it('flags a long module only without its reason at the top', () => {
      const body = Array.from({ length: 251 }, (_, i) => `export const a${i} = ${i};`).join('\n');
      assert.match(oversized('x.ts', body) ?? '', /x\.ts: 251 lines/);
      assert.equal(oversized('x.ts', `// Over 250 lines because it is one table.\n${body}`), undefined);
      assert.ok(oversized('x.ts', `${body}\n// Over 250 lines because it is one table.`));
      assert.equal(oversized('x.ts', body.split('\n').slice(0, 250).join('\n')), undefined);
    });
  });
});
