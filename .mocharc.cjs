// Tests are compiled by tsc and run as plain JS (no loaders).
module.exports = {
  forbidOnly: Boolean(process.env.CI),
  timeout: 20000,
  reporter: 'spec',
  // A test that leaves a socket or timer open must not hang CI; leaks are caught by explicit tests instead.
  exit: true,
};
