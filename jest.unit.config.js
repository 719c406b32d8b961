/**
 * The unit tests alone (test/unit): no Azurite, so nothing to start or stop. `npm run mutation` runs
 * these under Stryker; `npx jest -c jest.unit.config.js` runs them by hand.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads its configs as CommonJS
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // The sources are roots too: Stryker runs a mutant's tests through jest's related-tests lookup,
  // which follows imports only through files under the roots (with test/unit alone, a test reaching
  // a file through another one, as ingest tests reach modelProfile.ts, was never run).
  roots: [
    '<rootDir>/test/unit',
    '<rootDir>/test/helpers',
    '<rootDir>/test/support',
    '<rootDir>/shared',
    '<rootDir>/scripts',
    '<rootDir>/functions',
  ],
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  globalSetup: '<rootDir>/test/helpers/unitGlobalSetup.ts',
  globalTeardown: undefined,
};
