// @ts-check
/**
 * Mutation testing of the core (`npm run mutation`, docs/DEVELOPMENT.md#mutation-testing): every file
 * of shared/ except the Azure adapters (shared/storage/, tested against Azurite) and the generated
 * validators, against the unit tests alone (jest.unit.config.js: no Azurite), so a run stays quick.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  mutate: ['shared/**/*.ts', '!shared/storage/**', '!shared/generated/**'],
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.unit.config.js' },
  // Only the tests that reach a mutant run against it. Static mutants (module-level constants such
  // as the device id and key patterns) rerun every test, a large share of the time: kept, since
  // those patterns are what the tests must guard.
  coverageAnalysis: 'perTest',
  // No TypeScript checker: measured on shared/config.ts it made the run 5x slower (10.7 min against
  // 2.2) and only moved mutants our tests kill anyway (188 killed) into "compile error" (139 killed),
  // with one survivor fewer.
  // Two test runner processes: the machines we run on have two cores.
  concurrency: 2,
  // A mutant's tests get 10 s beyond their normal time before it counts as "timed out" (detected):
  // the 5 s default let a busy shared machine turn slow runs into timeouts.
  timeoutMS: 10_000,
  // Reruns test only the mutants and tests that changed since the last run (the file is git-ignored).
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // The report's colours. The bar is per file (80%), which `npm run mutation:scores` checks.
  thresholds: { high: 90, low: 80, break: null },
  // Nothing the unit tests read: kept out of the sandbox copy.
  // Anchored to the root: a bare `coverage` would also drop shared/coverage/ and scripts/ops/coverage/.
  ignorePatterns: [
    '/dist',
    '/dist-package',
    '/.azurite',
    '/.tools',
    '/.certs',
    '/coverage',
    '/test-artifacts',
  ],
};
