/**
 * The unit tests alone (test/unit): no Azurite, so nothing to start or stop. `npm run mutation` runs
 * these under Stryker; `npx jest -c jest.unit.config.js` runs them by hand.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads its configs as CommonJS
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/unit'],
  globalSetup: '<rootDir>/test/helpers/unitGlobalSetup.ts',
  globalTeardown: undefined,
};
