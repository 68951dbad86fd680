// Mocha's spec reporter, plus the run's counts and each test file's time written as JSON to $MOCHA_SUMMARY_FILE,
// which scripts/test.sh sums into its closing "N passed, N failed, N skipped" line and uses to name the slowest
// files. A file's time is the sum of its hooks' and tests' durations: under --parallel a worker sends a file's
// events only once the file has finished, so clock readings taken here would say nothing, while each runnable's
// own duration was measured where it ran. Mocha loads reporters with require().
'use strict';
const fs = require('node:fs');
const { reporters, Runner } = require('mocha');

const { EVENT_RUN_END, EVENT_HOOK_END, EVENT_TEST_END, EVENT_TEST_FAIL } = Runner.constants;

class SummaryReporter extends reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    /** @type {Map<string, number>} milliseconds per file */
    const spent = new Map();
    const add = (runnable) => {
      const file = runnable.file ?? runnable.parent?.file;
      if (!file || typeof runnable.duration !== 'number') return;
      spent.set(file, (spent.get(file) ?? 0) + runnable.duration);
    };
    runner.on(EVENT_HOOK_END, add);
    runner.on(EVENT_TEST_END, add);
    // A failing hook ends with this event instead of EVENT_HOOK_END.
    runner.on(EVENT_TEST_FAIL, (runnable) => {
      if (runnable.type === 'hook') add(runnable);
    });
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.MOCHA_SUMMARY_FILE;
      if (!file) return;
      const { passes, failures, pending } = this.stats;
      const files = [...spent].map(([name, ms]) => ({ name, ms }));
      fs.writeFileSync(file, JSON.stringify({ passes, failures, pending, files }));
    });
  }
}

module.exports = SummaryReporter;
