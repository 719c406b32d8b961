/**
 * Jest setup: outside the Functions worker, `@azure/functions` drops into "test mode" and warns on
 * every registration. Provide the worker's `@azure/functions-core` module as the dev host does.
 */
jest.mock(
  '@azure/functions-core',
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.mock factories cannot use imports
  () => require('../../scripts/lib/functionsCoreStandIn').functionsCoreStandIn(),
  { virtual: true },
);
