/**
 * Jest setup: outside the Functions worker, `@azure/functions` drops into "test mode" and warns on
 * every registration. Provide the worker's `@azure/functions-core` module as a quiet recorder instead,
 * as scripts/functionsHost/loadFunctionApp.ts does for the dev host.
 */
jest.mock(
  '@azure/functions-core',
  () => ({
    setProgrammingModel: () => undefined,
    getProgrammingModel: () => undefined,
    registerHook: () => ({ dispose: () => undefined }),
    registerFunction: () => ({ dispose: () => undefined }),
    log: () => undefined,
  }),
  { virtual: true },
);
