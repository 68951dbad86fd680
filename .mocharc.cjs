// Tests are compiled by tsc and run as plain JS (no loaders).
module.exports = {
  forbidOnly: Boolean(process.env.CI),
  timeout: 20000,
  reporter: 'spec',
  // Root hooks of every run (scratch directories removed at the end): tests/helpers/root-hooks.ts.
  require: ['dist/tests/helpers/root-hooks.js'],
  // A test that leaves a socket or timer open must not hang CI; leaks are caught by explicit tests instead.
  exit: true,
};
