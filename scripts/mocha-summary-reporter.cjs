// Mocha's spec reporter, plus the run's counts written as JSON to $MOCHA_SUMMARY_FILE, which scripts/test.sh
// sums into its closing "N passed, N failed, N skipped" line. Mocha loads reporters with require().
'use strict';
const fs = require('node:fs');
const { reporters, Runner } = require('mocha');

class SummaryReporter extends reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.MOCHA_SUMMARY_FILE;
      if (!file) return;
      const { passes, failures, pending } = this.stats;
      fs.writeFileSync(file, JSON.stringify({ passes, failures, pending }));
    });
  }
}

module.exports = SummaryReporter;
