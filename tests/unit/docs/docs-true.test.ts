import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPipelineRegistry } from '../../../orchestrator/pipeline-metrics.js';
import { writeRunReport } from '../../../orchestrator/run-report.js';
import type { RunResult } from '../../../orchestrator/run-result.js';
import { markdownSection, tableRows } from '../../helpers/markdown.js';
import { repoRoot } from '../../helpers/repo-root.js';

/** The code the executables run: where every message a doc quotes must come from. */
const RUNTIME_FOLDERS = ['singer', 'tap-oracle-wms', 'target-oracle', 'orchestrator', 'wms-simulator'];

async function sourceText(folders: readonly string[]): Promise<string> {
  const texts: string[] = [];
  for (const folder of folders) {
    for (const entry of await readdir(path.join(repoRoot, folder), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts'))
        texts.push(await readFile(path.join(entry.parentPath, entry.name), 'utf8'));
    }
  }
  return texts.join('\n');
}

const doc = (file: string): Promise<string> => readFile(path.join(repoRoot, file), 'utf8');

/** The `code` spans of a Markdown table cell. */
const codeSpans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('docs that are true (the repository checked against its own Markdown; pure)', () => {
  it('docs/production.md troubleshooting: every message it quotes is printed by the code (`…` marks the varying part)', async () => {
    const source = await sourceText(RUNTIME_FOLDERS);
    const rows = tableRows(markdownSection(await doc('docs/production.md'), '## 9. Troubleshooting'));
    assert.ok(rows.length >= 8, 'the table has its rows');
    for (const [message] of rows) {
      const quoted = codeSpans(message);
      assert.equal(quoted.length, 1, `one quoted message per row: ${message}`);
      for (const part of quoted[0]
        .split('…')
        .map((p) => p.trim())
        .filter(Boolean))
        assert.ok(source.includes(part), `"${part}" is not in the source of ${RUNTIME_FOLDERS.join(', ')}`);
    }
  });

  it('README troubleshooting: every message template it quotes (a code span with `…`) is printed by the code', async () => {
    const source = await sourceText(RUNTIME_FOLDERS);
    const rows = tableRows(markdownSection(await doc('README.md'), '## Troubleshooting'));
    const templates = rows.flatMap(([symptom]) => codeSpans(symptom)).filter((span) => span.includes('…'));
    assert.ok(templates.length >= 4, `the table quotes messages: ${templates.join(' | ')}`);
    for (const template of templates)
      for (const part of template
        .split('…')
        .map((p) => p.trim())
        .filter(Boolean))
        assert.ok(source.includes(part), `README troubleshooting quotes "${part}", which no runtime source prints`);
  });

  it('docs/production.md privileges: each statement listed is one the Oracle dialect runs, and it runs no other kind', async () => {
    const source = await sourceText(['target-oracle/dialects/oracle']);
    const listed = tableRows(
      markdownSection(await doc('docs/production.md'), '## 3. The Oracle user and its privileges'),
    )
      .flatMap(([statements]) => codeSpans(statements))
      .map((s) => s.replace(/ \(.*$/, ''));
    for (const statement of listed) {
      const words = statement
        .split('…')
        .map((p) => p.trim())
        .filter(Boolean);
      for (const word of words) assert.ok(source.includes(word), `the Oracle dialect never runs "${word}"`);
    }
    // Statements start a template or string literal in the dialect: each kind must have its row (and its GRANT).
    const kinds = new Set(
      [
        ...source.matchAll(
          /[`'"](CREATE(?: GLOBAL TEMPORARY)? TABLE|ALTER TABLE|DROP TABLE|TRUNCATE|RENAME|LOCK TABLE|GRANT|MERGE|INSERT|UPDATE|DELETE|SELECT)\b/g,
        ),
      ].map((m) => m[1]),
    );
    const covered = listed.join(' | ');
    for (const kind of kinds) assert.ok(covered.includes(kind), `docs/production.md section 3 does not list ${kind}`);
  });

  it('docs/production.md links section 6 to the scaling arithmetic in docs/scaling.md (no placeholder left)', async () => {
    const production = await doc('docs/production.md');
    assert.doesNotMatch(production, /<!-- scaling: .* -->/);
    assert.match(
      markdownSection(production, '## 6. Sizing `max_concurrent_requests`'),
      /\]\(scaling\.md#the-arithmetic-for-a-300-entity-tenant\)/,
    );
    assert.match(await doc('docs/scaling.md'), /^## The arithmetic for a 300-entity tenant$/m);
  });

  it('docs/wms-pipeline.md metrics table: the same metric names as the registry, with the labels the code sets', async () => {
    const rows = tableRows(markdownSection(await doc('docs/wms-pipeline.md'), '## Service mode and metrics'));
    const documented = new Map<string, string[]>();
    for (const [names, , labels] of rows)
      for (const name of codeSpans(names))
        documented.set(
          name,
          labels
            .replace(/\(.*?\)/g, '')
            .split(',')
            .map((l) => l.trim())
            .filter(Boolean)
            .sort(),
        );
    const defined = [
      ...createPipelineRegistry()
        .render()
        .matchAll(/^# TYPE (\S+)/gm),
    ].map((m) => m[1]);
    assert.deepEqual([...documented.keys()].sort(), defined.sort());

    const source = await sourceText(['orchestrator']);
    const used = new Map<string, Set<string>>();
    for (const m of source.matchAll(/\.(?:inc|set)\(\s*'(wms_pipeline_\w+)',\s*\{([^}]*)\}/g)) {
      const labels = m[2]
        .split(',')
        .map((l) => l.split(':')[0].trim())
        .filter(Boolean);
      used.set(m[1], new Set([...(used.get(m[1]) ?? []), ...labels]));
    }
    for (const [name, labels] of documented)
      assert.deepEqual(labels, [...(used.get(name) ?? [])].sort(), `labels of ${name}`);
  });

  it('docs/wms-pipeline.md report file: the name and the top-level fields it describes are what writeRunReport writes', async () => {
    const reports = markdownSection(await doc('docs/wms-pipeline.md'), '## Reports');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'docs-report-'));
    try {
      const data = {
        runId: 'r1',
        job: 'nightly',
        mode: 'full',
        runner: 'direct',
        companyCode: 'C1',
        facilityCode: 'F1',
        startedAt: '2025-01-02T03:04:05.678Z',
        finishedAt: '2025-01-02T03:05:05.678Z',
        recordsProcessed: 0,
        recordsRead: 0,
        recordsByStream: {},
        errorsCount: 0,
        durationSeconds: 60,
        attempts: [],
        metrics: {},
      };
      const result = { success: false, error: 'boom', retriable: false, data } as unknown as RunResult;
      const file = await writeRunReport(dir, result);
      assert.equal(path.basename(file), '2025-01-02T03-04-05-678Z_nightly_C1_F1.json');
      assert.match(reports, /`<report_dir>\/<startedAt>_<job>_<company>_<facility>\.json`/);
      const written = Object.keys(JSON.parse(await readFile(file, 'utf8')) as object);
      const documented = codeSpans(reports).filter((span) => /^[a-zA-Z]+$/.test(span));
      for (const key of documented) assert.ok(written.includes(key), `the report has no top-level "${key}"`);
      for (const key of ['success', 'error', 'retriable', 'reportFile', 'job', 'startedAt'])
        assert.ok(documented.includes(key), `docs/wms-pipeline.md "## Reports" does not name "${key}"`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('README: the demo reports its own run time, as the quick start says, instead of a figure that can go stale', async () => {
    const quickStart = markdownSection(await doc('README.md'), '## Quick start');
    assert.match(quickStart, /`== done in N s ==`/);
    assert.doesNotMatch(quickStart, /about \d+ ?s\b/, 'no fixed time claim');
    assert.match(await doc('scripts/demo.sh'), /== done in \$\(\(SECONDS - t0\)\) s ==/);
  });

  it('examples use neutral tenant names: every *.wms.ocs.oraclecloud.com host in the repository is <pod>', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
    const hits = execFileSync('grep', ['-IoE', '[A-Za-z0-9<>._-]+\\.wms\\.ocs\\.oraclecloud\\.com', ...files], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    assert.ok(hits.length > 0, 'the docs show the URL form somewhere');
    const named = hits.filter((hit) => !hit.endsWith(':<pod>.wms.ocs.oraclecloud.com'));
    assert.deepEqual(named, [], 'a real tenant host in a committed file');
  });
});
