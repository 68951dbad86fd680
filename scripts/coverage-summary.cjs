// Prints line and branch coverage per top-level folder from c8's json-summary (coverage-summary.json).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const summary = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const root = process.cwd() + path.sep;
const folders = new Map();
for (const [file, figures] of Object.entries(summary)) {
  if (file === 'total') continue;
  const folder = path.relative(root, file).split(path.sep)[0];
  const sum = folders.get(folder) ?? { lines: [0, 0], branches: [0, 0] };
  sum.lines[0] += figures.lines.covered;
  sum.lines[1] += figures.lines.total;
  sum.branches[0] += figures.branches.covered;
  sum.branches[1] += figures.branches.total;
  folders.set(folder, sum);
}
const pct = ([covered, total]) => (total === 0 ? '   -  ' : `${((100 * covered) / total).toFixed(1).padStart(5)}%`);
console.log('folder            lines   branches');
for (const [folder, sum] of [...folders].sort())
  console.log(`${folder.padEnd(16)} ${pct(sum.lines)}  ${pct(sum.branches)}`);
console.log(
  `${'all'.padEnd(16)} ${pct([summary.total.lines.covered, summary.total.lines.total])}  ${pct([summary.total.branches.covered, summary.total.branches.total])}`,
);
