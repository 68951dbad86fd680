// Tests are compiled by tsc and run as plain JS (no loaders).
module.exports = {
  forbidOnly: Boolean(process.env.CI),
  timeout: 20000,
  reporter: 'spec',
};
