import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/repo-root.js';

/**
 * The README's "Reliability" table: one row per category of the campaign, each written by the test that runs that
 * category (it computes the row from what it tried and found, and fails when the README says something else), so
 * the table stays true. A category's test adds its own rows: pass them to assertReadmeRows.
 */
export interface CampaignRow {
  category: string;
  tried: string;
  happened: string;
  /** Counted against what an uninterrupted run loads; NOT_APPLICABLE where the category loads no data to compare. */
  lost: number | typeof NOT_APPLICABLE;
  duplicated: number | typeof NOT_APPLICABLE;
}

/** The rows-lost and rows-duplicated cells of a category that loads no data to compare (fuzzing, the secret scan). */
export const NOT_APPLICABLE = '—';

export const TABLE_START = '<!-- reliability-table:start -->';
export const TABLE_END = '<!-- reliability-table:end -->';
export const TABLE_HEADER = '| category | what was tried | what happened | rows lost | rows duplicated |';

export function renderRow(row: CampaignRow): string {
  return `| ${row.category} | ${row.tried} | ${row.happened} | ${row.lost} | ${row.duplicated} |`;
}

/** The table's lines between the README markers. */
export function readmeTable(): string[] {
  const text = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  assert.ok(start !== -1 && end > start, `README.md has no ${TABLE_START} … ${TABLE_END} section`);
  return text
    .slice(start + TABLE_START.length, end)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|'));
}

/** Each row must be in the README table exactly as computed (the message shows the line to paste). */
export function assertReadmeRows(rows: readonly CampaignRow[]): void {
  const table = readmeTable();
  assert.equal(table[0], TABLE_HEADER, 'the README Reliability table header');
  for (const row of rows) {
    const line = renderRow(row);
    const current = table.find((l) => l.startsWith(`| ${row.category} |`));
    assert.equal(current, line, `README.md Reliability table, row '${row.category}': should read\n${line}`);
  }
}
