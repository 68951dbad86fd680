// Mocha's spec reporter, plus the run's counts and each test file's time written as JSON to $MOCHA_SUMMARY_FILE,
// which scripts/test.sh sums into its closing "N passed, N failed, N skipped" line and uses to name the slowest
// files. A file's time runs from its first hook or test starting to its last one ending (hooks included), so the
// figure says where a suite's minutes go. Mocha loads reporters with require().
'use strict';
const fs = require('node:fs');
const { reporters, Runner } = require('mocha');

const { EVENT_RUN_END, EVENT_HOOK_BEGIN, EVENT_HOOK_END, EVENT_TEST_BEGIN, EVENT_TEST_END } = Runner.constants;

class SummaryReporter extends reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    /** @type {Map<string, { first: number, last: number }>} */
    const spans = new Map();
    const mark = (runnable) => {
      const file = runnable.file ?? runnable.parent?.file;
      if (!file) return;
      const now = Date.now();
      const span = spans.get(file);
      if (span) span.last = now;
      else spans.set(file, { first: now, last: now });
    };
    for (const event of [EVENT_HOOK_BEGIN, EVENT_HOOK_END, EVENT_TEST_BEGIN, EVENT_TEST_END]) runner.on(event, mark);
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.MOCHA_SUMMARY_FILE;
      if (!file) return;
      const { passes, failures, pending } = this.stats;
      const files = [...spans].map(([name, { first, last }]) => ({ name, ms: last - first }));
      fs.writeFileSync(file, JSON.stringify({ passes, failures, pending, files }));
    });
  }
}

module.exports = SummaryReporter;
